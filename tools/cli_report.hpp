#pragma once
// What the onnxrun tool prints: output summaries, top-5 classes, latency
// statistics, as text or as one JSON object.
#include <cstddef>
#include <string>
#include <vector>

#include "onnxrun/onnxrun.hpp"

namespace onnxrun::cli {

struct Timing {
  double load_ms = 0;
  double first_run_ms = 0;
  std::vector<double> latencies_ms;  // timed runs (after warmup)
  int warmup = 0;
};

struct Report {
  std::string model_path;
  int threads = 1;
  std::size_t arena_bytes = 0;
  Timing timing;
  std::vector<NamedTensor> outputs;
};

std::string format_text(const Report& report);
std::string format_json(const Report& report);

// A JSON string literal (quoted, escaped) and a JSON number (null when not finite).
std::string json_string(const std::string& text);
std::string json_number(double value);

// Quantile q in [0, 1] of the values, by linear interpolation between ranks.
double quantile(std::vector<double> values, double q);

}  // namespace onnxrun::cli
