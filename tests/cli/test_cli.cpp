// The onnxrun CLI run as a user runs it: a separate process with arguments,
// judged by its stdout, stderr and exit status. Good runs print and write what
// they promise; every bad input ends in exit 1 (2 for usage errors) with one
// "onnxrun: error:" line naming the problem, never a crash or a sanitizer report.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "onnxrun/onnxrun.hpp"
#include "tests/support/compare.hpp"
#include "tests/support/json_checker.hpp"
#include "tests/support/model_builder.hpp"

extern char** environ;

namespace fs = std::filesystem;
using namespace onnxrun;
using onnxrun::testing::FLOAT;
using onnxrun::testing::ModelBuilder;
using onnxrun::testing::TempDir;

namespace {

const fs::path kFixtures = ONNXRUN_FIXTURES_DIR;
const std::string kCifar = (kFixtures / "cifar_classifier" / "model.onnx").string();
const std::string kCifarInput = (kFixtures / "cifar_classifier" / "input_0.npy").string();

struct CliResult {
  bool exited = false;  // false: killed by a signal
  int exit_code = -1;
  int signal = 0;
  std::string out, err;
};

std::string read_text(const fs::path& path) {
  std::ifstream stream(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>()};
}

// Runs the CLI without a shell (no quoting, and a signal shows as a signal
// rather than as the shell's exit code 128+N), its output captured in files.
// stdin_text, when given, is what the CLI reads on stdin (else it inherits it).
CliResult run_cli(const TempDir& dir, const std::vector<std::string>& args, const std::string* stdin_text = nullptr) {
  static int call = 0;
  const fs::path in_path = dir / ("stdin_" + std::to_string(call) + ".txt");
  const fs::path out_path = dir / ("stdout_" + std::to_string(call) + ".txt");
  const fs::path err_path = dir / ("stderr_" + std::to_string(call++) + ".txt");
  if (stdin_text) std::ofstream(in_path, std::ios::binary) << *stdin_text;
  std::vector<std::string> argv_strings{ONNXRUN_CLI_PATH};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_strings) argv.push_back(arg.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (stdin_text) posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, in_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  const int spawn_error = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  REQUIRE_MESSAGE(spawn_error == 0, "cannot start " << argv[0] << ": " << std::strerror(spawn_error));
  // A hung CLI fails this test instead of hanging the suite; sanitizer builds
  // of the slowest case take a few seconds, so two minutes is generous.
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
  for (;;) {
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    REQUIRE((done == 0 || errno == EINTR));
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      FAIL("the CLI did not finish within 2 minutes");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }

  CliResult result;
  result.exited = WIFEXITED(status);
  result.exit_code = result.exited ? WEXITSTATUS(status) : -1;
  result.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  result.out = read_text(out_path);
  result.err = read_text(err_path);
  return result;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

#define SHOW(result)                                                                                  \
  INFO("exit " << (result).exit_code << " signal " << (result).signal << "\nstdout:\n" << (result).out \
               << "\nstderr:\n" << (result).err)

// A run that failed cleanly: the expected exit code, nothing on stdout, and
// exactly one "onnxrun: error:" line first on stderr that contains `phrase`.
// Usage errors (exit 2) may follow that line with the usage text; other
// errors print that one line only.
void check_fails(const CliResult& r, int exit_code, const std::vector<std::string>& phrases) {
  SHOW(r);
  REQUIRE(r.exited);  // a signal (abort, segfault) is a crash
  CHECK(r.exit_code == exit_code);
  CHECK(r.out.empty());
  CHECK(!contains(r.err, "Sanitizer"));
  CHECK(!contains(r.err, "runtime error:"));
  const std::vector<std::string> lines = lines_of(r.err);
  REQUIRE(!lines.empty());
  CHECK(lines[0].rfind("onnxrun: error: ", 0) == 0);
  CHECK(std::count_if(lines.begin(), lines.end(), [](const std::string& l) { return contains(l, "error"); }) == 1);
  if (exit_code == 1) CHECK(lines.size() == 1);
  CHECK(r.err.back() == '\n');
  for (const std::string& phrase : phrases) CHECK(contains(lines[0], phrase));
}

void check_succeeds(const CliResult& r) {
  SHOW(r);
  REQUIRE(r.exited);
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
}

// Brackets and braces balance outside strings; the text is one object.
bool json_looks_balanced(const std::string& json) {
  std::string text = json;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (text.empty() || text.front() != '{' || text.back() != '}') return false;
  std::vector<char> stack;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '{' || c == '[') stack.push_back(c);
    else if (c == '}' || c == ']') {
      if (stack.empty() || stack.back() != (c == '}' ? '{' : '[')) return false;
      stack.pop_back();
      // Nothing may follow the outermost object.
      if (stack.empty() && i + 1 != text.size()) return false;
    }
  }
  return stack.empty() && !in_string;
}

