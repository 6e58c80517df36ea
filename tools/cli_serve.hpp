#pragma once
// onnxrun --serve: timed runs on request, for benchmark harnesses that
// interleave onnxrun with other runtimes (bench/compare.py). The model stays
// loaded and warm between requests, as another runtime's session does,
// instead of a fresh process per batch of runs.
#include <iosfwd>
#include <string>
#include <vector>

#include "onnxrun/session.hpp"

namespace onnxrun::cli {

// The most runs one request may ask for: a typo must not hang the tool.
inline constexpr long kMaxServeRuns = 100000;

// The run count of one request line: a decimal integer in [1, kMaxServeRuns],
// surrounding spaces allowed. Throws onnxrun::Error naming the line otherwise.
long parse_serve_request(const std::string& line, long line_number);

// Reads requests from `in` until its end; answers each with one line on
// `out`, flushed: the latencies in ms of that many runs of `inputs`, as a
// JSON array.
void serve_timed_runs(const Session& session, const std::vector<NamedTensor>& inputs, std::istream& in,
                      std::ostream& out);

}  // namespace onnxrun::cli
