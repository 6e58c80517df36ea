#pragma once
// onnxrun --serve: timed runs on request, for benchmark harnesses that
// interleave onnxrun with other runtimes (bench/compare.py). The model stays
// loaded and warm between requests, as another runtime's session does,
// instead of a fresh process per batch of runs.
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>

namespace onnxrun::cli {

// The most runs one request may ask for: a typo must not hang the tool.
inline constexpr std::int64_t kMaxServeRuns = 100000;
// The longest request line read; a longer one is an error, not a buffer
// that grows with whatever arrives on stdin.
inline constexpr std::size_t kMaxServeLine = 64;

// The run count of one request line: a decimal integer in [1, kMaxServeRuns],
// surrounding spaces allowed. Throws onnxrun::Error naming the line otherwise.
std::int64_t parse_serve_request(const std::string& line, std::int64_t line_number);

// Reads requests from `in` until its end; answers each with one line on
// `out`, flushed: the latencies in ms that `timed_run` returns for that many
// runs, as a JSON array. Throws onnxrun::Error on a bad request or when
// `out` can no longer be written (the harness went away).
void serve_timed_runs(const std::function<double()>& timed_run, std::istream& in, std::ostream& out);

}  // namespace onnxrun::cli