// The number after "key": in a JSON text, or -1 when absent.
double json_number_after(const std::string& json, const std::string& key) {
  const std::size_t at = json.find("\"" + key + "\": ");
  if (at == std::string::npos) return -1;
  return std::strtod(json.c_str() + at + key.size() + 4, nullptr);
}

std::size_t count_of(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++count;
  return count;
}

// The number N of the table's "profile: N steps" line, or -1.
int profile_steps(const std::string& out) {
  const std::size_t at = out.find("profile: ");
  return at == std::string::npos ? -1 : std::atoi(out.c_str() + at + 9);
}

std::string cifar_input_name() { return Session(kCifar).inputs()[0].name; }
std::string cifar_output_name() { return Session(kCifar).outputs()[0].name; }

std::int64_t argmax_row(const Tensor& scores, std::int64_t row) {
  const std::int64_t classes = scores.shape()[1];
  const float* values = scores.data_as<float>() + row * classes;
  return std::max_element(values, values + classes) - values;
}

}  // namespace

TEST_CASE("cli: a plain run prints each output, its shape, dtype and top-5") {
  TempDir dir("onnxrun_cli");
  const CliResult r = run_cli(dir, {kCifar, kCifarInput});
  check_succeeds(r);
  SHOW(r);
  CHECK(contains(r.out, "output '" + cifar_output_name() + "': float32 [2,10]"));
  const Tensor expected = read_npy((kFixtures / "cifar_classifier" / "output_0.npy").string());
  for (std::int64_t row = 0; row < 2; ++row) {
    const std::string prefix = "  top-5 [" + std::to_string(row) + "]: ";
    const std::size_t at = r.out.find(prefix);
    REQUIRE(at != std::string::npos);
    // The first class listed is PyTorch's best class for that row.
    CHECK(std::stoll(r.out.substr(at + prefix.size())) == argmax_row(expected, row));
    const std::string line = r.out.substr(at, r.out.find('\n', at) - at);
    CHECK(std::count(line.begin(), line.end(), '(') == 5);
  }
  CHECK(contains(r.out, "arena "));
  CHECK(!contains(r.out, "latency over"));  // only with --warmup / --repeat
}

TEST_CASE("cli: -o writes the output as .npy") {
  TempDir dir("onnxrun_cli");
  const fs::path out = dir / "out.npy";
  check_succeeds(run_cli(dir, {kCifar, kCifarInput, "-o", out.string()}));
  REQUIRE(fs::exists(out));
  testing::check_close(read_npy(out.string()), read_npy((kFixtures / "cifar_classifier" / "output_0.npy").string()));

  // The option may come before the positional arguments as well.
  const fs::path again = dir / "again.npy";
  check_succeeds(run_cli(dir, {"--output", again.string(), kCifar, kCifarInput}));
  CHECK(read_text(again) == read_text(out));
}

