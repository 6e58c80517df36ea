#include "tools/cli_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace onnxrun::cli {

namespace {

struct Summary {
  double min = 0, max = 0, mean = 0;
  std::int64_t nan_count = 0;
};

double element_as_double(const Tensor& tensor, std::int64_t i) {
  switch (tensor.dtype()) {
    case DType::Float32: return tensor.data_as<float>()[i];
    case DType::Float64: return tensor.data_as<double>()[i];
    case DType::Int32: return tensor.data_as<std::int32_t>()[i];
    case DType::Int64: return static_cast<double>(tensor.data_as<std::int64_t>()[i]);
    case DType::UInt8: return tensor.data_as<std::uint8_t>()[i];
    case DType::Bool: return tensor.data_as<bool>()[i] ? 1.0 : 0.0;
  }
  return 0;
}

Summary summarize(const Tensor& tensor) {
  Summary summary;
  double sum = 0;
  std::int64_t counted = 0;
  for (std::int64_t i = 0; i < tensor.element_count(); ++i) {
    const double v = element_as_double(tensor, i);
    if (std::isnan(v)) {
      ++summary.nan_count;
      continue;
    }
    if (counted == 0 || v < summary.min) summary.min = v;
    if (counted == 0 || v > summary.max) summary.max = v;
    sum += v;
    ++counted;
  }
  summary.mean = counted ? sum / static_cast<double>(counted) : 0;
  return summary;
}

// A batch of class scores: float [N, C] with a handful of rows and C > 1.
bool looks_like_class_scores(const Tensor& tensor) {
  return (tensor.dtype() == DType::Float32 || tensor.dtype() == DType::Float64) && tensor.rank() == 2 &&
         tensor.shape()[1] > 1 && tensor.shape()[0] >= 1;
}

std::vector<std::int64_t> top_k(const Tensor& tensor, std::int64_t row, std::int64_t k) {
  const std::int64_t classes = tensor.shape()[1];
  std::vector<std::int64_t> order(static_cast<std::size_t>(classes));
  std::iota(order.begin(), order.end(), 0);
  k = std::min(k, classes);
  std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](std::int64_t a, std::int64_t b) {
    return element_as_double(tensor, row * classes + a) > element_as_double(tensor, row * classes + b);
  });
  order.resize(static_cast<std::size_t>(k));
  return order;
}

std::string number(double value, const char* format = "%.6g") {
  if (!std::isfinite(value)) return std::isnan(value) ? "NaN" : (value > 0 ? "Infinity" : "-Infinity");
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

constexpr std::int64_t kTopRowsShown = 4;

}  // namespace

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') out += '\\', out += static_cast<char>(c);
    else if (c < 0x20) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
      out += buffer;
    } else out += static_cast<char>(c);
  }
  return out + "\"";
}

std::string json_number(double value) { return std::isfinite(value) ? number(value, "%.17g") : "null"; }

double quantile(std::vector<double> values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const double position = q * static_cast<double>(values.size() - 1);
  const std::size_t low = static_cast<std::size_t>(std::floor(position));
  const std::size_t high = std::min(values.size() - 1, low + 1);
  return values[low] + (values[high] - values[low]) * (position - static_cast<double>(low));
}

