// Every model in $ONNXRUN_FIXTURES (written by export_models.py) runs through
// onnxrun and matches the output PyTorch computed for the same input.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include "onnxrun/onnxrun.hpp"
#include "tests/support/compare.hpp"

namespace fs = std::filesystem;
using namespace onnxrun;

namespace {

fs::path fixtures_dir() {
  const char* dir = std::getenv("ONNXRUN_FIXTURES");
  REQUIRE_MESSAGE(dir != nullptr, "set ONNXRUN_FIXTURES to a folder written by tests/models/export_models.py");
  return dir;
}

std::vector<std::string> manifest(const fs::path& dir) {
  std::ifstream file(dir / "manifest.txt");
  REQUIRE_MESSAGE(file.good(), "no manifest.txt in " << dir);
  std::vector<std::string> names;
  for (std::string line; std::getline(file, line);)
    if (!line.empty()) names.push_back(line);
  return names;
}

// Input/output pairs of a fixture: "" for input_0.npy, "_batch7" for
// input_0_batch7.npy, and so on. The default pair comes first and, when there
// are others (dynamic batch), again last, so that a re-plan back is covered.
std::vector<std::string> case_suffixes(const fs::path& dir) {
  std::vector<std::string> others;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("input_0_", 0) == 0 && name.size() > 12 && name.substr(name.size() - 4) == ".npy")
      others.push_back(name.substr(7, name.size() - 7 - 4));
  }
  std::sort(others.begin(), others.end(), std::greater<>());
  std::vector<std::string> suffixes{""};
  suffixes.insert(suffixes.end(), others.begin(), others.end());
  if (!others.empty()) suffixes.push_back("");
  return suffixes;
}

// Returns the largest error relative to the tolerance over every output and case.
double check_model(const fs::path& dir, int threads, bool optimize) {
  SessionOptions options;
  options.threads = threads;
  options.optimize = optimize;
  Session session((dir / "model.onnx").string(), options);
  double worst = 0;
  for (const std::string& suffix : case_suffixes(dir)) {
    std::vector<NamedTensor> inputs;
    for (std::size_t i = 0; i < session.inputs().size(); ++i)
      inputs.push_back({session.inputs()[i].name,
                        read_npy((dir / ("input_" + std::to_string(i) + suffix + ".npy")).string())});
    const std::vector<NamedTensor> outputs = session.run(inputs);
    for (std::size_t i = 0; i < outputs.size(); ++i) {
      const Tensor expected = read_npy((dir / ("output_" + std::to_string(i) + suffix + ".npy")).string());
      INFO("model " << dir.filename().string() << " case '" << suffix << "' output " << i << " threads " << threads
                     << " optimize " << optimize);
      testing::check_close(outputs[i].tensor, expected);
      const testing::Difference d = testing::difference(outputs[i].tensor, expected);
      worst = std::max(worst, d.max_abs_error);
    }
  }
  return worst;
}

}  // namespace

TEST_CASE("models exported from PyTorch match PyTorch's outputs") {
  const fs::path dir = fixtures_dir();
  const std::vector<std::string> names = manifest(dir);
  REQUIRE(!names.empty());
  for (const std::string& name : names) {
    SUBCASE(name.c_str()) {
      // Optimized (BatchNormalization folded, ops fused) and exactly as
      // exported: both must match PyTorch.
      double max_error[2] = {0, 0};
      for (bool optimize : {true, false}) {
        max_error[optimize] = std::max(check_model(dir / name, 2, optimize), check_model(dir / name, 1, optimize));
      }
      MESSAGE(name << ": max abs error vs PyTorch, optimized " << max_error[1] << ", unoptimized " << max_error[0]);
    }
  }
}