TEST_CASE("cli: -o with a folder for a model with several outputs") {
  // No PyTorch fixture has two outputs, so build one: relu(x) and x + x. The
  // second name has a '/' that cannot be a file name as is.
  TempDir dir("onnxrun_cli");
  ModelBuilder builder;
  builder.input("x", FLOAT, {2, 3})
      .node("Relu", {"x"}, {"relu_out"}, "relu")
      .node("Add", {"x", "x"}, {"sum/out"}, "add")
      .output("relu_out")
      .output("sum/out");
  const fs::path model = builder.write(dir / "two_outputs.onnx");
  const std::vector<float> x{-1.5f, 0.f, 2.f, 3.25f, -0.5f, 7.f};
  write_npy((dir / "x.npy").string(), Tensor::from_values<float>({2, 3}, x));

  const fs::path folder = dir / "outs" / "nested";
  const CliResult r = run_cli(dir, {model.string(), (dir / "x.npy").string(), "-o", folder.string()});
  check_succeeds(r);
  SHOW(r);
  CHECK(contains(r.out, "output 'relu_out': float32 [2,3]"));
  CHECK(contains(r.out, "output 'sum/out': float32 [2,3]"));
  REQUIRE(fs::is_directory(folder));
  REQUIRE(fs::exists(folder / "relu_out.npy"));
  REQUIRE(fs::exists(folder / "sum_out.npy"));
  std::vector<float> relu, sum;
  for (float v : x) relu.push_back(std::max(v, 0.f)), sum.push_back(v + v);
  testing::check_close(read_npy((folder / "relu_out.npy").string()), Tensor::from_values<float>({2, 3}, relu));
  testing::check_close(read_npy((folder / "sum_out.npy").string()), Tensor::from_values<float>({2, 3}, sum));
}

TEST_CASE("cli: NAME=FILE binds by name") {
  TempDir dir("onnxrun_cli");
  const fs::path out = dir / "named.npy";
  const CliResult r = run_cli(dir, {kCifar, cifar_input_name() + "=" + kCifarInput, "-o", out.string()});
  check_succeeds(r);
  testing::check_close(read_npy(out.string()), read_npy((kFixtures / "cifar_classifier" / "output_0.npy").string()));

  check_fails(run_cli(dir, {kCifar, "no_such_input=" + kCifarInput}), 1, {"'no_such_input'", "not an input"});
  // Named first: GCC 12 warns falsely (-Wrestrict) on "literal" + a returned string.
  const std::string input_name = cifar_input_name();
  check_fails(run_cli(dir, {kCifar, kCifarInput, input_name + "=" + kCifarInput}), 1, {"'" + input_name + "'", "twice"});
}

TEST_CASE("cli: --json prints one object with timings, arena and outputs") {
  TempDir dir("onnxrun_cli");
  const CliResult r = run_cli(dir, {kCifar, kCifarInput, "--json", "--repeat", "3"});
  check_succeeds(r);
  SHOW(r);
  CHECK(json_looks_balanced(r.out));
  CHECK(testing::json_valid(r.out));
  for (const char* key : {"\"load_ms\": ", "\"first_run_ms\": ", "\"latency_ms\": {\"min\": ", "\"median\": ",
                          "\"p90\": ", "\"arena_bytes\": ", "\"outputs\": [{\"name\": ", "\"shape\": [2, 10]",
                          "\"dtype\": \"float32\"", "\"runs\": 3", "\"threads\": "})
    CHECK_MESSAGE(contains(r.out, key), "missing " << key);
  CHECK(contains(r.out, "\"name\": \"" + cifar_output_name() + "\""));
  CHECK(json_number_after(r.out, "arena_bytes") > 0);
  CHECK(json_number_after(r.out, "load_ms") >= 0);
  const double min = json_number_after(r.out, "min"), median = json_number_after(r.out, "median"),
               p90 = json_number_after(r.out, "p90");
  CHECK(min >= 0);
  CHECK(min <= median);
  CHECK(median <= p90);
  // Every timed run's latency, for pooling runs of several invocations.
  const std::size_t samples = r.out.find("\"samples\": [");
  REQUIRE(samples != std::string::npos);
  const std::string list = r.out.substr(samples, r.out.find(']', samples) - samples);
  CHECK(std::count(list.begin(), list.end(), ',') == 2);
  CHECK(std::strtod(list.c_str() + 12, nullptr) >= min);
  CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);
}

TEST_CASE("cli: --warmup and --repeat print latency statistics") {
  TempDir dir("onnxrun_cli");
  const CliResult r = run_cli(dir, {kCifar, kCifarInput, "--warmup", "2", "--repeat", "5"});
  check_succeeds(r);
  SHOW(r);
  CHECK(contains(r.out, "latency over 5 runs (after 2 warmup): min "));
  CHECK(contains(r.out, " ms, median "));
  CHECK(contains(r.out, " ms, p90 "));
  CHECK(contains(r.out, "first run "));
}

