#pragma once
// The contract between the executor and every op. One Op instance per node per
// plan: infer() learns the shapes, prepare() decides everything that can be
// decided once, run() only computes.
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "onnxrun/tensor.hpp"
#include "runtime/graph/graph.hpp"

namespace onnxrun {

class ThreadPool;

// What is known about a value at load time.
struct ValueDesc {
  DType dtype = DType::Float32;
  Shape shape;
  const Tensor* constant = nullptr;  // set when the value is known at load
  bool present = false;              // false for an omitted optional input
  // A graph input whose value, once known, makes this value known: the input
  // itself, or one feeding a small chain of otherwise-constant computation.
  int graph_input = -1;
};

// Thrown by InferContext::constant_input when an op needs the value of a graph
// input to know its output shapes (a Reshape whose target shape is fed at run
// time). The session then plans with that input's values as constants, keyed
// by them, instead of failing. Never escapes the runtime.
struct NeedsInputValue {
  int graph_input;
};

class InferContext {
 public:
  InferContext(const Node& node, std::vector<ValueDesc> inputs, std::size_t output_count);

  const Node& node() const { return node_; }
  std::size_t input_count() const { return inputs_.size(); }
  bool has_input(std::size_t index) const { return index < inputs_.size() && inputs_[index].present; }
  // Throws (naming the node and index) when the input is absent.
  const ValueDesc& input(std::size_t index) const;
  std::size_t output_count() const { return outputs_.size(); }
  bool has_output(std::size_t index) const;
  void set_output(std::size_t index, DType dtype, Shape shape);
  // For outputs known from shapes alone (Shape, Size): the planner treats the
  // value as a constant, so the subgraph computing a Reshape target from it is
  // folded at load and never runs. run() is not called for such a node when
  // every output it has is set this way.
  void set_output_constant(std::size_t index, Tensor value);
  const std::vector<ValueDesc>& outputs() const { return outputs_; }

  // The value of an input the op must know at load (a target shape, axes,
  // pads). Throws NeedsInputValue when the input is a graph input (the session
  // re-plans with its values), Error when it is computed at run time.
  const Tensor& constant_input(std::size_t index, const std::string& what) const;

  // Attribute getters that name this node in errors.
  std::int64_t attr_int(const std::string& name, std::int64_t fallback) const;
  float attr_float(const std::string& name, float fallback) const;
  std::string attr_string(const std::string& name, const std::string& fallback) const;
  std::vector<std::int64_t> attr_ints(const std::string& name, const std::vector<std::int64_t>& fallback) const;

  // Checks shared by many ops; each throws an Error naming node and input.
  void require_dtype(std::size_t index, DType dtype) const;
  void require_rank(std::size_t index, std::size_t rank) const;
  void require_min_rank(std::size_t index, std::size_t rank) const;
  void require_input_count(std::size_t min, std::size_t max) const;

  [[noreturn]] void fail(const std::string& message) const;

 private:
  const Node& node_;
  std::vector<ValueDesc> inputs_;
  std::vector<ValueDesc> outputs_;
  std::vector<std::optional<Tensor>> constant_outputs_;

 public:
  // The planner takes the values given to set_output_constant.
  std::optional<Tensor>& constant_output(std::size_t index) { return constant_outputs_.at(index); }
};

class PrepareContext {
 public:
  PrepareContext(const std::vector<ValueDesc>& inputs, const std::vector<ValueDesc>& outputs, int threads)
      : inputs_(inputs), outputs_(outputs), threads_(threads) {}
  const ValueDesc& input(std::size_t index) const { return inputs_.at(index); }
  const ValueDesc& output(std::size_t index) const { return outputs_.at(index); }
  int threads() const { return threads_; }
  // Scratch memory run() needs; planned in the arena beside intermediates.
  void request_workspace(std::size_t bytes) { workspace_bytes_ = bytes; }
  std::size_t workspace_bytes() const { return workspace_bytes_; }

 private:
  const std::vector<ValueDesc>& inputs_;
  const std::vector<ValueDesc>& outputs_;
  int threads_;
  std::size_t workspace_bytes_ = 0;
};

struct RunContext {
  std::span<const void* const> inputs;  // nullptr for an omitted optional input
  std::span<void* const> outputs;       // nullptr for an omitted optional output
  void* workspace = nullptr;
  ThreadPool* pool = nullptr;

  template <class T> const T* input(std::size_t index) const { return static_cast<const T*>(inputs[index]); }
  template <class T> T* output(std::size_t index) const { return static_cast<T*>(outputs[index]); }
};

class Op {
 public:
  virtual ~Op() = default;
  virtual void infer(InferContext& context) = 0;
  virtual void prepare(PrepareContext&) {}
  virtual void run(const RunContext& context) const = 0;
  // What prepare() chose, for profiles and logs ("im2col_gemm", "winograd_f4x4",
  // ...); "" for ops that have one way of computing.
  virtual std::string algorithm() const { return ""; }
  // Multiply-adds of a run where the shapes alone do not tell them (a
  // convolution whose output is pooled), else -1: node_flops counts them.
  virtual std::int64_t multiply_adds() const { return -1; }
  // For ops that only copy each input into one contiguous slice of output 0
  // (Concat with nothing but dims of 1 before its axis): where each input's
  // slice starts, in bytes. The plan may then place each input's buffer at
  // its slice, so that its producer writes the output directly, and run()
  // must then skip the copies whose source and destination coincide. Empty
  // when the op is not such a copy.
  virtual std::vector<std::int64_t> input_slices_of_output() const { return {}; }

  // The index of an input whose buffer output 0 may take (same size), or -1:
  // run() is then right when that input and the output are one buffer. The
  // plan does so where no later step reads the input (a residual block's
  // output written over the block's input, which it reads last): one buffer
  // less to fetch into the cache and write. Valid after prepare().
  virtual int input_overwritten_by_output() const { return -1; }
};

}  // namespace onnxrun
