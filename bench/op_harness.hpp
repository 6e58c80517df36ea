#pragma once
// One op built from the builtin registry and prepared once, so that a
// benchmark times run() alone: the sequence Plan follows (infer, prepare,
// run), with the outputs and workspace allocated up front.
#include <memory>
#include <string>
#include <vector>

#include "onnxrun/tensor.hpp"
#include "runtime/core/aligned_buffer.hpp"
#include "runtime/exec/op.hpp"
#include "runtime/exec/thread_pool.hpp"
#include "runtime/graph/graph.hpp"

namespace onnxrun::bench {

class OpHarness {
 public:
  // domain: "" for ONNX's ops, "com.onnxrun" for the layout pass's.
  OpHarness(const std::string& op_type, std::int64_t opset, const std::string& domain = "");

  OpHarness& attr_int(const std::string& name, std::int64_t value);
  OpHarness& attr_ints(const std::string& name, const std::vector<std::int64_t>& values);
  // Inputs in order: computed at run time, or known at load (weights).
  OpHarness& input(Tensor tensor) { return add_input(std::move(tensor), false); }
  OpHarness& constant(Tensor tensor) { return add_input(std::move(tensor), true); }

  // infer + prepare on a pool of `threads`, outputs and workspace allocated.
  void prepare(int threads);
  void run() const;
  const Op& op() const { return *op_; }
  // Bytes the op reads (inputs) and writes (outputs) per run.
  std::size_t bytes_moved() const;

 private:
  OpHarness& add_input(Tensor tensor, bool is_constant);

  Node node_;
  std::vector<Tensor> inputs_;
  std::vector<bool> constant_;
  std::vector<Tensor> outputs_;
  std::unique_ptr<Op> op_;
  std::unique_ptr<ThreadPool> pool_;
  AlignedBuffer workspace_;
  std::vector<const void*> in_ptrs_;
  std::vector<void*> out_ptrs_;
};

// A float tensor of the shape, uniform in [-1, 1) from a fixed seed.
Tensor random_tensor(const Shape& shape, unsigned seed);

}  // namespace onnxrun::bench