// The JSON array of one --serve answer line as numbers ("[1.5, 2.25]").
std::vector<double> serve_answer(const std::string& line) {
  std::vector<double> values;
  if (line.size() < 2 || line.front() != '[' || line.back() != ']') return values;
  const char* at = line.c_str() + 1;
  while (*at && *at != ']') {
    char* end = nullptr;
    values.push_back(std::strtod(at, &end));
    if (end == at) return {};
    at = end;
    while (*at == ',' || *at == ' ') ++at;
  }
  return values;
}

TEST_CASE("cli: --serve answers each stdin line with that many latencies, after writing -o") {
  TempDir dir("onnxrun_cli");
  const fs::path out = dir / "served.npy";
  const std::string requests = "2\n 3 \n1";  // the last line without its newline counts too
  const CliResult r =
      run_cli(dir, {kCifar, kCifarInput, "--threads", "1", "--warmup", "1", "--serve", "-o", out.string()}, &requests);
  check_succeeds(r);
  const std::vector<std::string> lines = lines_of(r.out);
  REQUIRE(lines.size() == 3);
  const std::size_t counts[] = {2, 3, 1};
  for (std::size_t i = 0; i < 3; ++i) {
    INFO("answer " << i << ": " << lines[i]);
    const std::vector<double> latencies = serve_answer(lines[i]);
    CHECK(latencies.size() == counts[i]);
    for (double ms : latencies) CHECK(ms > 0.0);
  }
  REQUIRE(fs::exists(out));
  testing::check_close(read_npy(out.string()), read_npy((kFixtures / "cifar_classifier" / "output_0.npy").string()));

  // No requests: nothing to answer, a clean exit.
  const std::string none;
  const CliResult idle = run_cli(dir, {kCifar, kCifarInput, "--serve"}, &none);
  check_succeeds(idle);
  CHECK(idle.out.empty());
}

TEST_CASE("cli: --serve refuses a bad request line and options that print on stdout") {
  TempDir dir("onnxrun_cli");
  for (const std::string bad : {"abc", "0", "-2", "100001", "2x", ""}) {
    INFO("bad line '" << bad << "'");
    const std::string requests = "1\n" + bad + "\n3\n";
    const CliResult r = run_cli(dir, {kCifar, kCifarInput, "--serve"}, &requests);
    SHOW(r);
    REQUIRE(r.exited);
    CHECK(r.exit_code == 1);
    CHECK(lines_of(r.out).size() == 1);  // the first request's answer, then nothing
    CHECK(r.err == "onnxrun: error: --serve: stdin line 2: expected a run count from 1 to 100000, got '" + bad +
                       "'\n");
  }
  // A line with no end in sight: refused once it passes 64 characters.
  const std::string endless = "1\n" + std::string(1 << 20, '9') + "\n";
  const CliResult long_line = run_cli(dir, {kCifar, kCifarInput, "--serve"}, &endless);
  REQUIRE(long_line.exited);
  CHECK(long_line.exit_code == 1);
  CHECK(lines_of(long_line.out).size() == 1);
  CHECK(long_line.err == "onnxrun: error: --serve: stdin line 2: longer than 64 characters\n");

  const std::string requests = "1\n";
  for (const std::vector<std::string>& extra :
       {std::vector<std::string>{"--repeat", "2"}, {"--profile", (dir / "p.json").string()}, {"--json"}}) {
    std::vector<std::string> args{kCifar, kCifarInput, "--serve"};
    args.insert(args.end(), extra.begin(), extra.end());
    check_fails(run_cli(dir, args, &requests), 2, {"--serve", "does not take"});
  }
}

TEST_CASE("cli: --threads 1") {
  TempDir dir("onnxrun_cli");
  const fs::path out = dir / "one_thread.npy";
  const CliResult r = run_cli(dir, {kCifar, kCifarInput, "--threads", "1", "-o", out.string()});
  check_succeeds(r);
  SHOW(r);
  CHECK(contains(r.out, "threads 1,"));
  testing::check_close(read_npy(out.string()), read_npy((kFixtures / "cifar_classifier" / "output_0.npy").string()));
}