std::string format_text(const Report& report) {
  std::string text;
  for (const NamedTensor& output : report.outputs) {
    const Tensor& t = output.tensor;
    const Summary s = summarize(t);
    text += "output '" + output.name + "': " + dtype_name(t.dtype()) + " " + shape_to_string(t.shape());
    if (t.element_count() > 0)
      text += "  min " + number(s.min) + "  max " + number(s.max) + "  mean " + number(s.mean);
    if (s.nan_count) text += "  NaN " + std::to_string(s.nan_count);
    text += "\n";
    if (looks_like_class_scores(t)) {
      const std::int64_t rows = std::min(t.shape()[0], kTopRowsShown);
      for (std::int64_t row = 0; row < rows; ++row) {
        // Appended piecewise: GCC 12 warns falsely (-Wrestrict) on "literal" + string&&.
        text += "  top-5 [";
        text += std::to_string(row);
        text += "]:";
        for (std::int64_t c : top_k(t, row, 5)) {
          text += ' ';
          text += std::to_string(c);
          text += " (" + number(element_as_double(t, row * t.shape()[1] + c), "%.4g") + ")";
        }
        text += "\n";
      }
      if (t.shape()[0] > rows) text += "  ... " + std::to_string(t.shape()[0] - rows) + " more rows\n";
    }
  }
  const Timing& timing = report.timing;
  text += "load " + number(timing.load_ms, "%.2f") + " ms, first run " + number(timing.first_run_ms, "%.2f") +
          " ms, threads " + std::to_string(report.threads) + ", arena " + std::to_string(report.arena_bytes) + " bytes\n";
  if (timing.latencies_ms.size() > 1 || timing.warmup > 0) {
    text += "latency over " + std::to_string(timing.latencies_ms.size()) + " runs (after " +
            std::to_string(timing.warmup) + " warmup): min " + number(quantile(timing.latencies_ms, 0), "%.3f") +
            " ms, median " + number(quantile(timing.latencies_ms, 0.5), "%.3f") + " ms, p90 " +
            number(quantile(timing.latencies_ms, 0.9), "%.3f") + " ms\n";
  }
  return text;
}

std::string format_json(const Report& report) {
  const Timing& timing = report.timing;
  std::string json = "{";
  json += "\"model\": " + json_string(report.model_path);
  json += ", \"threads\": " + std::to_string(report.threads);
  json += ", \"load_ms\": " + json_number(timing.load_ms);
  json += ", \"first_run_ms\": " + json_number(timing.first_run_ms);
  json += ", \"warmup\": " + std::to_string(timing.warmup);
  json += ", \"runs\": " + std::to_string(timing.latencies_ms.size());
  json += ", \"latency_ms\": {\"min\": " + json_number(quantile(timing.latencies_ms, 0)) +
          ", \"median\": " + json_number(quantile(timing.latencies_ms, 0.5)) +
          ", \"p90\": " + json_number(quantile(timing.latencies_ms, 0.9)) + ", \"samples\": [";
  // Every timed run, so that callers can pool runs of several invocations.
  for (std::size_t i = 0; i < timing.latencies_ms.size(); ++i) {
    if (i) json += ", ";
    json += json_number(timing.latencies_ms[i]);
  }
  json += "]}";
  json += ", \"arena_bytes\": " + std::to_string(report.arena_bytes);
  json += ", \"outputs\": [";
  for (std::size_t i = 0; i < report.outputs.size(); ++i) {
    const Tensor& t = report.outputs[i].tensor;
    const Summary s = summarize(t);
    if (i) json += ", ";
    json += "{\"name\": " + json_string(report.outputs[i].name) + ", \"shape\": [";
    for (std::size_t d = 0; d < t.rank(); ++d) json += (d ? ", " : "") + std::to_string(t.shape()[d]);
    json += "], \"dtype\": \"" + std::string(dtype_name(t.dtype())) + "\"";
    json += ", \"min\": " + json_number(s.min) + ", \"max\": " + json_number(s.max) + ", \"mean\": " + json_number(s.mean);
    if (looks_like_class_scores(t)) {
      json += ", \"top5\": [";
      const std::int64_t rows = std::min(t.shape()[0], kTopRowsShown);
      for (std::int64_t row = 0; row < rows; ++row) {
        json += row ? ", [" : "[";
        const auto classes = top_k(t, row, 5);
        for (std::size_t k = 0; k < classes.size(); ++k) json += (k ? ", " : "") + std::to_string(classes[k]);
        json += "]";
      }
      json += "]";
    }
    json += "}";
  }
  json += "]}\n";
  return json;
}

}  // namespace onnxrun::cli
