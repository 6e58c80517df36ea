#pragma once
// Load a model once, run it many times. A Session is safe to run from several
// threads at once.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "onnxrun/profile.hpp"
#include "onnxrun/tensor.hpp"

namespace onnxrun {

struct SessionOptions {
  // Threads for one run, the calling thread included. 0: one per hardware core.
  // 1: everything runs on the calling thread.
  int threads = 0;
  // Folder that external tensor data is resolved against when a model is loaded
  // from bytes. Empty: external data is refused for models loaded from bytes.
  std::string external_data_dir;
  // Rewrites the graph before planning: drops Identity, inference Dropout and
  // unused nodes, folds BatchNormalization into Conv weights, fuses Conv with a
  // residual Add and an activation, and Gemm with an activation. false runs the
  // graph exactly as loaded: for debugging and conformance tests.
  bool optimize = true;
  // With optimize: runs regions of depthwise and pointwise convolutions
  // (MobileNet, EfficientNet) in the channel-blocked NCHW8c layout, with
  // reorders at the regions' edges. false keeps every tensor NCHW (to compare).
  bool blocked_layout = true;
};

// A graph input or output as declared by the model. Dims that the model leaves
// symbolic (e.g. a dynamic batch) are -1, with their name in dim_names.
struct ValueInfo {
  std::string name;
  DType dtype = DType::Float32;
  Shape shape;
  std::vector<std::string> dim_names;
};

struct NamedTensor {
  std::string name;
  Tensor tensor;
};

class Session {
 public:
  explicit Session(const std::string& model_path, const SessionOptions& options = {});
  static Session from_bytes(const void* data, std::size_t size, const SessionOptions& options = {});
  ~Session();
  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;

  const std::vector<ValueInfo>& inputs() const;
  const std::vector<ValueInfo>& outputs() const;
  int threads() const;

  // Inputs are matched by name; input tensors may view caller memory (no copy).
  // Returns the outputs in the model's output order.
  std::vector<NamedTensor> run(const std::vector<NamedTensor>& inputs) const;
  // The same, also timing every op of the run into `profile` (replacing what
  // it held). Runs without a profile have no timing calls.
  std::vector<NamedTensor> run(const std::vector<NamedTensor>& inputs, RunProfile& profile) const;

  // Bytes of the intermediate-tensor arena planned for the most recent input
  // shapes (0 before the first plan exists).
  std::size_t arena_bytes() const;

  struct Impl;

 private:
  explicit Session(std::unique_ptr<Impl> impl);
  std::vector<NamedTensor> run_impl(const std::vector<NamedTensor>& inputs, RunProfile* profile) const;
  std::unique_ptr<Impl> impl_;
};

}  // namespace onnxrun