TEST_CASE("cli: --no-optimize runs the graph as loaded, --nchw without blocked regions, with the same result") {
  TempDir dir("onnxrun_cli");
  const fs::path plain = dir / "plain.npy", optimized = dir / "optimized.npy", nchw = dir / "nchw.npy";
  check_succeeds(run_cli(dir, {kCifar, kCifarInput, "--no-optimize", "-o", plain.string()}));
  check_succeeds(run_cli(dir, {kCifar, kCifarInput, "-o", optimized.string()}));
  check_succeeds(run_cli(dir, {kCifar, kCifarInput, "--nchw", "-o", nchw.string()}));
  const Tensor expected = read_npy((kFixtures / "cifar_classifier" / "output_0.npy").string());
  testing::check_close(read_npy(plain.string()), expected);
  testing::check_close(read_npy(optimized.string()), expected);
  testing::check_close(read_npy(nchw.string()), expected);
  const std::string help = run_cli(dir, {"--help"}).out;
  CHECK(contains(help, "--no-optimize"));
  CHECK(contains(help, "--nchw"));
}

TEST_CASE("cli: --profile writes a Chrome trace and prints the per-layer table") {
  TempDir dir("onnxrun_cli");
  const fs::path trace = dir / "trace.json";
  const CliResult r = run_cli(dir, {kCifar, kCifarInput, "--profile", trace.string(), "--repeat", "3"});
  check_succeeds(r);
  SHOW(r);
  // The usual report comes first, then the table: header, one line per step, total.
  CHECK(contains(r.out, "latency over 3 runs"));
  const int steps = profile_steps(r.out);
  REQUIRE(steps > 0);
  CHECK(contains(r.out, "median of 3 runs"));
  for (const char* column : {"node", "op", "shapes", "algorithm", "ms", "GFLOP/s"}) CHECK(contains(r.out, column));
  CHECK(contains(r.out, "/conv1/Conv"));
  // Its MaxPool is folded in (fuse_max_pool_into_conv): the pooled output,
  // blocked for the NCHW8c region that follows (pass_nchwc_layout.cpp), and
  // the convolution's FLOPs.
  CHECK(contains(r.out, "[2,3,32,32] [16,3,3,3] [16] -> [2,2,16,16,8]"));
  CHECK(contains(r.out, "+maxpool"));
  CHECK(contains(r.out, "   total  "));
  CHECK(contains(r.out, "by op type:"));
  const std::vector<std::string> lines = lines_of(r.out);
  const auto header = std::find_if(lines.begin(), lines.end(), [](const std::string& l) { return l.rfind("#  node", 0) == 0; });
  REQUIRE(header != lines.end());
  // Rows numbered 0..steps-1, then a rule and the total.
  for (int s = 0; s < steps; ++s) {
    REQUIRE(header + 1 + s < lines.end());
    CHECK(std::atoi(header[1 + s].c_str()) == s);
  }
  REQUIRE(header + 2 + steps < lines.end());
  CHECK(header[1 + steps].find_first_not_of('-') == std::string::npos);
  CHECK(contains(header[2 + steps], "total"));

  // The trace: valid JSON, one complete event per executed step per run.
  REQUIRE(fs::exists(trace));
  const std::string json = read_text(trace);
  INFO(json.substr(0, 2000));
  CHECK(testing::json_valid(json));
  CHECK(json.rfind("{\"traceEvents\": [", 0) == 0);
  CHECK(count_of(json, "\"ph\": \"X\"") == static_cast<std::size_t>(3 * steps));
  CHECK(count_of(json, "\"name\": \"/conv1/Conv\"") == 3);
  for (const char* key : {"\"cat\": ", "\"ts\": ", "\"dur\": ", "\"args\": {\"op\": ", "\"input_shapes\": [[2, 3, 32, 32], [16, 3, 3, 3], [16]]",
                          "\"output_shapes\": [[2, 2, 16, 16, 8]]", "\"algorithm\": ", "\"gflops_per_s\": ", "\"displayTimeUnit\""})
    CHECK_MESSAGE(contains(json, key), "missing " << std::string(key));
  // Conv 1 of the classifier: 2 x [2,16,32,32] outputs x 3 x 3 x 3 inputs each.
  CHECK(contains(json, "\"flops\": " + std::to_string(2 * 2 * 16 * 32 * 32 * 27)));
}

