// Runs the ONNX backend node tests (onnx/backend/test/data/node/test_*/ with
// model.onnx and test_data_set_*/{input,output}_*.pb) through onnxrun and
// compares with the stored outputs at the ONNX test runner's tolerances
// (rtol 1e-3, atol 1e-7, NaN equal to NaN). Reports passed / failed /
// unsupported / excluded per op type.
//
//   onnxrun_conformance NODE_DIR [--exclusions FILE] [--filter TEXT] [--verbose]
//
// A test is "unsupported" when some node's op type and opset are not in
// onnxrun's registry. A test whose ops are all supported must pass, unless it
// is listed in the exclusions file with a reason; exit code 1 otherwise.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "frontends/onnx/tensor_file.hpp"
#include "onnx/onnx_pb.h"
#include "onnxrun/onnxrun.hpp"
#include "runtime/exec/op_registry.hpp"

namespace fs = std::filesystem;
using namespace onnxrun;

namespace {

constexpr double kRelativeTolerance = 1e-3;
constexpr double kAbsoluteTolerance = 1e-7;

enum class Outcome { Passed, Failed, Unsupported, Excluded };

struct ModelOps {
  std::set<std::string> op_types;
  std::string unsupported;  // first unsupported "Op@opset", empty when all are supported
};

ModelOps inspect_model(const fs::path& path) {
  ModelOps ops;
  std::ifstream stream(path, std::ios::binary);
  onnx::ModelProto model;
  if (!model.ParseFromIstream(&stream)) throw Error(path.string() + ": cannot parse");
  std::map<std::string, std::int64_t> opsets;
  for (const auto& import : model.opset_import())
    opsets[import.domain() == "ai.onnx" ? "" : import.domain()] = import.version();
  for (const auto& node : model.graph().node()) {
    const std::string domain = node.domain() == "ai.onnx" ? "" : node.domain();
    ops.op_types.insert(node.op_type());
    const std::int64_t opset = opsets.count(domain) ? opsets[domain] : 0;
    // Constant nodes are folded by the frontend rather than registered as ops.
    const bool supported = (domain.empty() && node.op_type() == "Constant") ||
                           builtin_op_registry().find(domain, node.op_type(), opset) != nullptr;
    if (!supported && ops.unsupported.empty()) ops.unsupported = node.op_type() + "@" + std::to_string(opset);
  }
  return ops;
}

double as_double(const Tensor& t, std::int64_t i) {
  switch (t.dtype()) {
    case DType::Float32: return t.data_as<float>()[i];
    case DType::Float64: return t.data_as<double>()[i];
    case DType::Int32: return t.data_as<std::int32_t>()[i];
    case DType::Int64: return static_cast<double>(t.data_as<std::int64_t>()[i]);
    case DType::UInt8: return t.data_as<std::uint8_t>()[i];
    case DType::Bool: return t.data_as<bool>()[i];
  }
  return 0;
}

// Empty when equal within tolerance, else what differs.
std::string compare(const Tensor& actual, const Tensor& expected) {
  if (actual.dtype() != expected.dtype())
    return std::string("dtype ") + dtype_name(actual.dtype()) + ", expected " + dtype_name(expected.dtype());
  if (actual.shape() != expected.shape())
    return "shape " + shape_to_string(actual.shape()) + ", expected " + shape_to_string(expected.shape());
  for (std::int64_t i = 0; i < expected.element_count(); ++i) {
    const double a = as_double(actual, i), e = as_double(expected, i);
    if (std::isnan(a) && std::isnan(e)) continue;
    if (std::isinf(e) && a == e) continue;
    if (!(std::abs(a - e) <= kAbsoluteTolerance + kRelativeTolerance * std::abs(e))) {
      std::ostringstream text;
      text << "element " << i << " is " << a << ", expected " << e;
      return text.str();
    }
  }
  return "";
}

// Empty when every data set matches, else the first problem.
std::string run_test(const fs::path& dir) {
  // Node tests check single ops: run them exactly as written, unfused.
  SessionOptions options;
  options.optimize = false;
  Session session((dir / "model.onnx").string(), options);
  std::vector<fs::path> data_sets;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_directory() && entry.path().filename().string().rfind("test_data_set_", 0) == 0)
      data_sets.push_back(entry.path());
  std::sort(data_sets.begin(), data_sets.end());
  if (data_sets.empty()) return "no test_data_set_* folder";
  for (const fs::path& data : data_sets) {
    std::vector<NamedTensor> inputs;
    for (std::size_t i = 0; fs::exists(data / ("input_" + std::to_string(i) + ".pb")); ++i) {
      if (i >= session.inputs().size()) return "more input files than model inputs";
      inputs.push_back({session.inputs()[i].name,
                        read_onnx_tensor_file((data / ("input_" + std::to_string(i) + ".pb")).string()).tensor});
    }
    const std::vector<NamedTensor> outputs = session.run(inputs);
    for (std::size_t i = 0; i < outputs.size(); ++i) {
      const fs::path expected_path = data / ("output_" + std::to_string(i) + ".pb");
      if (!fs::exists(expected_path)) return "no " + expected_path.filename().string();
      const std::string problem = compare(outputs[i].tensor, read_onnx_tensor_file(expected_path.string()).tensor);
      if (!problem.empty()) return data.filename().string() + " output " + std::to_string(i) + ": " + problem;
    }
  }
  return "";
}

