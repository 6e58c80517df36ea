// onnxrun: run an ONNX model on .npy inputs from the command line.
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "onnxrun/onnxrun.hpp"
#include "tools/cli_options.hpp"
#include "tools/cli_profile.hpp"
#include "tools/cli_report.hpp"
#include "tools/cli_serve.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double milliseconds_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::vector<onnxrun::NamedTensor> read_inputs(const onnxrun::Session& session,
                                              const std::vector<onnxrun::cli::InputArgument>& arguments) {
  const auto& declared = session.inputs();
  std::vector<onnxrun::NamedTensor> inputs;
  std::size_t position = 0;
  for (const auto& argument : arguments) {
    std::string name = argument.name;
    if (name.empty()) {
      if (position >= declared.size())
        throw onnxrun::Error("too many inputs: the model has " + std::to_string(declared.size()) + ", '" +
                             argument.path + "' is number " + std::to_string(position + 1));
      name = declared[position++].name;
    }
    inputs.push_back({name, onnxrun::read_npy(argument.path)});
  }
  if (inputs.size() < declared.size()) {
    std::string missing;
    for (const auto& info : declared) {
      bool given = false;
      for (const auto& input : inputs) given = given || input.name == info.name;
      if (!given) missing += (missing.empty() ? "'" : ", '") + info.name + "' " + onnxrun::dtype_name(info.dtype) +
                             " " + onnxrun::shape_to_string(info.shape);
    }
    if (!missing.empty()) throw onnxrun::Error("missing input .npy for " + missing);
  }
  return inputs;
}

std::string file_name_for(const std::string& output_name) {
  std::string name;
  for (char c : output_name) name += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') ? c : '_';
  if (name.empty() || name == "." || name == "..") name = "output";
  return name + ".npy";
}

void write_outputs(const std::string& path, const std::vector<onnxrun::NamedTensor>& outputs) {
  namespace fs = std::filesystem;
  if (outputs.size() == 1) {
    onnxrun::write_npy(path, outputs[0].tensor);
    return;
  }
  std::error_code error;
  fs::create_directories(path, error);
  if (error) throw onnxrun::Error(path + ": cannot create the output folder: " + error.message());
  for (const auto& output : outputs) onnxrun::write_npy((fs::path(path) / file_name_for(output.name)).string(), output.tensor);
}

void write_text_file(const std::string& path, const std::string& text) {
  std::ofstream file(path, std::ios::binary);
  file << text;
  file.close();
  if (!file) throw onnxrun::Error(path + ": cannot write the profile");
}

std::string one_line(std::string message) {
  for (char& c : message)
    if (c == '\n' || c == '\r') c = ' ';
  return message;
}

}  // namespace

int main(int argc, char** argv) {
  namespace cli = onnxrun::cli;
  cli::Options options;
  try {
    options = cli::parse_options(argc, argv);
  } catch (const cli::UsageError& error) {
    std::fprintf(stderr, "onnxrun: error: %s\n%s", error.message.c_str(), cli::usage_text());
    return 2;
  }
  if (options.help) {
    std::fputs(cli::usage_text(), stdout);
    return 0;
  }

  try {
    cli::Report report;
    report.model_path = options.model_path;
    onnxrun::SessionOptions session_options;
    session_options.threads = options.threads;
    session_options.optimize = options.optimize;
    session_options.blocked_layout = options.blocked_layout;
    const auto load_start = Clock::now();
    onnxrun::Session session(options.model_path, session_options);
    report.timing.load_ms = milliseconds_since(load_start);
    report.threads = session.threads();

    const std::vector<onnxrun::NamedTensor> inputs = read_inputs(session, options.inputs);
    // --profile times every op of the timed runs: the first run when there
    // is no --repeat, else the repeated ones.
    const bool profiling = !options.profile_path.empty();
    std::vector<onnxrun::RunProfile> profiles;
    // One run, its outputs kept in the report; returns its time in ms.
    auto timed_run = [&](bool profiled) {
      const auto start = Clock::now();
      if (profiled) {
        profiles.emplace_back();
        report.outputs = session.run(inputs, profiles.back());
      } else {
        report.outputs = session.run(inputs);
      }
      return milliseconds_since(start);
    };
    report.timing.first_run_ms = timed_run(profiling && options.repeat == 0);
    report.timing.warmup = options.warmup;
    for (int i = 0; i < options.warmup; ++i) session.run(inputs);
    if (options.serve) {
      if (!options.output_path.empty()) write_outputs(options.output_path, report.outputs);
      cli::serve_timed_runs([&] { return timed_run(false); }, std::cin, std::cout);
      return 0;
    }
    for (int i = 0; i < options.repeat; ++i) report.timing.latencies_ms.push_back(timed_run(profiling));
    if (report.timing.latencies_ms.empty()) report.timing.latencies_ms.push_back(report.timing.first_run_ms);
    report.arena_bytes = session.arena_bytes();

    if (!options.output_path.empty()) write_outputs(options.output_path, report.outputs);
    if (profiling) write_text_file(options.profile_path, cli::format_trace(profiles, options.model_path, report.threads));
    std::cout << (options.json ? cli::format_json(report) : cli::format_text(report));
    if (profiling && !options.json) std::cout << cli::format_profile_table(profiles);
    return 0;
  } catch (const onnxrun::Error& error) {
    std::fprintf(stderr, "onnxrun: error: %s\n", one_line(error.what()).c_str());
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "onnxrun: error: out of memory\n");
  } catch (const std::exception& error) {
    std::fprintf(stderr, "onnxrun: error: %s\n", one_line(error.what()).c_str());
  }
  return 1;
}