TEST_CASE("cli: --profile without --repeat profiles the one run; with --json stdout stays one object") {
  TempDir dir("onnxrun_cli");
  const fs::path trace = dir / "one.json";
  const CliResult r = run_cli(dir, {kCifar, kCifarInput, "--profile", trace.string(), "--threads", "1"});
  check_succeeds(r);
  SHOW(r);
  const int steps = profile_steps(r.out);
  REQUIRE(steps > 0);
  CHECK(contains(r.out, "median of 1 run\n"));
  const std::string json = read_text(trace);
  CHECK(testing::json_valid(json));
  CHECK(count_of(json, "\"ph\": \"X\"") == static_cast<std::size_t>(steps));

  const fs::path trace2 = dir / "two.json";
  const CliResult j = run_cli(dir, {kCifar, kCifarInput, "--profile", trace2.string(), "--json", "--repeat", "2"});
  check_succeeds(j);
  CHECK(testing::json_valid(j.out));
  CHECK(!contains(j.out, "profile:"));
  const std::string json2 = read_text(trace2);
  CHECK(testing::json_valid(json2));
  CHECK(count_of(json2, "\"ph\": \"X\"") == static_cast<std::size_t>(2 * steps));

  // The checker itself rejects what is not JSON.
  CHECK(!testing::json_valid(json2.substr(0, json2.size() / 2)));
  CHECK(!testing::json_valid("{\"a\": 1,}"));
  CHECK(!testing::json_valid("[1, 2] 3"));
  CHECK(testing::json_valid("{\"a\": [1, -2.5e3, \"x\\\"y\", true, null]}"));
}

TEST_CASE("cli: --help prints the usage and succeeds") {
  TempDir dir("onnxrun_cli");
  const CliResult r = run_cli(dir, {"--help"});
  check_succeeds(r);
  CHECK(r.out.rfind("usage: onnxrun", 0) == 0);
}

