#pragma once
// Command-line options of the onnxrun tool.
#include <optional>
#include <string>
#include <vector>

namespace onnxrun::cli {

struct InputArgument {
  std::string name;  // empty: bind by position
  std::string path;
};

struct Options {
  std::string model_path;
  std::vector<InputArgument> inputs;
  std::string output_path;  // -o
  int threads = 0;
  int warmup = 0;
  int repeat = 0;  // 0: the first run is the only timed one
  bool json = false;
  bool optimize = true;  // --no-optimize: run the graph exactly as loaded
  bool blocked_layout = true;  // --nchw: no NCHW8c regions
  std::string profile_path;  // --profile: per-op Chrome trace written here
  bool serve = false;  // --serve: timed runs on request from stdin (cli_serve.hpp)
  bool help = false;
};

// Throws UsageError on anything it does not understand.
struct UsageError {
  std::string message;
};
Options parse_options(int argc, char** argv);
const char* usage_text();

}  // namespace onnxrun::cli
