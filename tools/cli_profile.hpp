#pragma once
// What `onnxrun --profile FILE.json` writes and prints: the per-op timings of
// the profiled runs as a Chrome trace (chrome://tracing, ui.perfetto.dev) and
// as a per-layer table with medians over the runs.
#include <string>
#include <vector>

#include "onnxrun/profile.hpp"

namespace onnxrun::cli {

// A JSON object {"traceEvents": [...], ...} with one complete ("X") event per
// executed step of every run, the runs laid end to end on one timeline: name =
// node name, cat = op type, ts/dur in microseconds, args = op, shapes,
// algorithm, FLOPs and GFLOP/s.
std::string format_trace(const std::vector<RunProfile>& runs, const std::string& model_path, int threads);

// One line per step (node, op, input shapes -> output shapes, algorithm,
// median ms, share of the total, GFLOP/s where FLOPs are counted), a total
// line, then the time per op type. All runs must come from one plan (same
// steps), as the runs of one CLI invocation do.
std::string format_profile_table(const std::vector<RunProfile>& runs);

}  // namespace onnxrun::cli
