#include "tools/cli_options.hpp"

#include <charconv>

namespace onnxrun::cli {

namespace {

int parse_count(const std::string& flag, const std::string& text, int min) {
  int value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, error] = std::from_chars(text.data(), end, value);
  if (error != std::errc() || ptr != end || value < min)
    throw UsageError{flag + " expects an integer >= " + std::to_string(min) + ", got '" + text + "'"};
  return value;
}

}  // namespace

const char* usage_text() {
  return "usage: onnxrun MODEL.onnx [INPUT.npy | NAME=INPUT.npy ...] [options]\n"
         "\n"
         "Runs an ONNX model on .npy inputs (bound to the model's inputs in order, or by\n"
         "NAME=) and prints each output's name, shape, dtype and a summary.\n"
         "\n"
         "options:\n"
         "  -o PATH          write outputs as .npy: a file for one output, else a folder\n"
         "                   with one NAME.npy per output\n"
         "  --threads N      threads per run, the calling one included (0: all cores)\n"
         "  --warmup W       untimed runs before timing (default 0)\n"
         "  --repeat R       timed runs after the first (default 0: time the first run);\n"
         "                   prints load time, first-run time, min/median/p90 latency\n"
         "  --json           print the results as one JSON object\n"
         "  --no-optimize    run the graph exactly as loaded (no BatchNormalization\n"
         "                   folding or op fusion): for debugging\n"
         "  --nchw           keep every tensor NCHW (no channel-blocked NCHW8c regions\n"
         "                   around depthwise convolutions): to compare\n"
         "  --profile FILE   time every op of the timed runs: write a Chrome trace\n"
         "                   (chrome://tracing, ui.perfetto.dev) to FILE and print a\n"
         "                   per-layer table (median over the runs) unless --json\n"
         "  --serve          for benchmark harnesses: after loading and the warmup runs\n"
         "                   (and -o), read a run count N per line of stdin and answer\n"
         "                   each with one line, the N latencies in ms as a JSON array;\n"
         "                   ends at the end of stdin (not with --repeat, --profile, --json)\n"
         "  -h, --help       this text\n";
}

Options parse_options(int argc, char** argv) {
  Options options;
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw UsageError{arg + " needs a value"};
      return argv[++i];
    };
    if (arg == "-h" || arg == "--help") options.help = true;
    else if (arg == "-o" || arg == "--output") options.output_path = value();
    else if (arg == "--threads") options.threads = parse_count(arg, value(), 0);
    else if (arg == "--warmup") options.warmup = parse_count(arg, value(), 0);
    else if (arg == "--repeat") options.repeat = parse_count(arg, value(), 1);
    else if (arg == "--json") options.json = true;
    else if (arg == "--no-optimize") options.optimize = false;
    else if (arg == "--nchw") options.blocked_layout = false;
    else if (arg == "--profile") options.profile_path = value();
    else if (arg == "--serve") options.serve = true;
    else if (arg.size() > 1 && arg[0] == '-') throw UsageError{"unknown option '" + arg + "'"};
    else positional.push_back(arg);
  }
  if (options.help) return options;
  if (positional.empty()) throw UsageError{"no model given"};
  if (options.serve && (options.repeat > 0 || !options.profile_path.empty() || options.json))
    throw UsageError{"--serve answers on stdout itself: it does not take --repeat, --profile or --json"};
  options.model_path = positional[0];
  for (std::size_t i = 1; i < positional.size(); ++i) {
    const std::string& arg = positional[i];
    const std::size_t eq = arg.find('=');
    if (eq != std::string::npos && eq > 0) options.inputs.push_back({arg.substr(0, eq), arg.substr(eq + 1)});
    else options.inputs.push_back({"", arg});
  }
  return options;
}

}  // namespace onnxrun::cli