std::map<std::string, std::string> read_exclusions(const std::string& path) {
  std::map<std::string, std::string> exclusions;
  if (path.empty()) return exclusions;
  std::ifstream file(path);
  if (!file) throw Error(path + ": cannot open the exclusions file");
  for (std::string line; std::getline(file, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string name, reason;
    fields >> name;
    std::getline(fields, reason);
    exclusions[name] = reason.empty() ? "(no reason given)" : reason.substr(reason.find_first_not_of(' '));
  }
  return exclusions;
}

struct Counts {
  int passed = 0, failed = 0, unsupported = 0, excluded = 0;
};

}  // namespace

int main(int argc, char** argv) try {
  std::string node_dir, exclusions_path, filter;
  bool verbose = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--exclusions" && i + 1 < argc) exclusions_path = argv[++i];
    else if (arg == "--filter" && i + 1 < argc) filter = argv[++i];
    else if (arg == "--verbose") verbose = true;
    else if (node_dir.empty() && arg[0] != '-') node_dir = arg;
    else {
      std::fprintf(stderr, "usage: onnxrun_conformance NODE_DIR [--exclusions FILE] [--filter TEXT] [--verbose]\n");
      return 2;
    }
  }
  if (node_dir.empty() || !fs::is_directory(node_dir)) {
    std::fprintf(stderr, "onnxrun_conformance: '%s' is not a folder of ONNX node tests\n", node_dir.c_str());
    return 2;
  }
  const std::map<std::string, std::string> exclusions = read_exclusions(exclusions_path);

  std::vector<fs::path> tests;
  for (const auto& entry : fs::directory_iterator(node_dir))
    if (entry.is_directory() && entry.path().filename().string().find(filter) != std::string::npos)
      tests.push_back(entry.path());
  std::sort(tests.begin(), tests.end());

  std::map<std::string, Counts> per_op;
  Counts total;
  std::vector<std::string> failures, excluded_lines;
  std::set<std::string> seen_exclusions;
  for (const fs::path& dir : tests) {
    const std::string name = dir.filename().string();
    ModelOps ops;
    std::string problem;
    Outcome outcome;
    try {
      ops = inspect_model(dir / "model.onnx");
      if (!ops.unsupported.empty()) {
        outcome = Outcome::Unsupported;
      } else {
        problem = run_test(dir);
        outcome = problem.empty() ? Outcome::Passed : Outcome::Failed;
      }
    } catch (const std::exception& error) {
      problem = error.what();
      outcome = Outcome::Failed;
    }
    if (outcome == Outcome::Failed && exclusions.count(name)) {
      outcome = Outcome::Excluded;
      excluded_lines.push_back(name + ": " + exclusions.at(name));
    }
    if (exclusions.count(name)) seen_exclusions.insert(name);
    if (outcome == Outcome::Passed && exclusions.count(name))
      failures.push_back(name + ": passes but is listed in the exclusions; remove it from the list");

    // Tests of one op are counted under it; function-expanded tests, which
    // hold several ops, under "(multi-op)".
    std::set<std::string> ops_of_test = ops.op_types;
    ops_of_test.erase("Constant");
    const std::string key = ops_of_test.size() == 1 ? *ops_of_test.begin()
                            : ops_of_test.empty() ? "Constant" : "(multi-op)";
    Counts& counts = per_op[key];
    switch (outcome) {
      case Outcome::Passed: ++counts.passed, ++total.passed; break;
      case Outcome::Failed:
        ++counts.failed, ++total.failed;
        failures.push_back(name + ": " + problem);
        break;
      case Outcome::Unsupported: ++counts.unsupported, ++total.unsupported; break;
      case Outcome::Excluded: ++counts.excluded, ++total.excluded; break;
    }
    if (verbose)
      std::printf("%-70s %s%s\n", name.c_str(),
                  outcome == Outcome::Passed ? "passed" : outcome == Outcome::Failed ? "FAILED"
                  : outcome == Outcome::Unsupported ? "unsupported" : "excluded",
                  outcome == Outcome::Unsupported ? (" (" + ops.unsupported + ")").c_str() : "");
  }

  std::printf("%-28s %7s %7s %9s %9s\n", "op", "passed", "failed", "excluded", "unsupp.");
  for (const auto& [op, counts] : per_op)
    if (counts.passed + counts.failed + counts.excluded > 0)
      std::printf("%-28s %7d %7d %9d %9d\n", op.c_str(), counts.passed, counts.failed, counts.excluded,
                  counts.unsupported);
  std::printf("%-28s %7d %7d %9d %9d   (%zu tests; ops with only unsupported tests not listed)\n", "TOTAL",
              total.passed, total.failed, total.excluded, total.unsupported, tests.size());
  for (const std::string& line : excluded_lines) std::printf("excluded %s\n", line.c_str());
  for (const std::string& line : failures) std::printf("FAILED %s\n", line.c_str());
  return failures.empty() ? 0 : 1;
} catch (const std::exception& error) {
  std::fprintf(stderr, "onnxrun_conformance: %s\n", error.what());
  return 1;
}
