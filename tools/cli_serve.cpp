#include "tools/cli_serve.hpp"

#include <charconv>
#include <cstdio>
#include <istream>
#include <ostream>

#include "onnxrun/error.hpp"

namespace onnxrun::cli {

namespace {

// One line of `in` without its '\n' into `line`; false at the end of input.
// Throws once the line passes kMaxServeLine characters.
bool read_request_line(std::istream& in, std::string& line, std::int64_t line_number) {
  line.clear();
  char c = 0;
  bool any = false;
  while (in.get(c)) {
    any = true;
    if (c == '\n') return true;
    if (line.size() == kMaxServeLine)
      throw Error("--serve: stdin line " + std::to_string(line_number) + ": longer than " +
                  std::to_string(kMaxServeLine) + " characters");
    line += c;
  }
  return any;
}

}  // namespace

std::int64_t parse_serve_request(const std::string& line, std::int64_t line_number) {
  const std::size_t begin = line.find_first_not_of(" \t\r");
  const std::size_t end = line.find_last_not_of(" \t\r");
  const std::string text = begin == std::string::npos ? "" : line.substr(begin, end - begin + 1);
  std::int64_t runs = 0;
  const auto [ptr, error] = std::from_chars(text.data(), text.data() + text.size(), runs);
  if (text.empty() || error != std::errc() || ptr != text.data() + text.size() || runs < 1 || runs > kMaxServeRuns)
    throw Error("--serve: stdin line " + std::to_string(line_number) + ": expected a run count from 1 to " +
                std::to_string(kMaxServeRuns) + ", got '" + text + "'");
  return runs;
}

void serve_timed_runs(const std::function<double()>& timed_run, std::istream& in, std::ostream& out) {
  std::string line;
  for (std::int64_t line_number = 1; read_request_line(in, line, line_number); ++line_number) {
    const std::int64_t runs = parse_serve_request(line, line_number);
    std::string answer = "[";
    for (std::int64_t i = 0; i < runs; ++i) {
      char number[32];
      std::snprintf(number, sizeof number, "%s%.4f", i ? ", " : "", timed_run());
      answer += number;
    }
    out << answer << "]\n" << std::flush;
    if (!out) throw Error("--serve: cannot write the answer to stdout");
  }
}

}  // namespace onnxrun::cli
