#include "tools/cli_serve.hpp"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <istream>
#include <ostream>

#include "onnxrun/error.hpp"

namespace onnxrun::cli {

long parse_serve_request(const std::string& line, long line_number) {
  std::size_t begin = line.find_first_not_of(" \t\r");
  std::size_t end = line.find_last_not_of(" \t\r");
  const std::string text = begin == std::string::npos ? "" : line.substr(begin, end - begin + 1);
  long runs = 0;
  const auto [ptr, error] = std::from_chars(text.data(), text.data() + text.size(), runs);
  if (text.empty() || error != std::errc() || ptr != text.data() + text.size() || runs < 1 || runs > kMaxServeRuns) {
    const std::string shown = text.size() > 40 ? text.substr(0, 40) + "..." : text;
    throw Error("--serve: stdin line " + std::to_string(line_number) + ": expected a run count from 1 to " +
                std::to_string(kMaxServeRuns) + ", got '" + shown + "'");
  }
  return runs;
}

void serve_timed_runs(const Session& session, const std::vector<NamedTensor>& inputs, std::istream& in,
                      std::ostream& out) {
  using Clock = std::chrono::steady_clock;
  std::string line;
  for (long line_number = 1; std::getline(in, line); ++line_number) {
    const long runs = parse_serve_request(line, line_number);
    std::string answer = "[";
    for (long i = 0; i < runs; ++i) {
      const auto start = Clock::now();
      session.run(inputs);
      const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
      char number[32];
      std::snprintf(number, sizeof number, "%s%.4f", i ? ", " : "", ms);
      answer += number;
    }
    out << answer << "]\n" << std::flush;
  }
}

}  // namespace onnxrun::cli
