#include "tools/cli_profile.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

#include "tools/cli_report.hpp"

namespace onnxrun::cli {

namespace {

std::string fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

std::string json_shape(const Shape& shape) {
  std::string text = "[";
  // Appended piecewise: GCC 12 warns falsely (-Wrestrict) on "literal" + string&&.
  for (std::size_t d = 0; d < shape.size(); ++d) {
    if (d) text += ", ";
    text += std::to_string(shape[d]);
  }
  return text + "]";
}

std::string json_shapes(const std::vector<Shape>& shapes) {
  std::string text = "[";
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    if (i) text += ", ";
    text += json_shape(shapes[i]);
  }
  return text + "]";
}

// GFLOP/s of `flops` done in `us` microseconds (0 when either is 0).
double gflops_per_second(std::int64_t flops, double us) { return flops > 0 && us > 0 ? flops / us * 1e-3 : 0; }

std::string shapes_text(const OpProfile& op) {
  std::string text;
  const auto append = [&](const std::vector<Shape>& shapes) {
    for (std::size_t i = 0; i < shapes.size(); ++i) {
      if (i) text += ' ';
      text += shape_to_string(shapes[i]);
    }
  };
  append(op.input_shapes);
  text += " -> ";
  append(op.output_shapes);
  return text;
}

std::string pad_right(const std::string& text, std::size_t width) {
  return text.size() >= width ? text : text + std::string(width - text.size(), ' ');
}
std::string pad_left(const std::string& text, std::size_t width) {
  return text.size() >= width ? text : std::string(width - text.size(), ' ') + text;
}

}  // namespace

std::string format_trace(const std::vector<RunProfile>& runs, const std::string& model_path, int threads) {
  std::string json = "{\"traceEvents\": [\n";
  // Metadata events name the timeline's one process and thread.
  json += "{\"name\": \"process_name\", \"ph\": \"M\", \"pid\": 1, \"tid\": 1, \"args\": {\"name\": " +
          json_string("onnxrun " + model_path) + "}}";
  json += ",\n{\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": 1, \"tid\": 1, \"args\": {\"name\": " +
          json_string("run (" + std::to_string(threads) + " threads)") + "}}";
  double offset_us = 0;
  for (std::size_t r = 0; r < runs.size(); ++r) {
    for (const OpProfile& op : runs[r].ops) {
      json += ",\n{\"name\": " + json_string(op.node.empty() ? op.op_type : op.node) +
              ", \"cat\": " + json_string(op.op_type) + ", \"ph\": \"X\", \"pid\": 1, \"tid\": 1" +
              ", \"ts\": " + fixed(offset_us + op.start_us, 3) + ", \"dur\": " + fixed(op.duration_us, 3) +
              ", \"args\": {\"op\": " + json_string(op.op_type) + ", \"input_shapes\": " + json_shapes(op.input_shapes) +
              ", \"output_shapes\": " + json_shapes(op.output_shapes) + ", \"algorithm\": " + json_string(op.algorithm) +
              ", \"flops\": " + std::to_string(op.flops) +
              ", \"gflops_per_s\": " + fixed(gflops_per_second(op.flops, op.duration_us), 3) +
              ", \"run\": " + std::to_string(r) + "}}";
    }
    offset_us += runs[r].total_us;
  }
  json += "\n], \"displayTimeUnit\": \"ms\", \"otherData\": {\"model\": " + json_string(model_path) +
          ", \"threads\": " + std::to_string(threads) + ", \"runs\": " + std::to_string(runs.size()) + "}}\n";
  return json;
}

std::string format_profile_table(const std::vector<RunProfile>& runs) {
  if (runs.empty()) return "";
  const std::vector<OpProfile>& steps = runs.front().ops;
  std::vector<double> median_ms(steps.size());
  double steps_ms = 0;
  for (std::size_t s = 0; s < steps.size(); ++s) {
    std::vector<double> samples;
    for (const RunProfile& run : runs)
      if (s < run.ops.size()) samples.push_back(run.ops[s].duration_us * 1e-3);
    median_ms[s] = quantile(samples, 0.5);
    steps_ms += median_ms[s];
  }
  std::vector<double> totals;
  for (const RunProfile& run : runs) totals.push_back(run.total_us * 1e-3);

  const std::vector<std::string> header{"#", "node", "op", "shapes", "algorithm", "ms", "%", "GFLOP/s"};
  std::vector<std::vector<std::string>> rows;
  std::int64_t total_flops = 0;
  for (std::size_t s = 0; s < steps.size(); ++s) {
    const OpProfile& op = steps[s];
    total_flops += op.flops;
    const double rate = gflops_per_second(op.flops, median_ms[s] * 1e3);
    rows.push_back({std::to_string(s), op.node, op.op_type, shapes_text(op), op.algorithm, fixed(median_ms[s], 3),
                    fixed(steps_ms > 0 ? 100 * median_ms[s] / steps_ms : 0, 1), op.flops ? fixed(rate, 2) : ""});
  }
  rows.push_back({"", "total", "", "", "", fixed(steps_ms, 3), "100.0",
                  total_flops ? fixed(gflops_per_second(total_flops, steps_ms * 1e3), 2) : ""});

  std::vector<std::size_t> width(header.size());
  for (std::size_t c = 0; c < header.size(); ++c) {
    width[c] = header[c].size();
    for (const auto& row : rows) width[c] = std::max(width[c], row[c].size());
  }
  // Numbers right-aligned, text left-aligned.
  const auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const bool numeric = c == 0 || c >= 5;
      text += (c ? "  " : "") + (numeric ? pad_left(cells[c], width[c]) : pad_right(cells[c], width[c]));
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    return text + "\n";
  };
  std::string text = "profile: " + std::to_string(steps.size()) + " steps, median of " + std::to_string(runs.size()) +
                     " run" + (runs.size() == 1 ? "" : "s") + "\n";
  text += line(header);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    if (r + 1 == rows.size()) {
      std::size_t total_width = 0;
      for (std::size_t w : width) total_width += w + 2;
      text += std::string(total_width - 2, '-') + "\n";
    }
    text += line(rows[r]);
  }
  // The two differ mostly as statistics: the median of run totals against
  // the sum of per-step medians (a run's slow steps are not all slow in the
  // same run). Binding, planning lookup and the gaps between steps measured
  // about 11 us of MobileNetV2's 3.4 ms runs.
  text += "run median " + fixed(quantile(totals, 0.5), 3) + " ms (sum of the step medians " + fixed(steps_ms, 3) +
          " ms; a run also holds binding its inputs and the gaps between steps)\n";

  // Where the time goes, by op type, largest first.
  std::map<std::string, std::pair<double, int>> by_type;
  for (std::size_t s = 0; s < steps.size(); ++s) {
    auto& entry = by_type[steps[s].op_type];
    entry.first += median_ms[s];
    entry.second += 1;
  }
  std::vector<std::pair<std::string, std::pair<double, int>>> types(by_type.begin(), by_type.end());
  std::sort(types.begin(), types.end(), [](const auto& a, const auto& b) { return a.second.first > b.second.first; });
  std::size_t type_width = 7;
  for (const auto& type : types) type_width = std::max(type_width, type.first.size());
  text += "by op type:\n";
  for (const auto& [type, entry] : types)
    text += "  " + pad_right(type, type_width) + "  " + pad_left(std::to_string(entry.second), 4) + "x  " +
            pad_left(fixed(entry.first, 3), 10) + " ms  " +
            pad_left(fixed(steps_ms > 0 ? 100 * entry.first / steps_ms : 0, 1), 5) + "%\n";
  return text;
}

}  // namespace onnxrun::cli