TEST_CASE("cli: bad inputs fail with one clear error line") {
  TempDir dir("onnxrun_cli");
  const std::string input_name = cifar_input_name();

  SUBCASE("missing model file") {
    const std::string missing = (dir / "no_such_model.onnx").string();
    check_fails(run_cli(dir, {missing, kCifarInput}), 1, {missing, "no such file"});
  }
  SUBCASE("a folder as the model") {
    check_fails(run_cli(dir, {dir.path().string(), kCifarInput}), 1, {"directory"});
  }
  SUBCASE("corrupt model: random bytes") {
    std::mt19937 random(7);
    std::string bytes(4096, '\0');
    for (char& c : bytes) c = static_cast<char>(random() & 0xff);
    const fs::path model = dir / "random.onnx";
    testing::write_file(model, bytes);
    check_fails(run_cli(dir, {model.string(), kCifarInput}), 1, {model.string()});
  }
  SUBCASE("corrupt model: empty file") {
    const fs::path model = dir / "empty.onnx";
    testing::write_file(model, "");
    check_fails(run_cli(dir, {model.string(), kCifarInput}), 1, {model.string(), "not an ONNX model"});
  }
  SUBCASE("corrupt model: truncated") {
    const std::string bytes = read_text(kCifar);
    const fs::path model = dir / "truncated.onnx";
    testing::write_file(model, bytes.substr(0, bytes.size() / 2));
    check_fails(run_cli(dir, {model.string(), kCifarInput}), 1, {model.string()});
  }
  SUBCASE("truncated .npy") {
    const std::string bytes = read_text(kCifarInput);
    const fs::path npy = dir / "truncated.npy";
    testing::write_file(npy, bytes.substr(0, bytes.size() / 2));
    check_fails(run_cli(dir, {kCifar, npy.string()}), 1, {npy.string(), "truncated"});
  }
  SUBCASE(".npy of the wrong shape") {
    const fs::path npy = dir / "small.npy";
    write_npy(npy.string(), Tensor::allocate(DType::Float32, {2, 3, 16, 16}));
    check_fails(run_cli(dir, {kCifar, npy.string()}), 1, {"'" + input_name + "'", "[2,3,16,16]"});
  }
  SUBCASE(".npy of the wrong rank") {
    const fs::path npy = dir / "flat.npy";
    write_npy(npy.string(), Tensor::allocate(DType::Float32, {6144}));
    check_fails(run_cli(dir, {kCifar, npy.string()}), 1, {"'" + input_name + "'", "[6144]"});
  }
  SUBCASE("float64 .npy for a float32 input") {
    const Tensor input = read_npy(kCifarInput);
    Tensor doubles = Tensor::allocate(DType::Float64, input.shape());
    for (std::int64_t i = 0; i < input.element_count(); ++i)
      doubles.mutable_data_as<double>()[i] = input.data_as<float>()[i];
    const fs::path npy = dir / "doubles.npy";
    write_npy(npy.string(), doubles);
    check_fails(run_cli(dir, {kCifar, npy.string()}), 1, {"'" + input_name + "'", "float64", "float32"});
  }
  SUBCASE("a model with an unsupported op") {
    ModelBuilder builder;
    builder.input("x", FLOAT, {1, 4}).node("NotARealOp", {"x"}, {"y"}, "mystery").output("y");
    const fs::path model = builder.write(dir / "unsupported.onnx");
    const fs::path npy = dir / "x.npy";
    write_npy(npy.string(), Tensor::allocate(DType::Float32, {1, 4}));
    check_fails(run_cli(dir, {model.string(), npy.string()}), 1, {"unsupported", "NotARealOp", "'mystery'"});
  }
  SUBCASE("missing input file") {
    const std::string missing = (dir / "no_such_input.npy").string();
    check_fails(run_cli(dir, {kCifar, missing}), 1, {missing});
  }
  SUBCASE("not a .npy file") {
    const fs::path npy = dir / "text.npy";
    testing::write_file(npy, "hello, world\n");
    check_fails(run_cli(dir, {kCifar, npy.string()}), 1, {npy.string(), "not a .npy file"});
  }
  SUBCASE("no inputs given") {
    check_fails(run_cli(dir, {kCifar}), 1, {"missing input", "'" + input_name + "'"});
  }
  SUBCASE("too many inputs") {
    check_fails(run_cli(dir, {kCifar, kCifarInput, kCifarInput}), 1, {"too many inputs"});
  }
  SUBCASE("an unwritable -o path") {
    const std::string out = (dir / "no_such_folder" / "out.npy").string();
    check_fails(run_cli(dir, {kCifar, kCifarInput, "-o", out}), 1, {out});
  }
  SUBCASE("unknown flag") {
    check_fails(run_cli(dir, {kCifar, kCifarInput, "--bogus"}), 2, {"'--bogus'"});
  }
  SUBCASE("an unwritable --profile path") {
    const std::string out = (dir / "no_such_folder" / "trace.json").string();
    check_fails(run_cli(dir, {kCifar, kCifarInput, "--profile", out}), 1, {out});
  }
  SUBCASE("--profile without a file") {
    check_fails(run_cli(dir, {kCifar, kCifarInput, "--profile"}), 2, {"--profile", "needs a value"});
  }
  SUBCASE("--threads abc") {
    check_fails(run_cli(dir, {kCifar, kCifarInput, "--threads", "abc"}), 2, {"--threads", "'abc'"});
  }
  SUBCASE("--threads -1") {
    check_fails(run_cli(dir, {kCifar, kCifarInput, "--threads", "-1"}), 2, {"--threads", "'-1'"});
  }
  SUBCASE("--repeat 0") {
    check_fails(run_cli(dir, {kCifar, kCifarInput, "--repeat", "0"}), 2, {"--repeat"});
  }
  SUBCASE("an option without its value") {
    check_fails(run_cli(dir, {kCifar, kCifarInput, "-o"}), 2, {"-o", "needs a value"});
  }
  SUBCASE("no arguments at all") {
    check_fails(run_cli(dir, {}), 2, {"no model"});
  }
}
