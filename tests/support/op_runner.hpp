#pragma once
// Runs one op outside any graph: builds a Node, finds its Op in the builtin
// registry, then infer -> prepare -> run on a ThreadPool of a chosen size, the
// same sequence Plan follows. Tests use it to check shapes and error messages
// (infer only) and values (the whole sequence).
//
//   OpRunner conv("Conv", 11, "conv0");
//   conv.attr_ints("strides", {2, 2}).input(x).constant(w);
//   Shape y_shape = conv.infer_shape();
//   std::vector<Tensor> y = conv.run(3);
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "onnxrun/tensor.hpp"
#include "runtime/core/aligned_buffer.hpp"
#include "runtime/exec/op.hpp"
#include "runtime/exec/op_registry.hpp"
#include "runtime/exec/thread_pool.hpp"
#include "runtime/graph/graph.hpp"

namespace onnxrun::testing {

class OpRunner {
 public:
  OpRunner(std::string op_type, std::int64_t opset, std::string name = "test_node") {
    node_.name = std::move(name);
    node_.op_type = std::move(op_type);
    node_.opset = opset;
    set_output_count(1);
  }

  // --- attributes ---
  OpRunner& attr_int(const std::string& name, std::int64_t value) {
    Attribute a;
    a.kind = Attribute::Kind::Int;
    a.i = value;
    node_.attributes.set(name, std::move(a));
    return *this;
  }
  OpRunner& attr_float(const std::string& name, float value) {
    Attribute a;
    a.kind = Attribute::Kind::Float;
    a.f = value;
    node_.attributes.set(name, std::move(a));
    return *this;
  }
  OpRunner& attr_string(const std::string& name, const std::string& value) {
    Attribute a;
    a.kind = Attribute::Kind::String;
    a.s = value;
    node_.attributes.set(name, std::move(a));
    return *this;
  }
  OpRunner& attr_ints(const std::string& name, const std::vector<std::int64_t>& values) {
    Attribute a;
    a.kind = Attribute::Kind::Ints;
    a.ints = values;
    node_.attributes.set(name, std::move(a));
    return *this;
  }

  // --- inputs, in order ---
  // A value computed at run time: infer sees only its dtype and shape.
  OpRunner& input(Tensor tensor) { return add_input(std::move(tensor), false); }
  // A value known at load (an initializer): infer also sees its data.
  OpRunner& constant(Tensor tensor) { return add_input(std::move(tensor), true); }
  // Dtype and shape only, no data: enough for infer(), and cheap for huge shapes.
  OpRunner& input_desc(DType dtype, Shape shape) {
    inputs_.push_back(Input{std::nullopt, false, true, dtype, std::move(shape)});
    return *this;
  }
  // An omitted optional input (the empty name in ONNX).
  OpRunner& missing_input() {
    inputs_.push_back(Input{std::nullopt, false, false, DType::Float32, {}});
    return *this;
  }

  // --- outputs: how many the node lists, and which of them the model uses ---
  OpRunner& set_output_count(std::size_t count) {
    node_.outputs.assign(count, 0);
    for (std::size_t i = 0; i < count; ++i) node_.outputs[i] = static_cast<ValueId>(i);
    return *this;
  }
  OpRunner& omit_output(std::size_t index) {
    node_.outputs.at(index) = kNoValue;
    return *this;
  }

  const Node& node() const { return node_; }

  // infer() alone: the descs of the node's outputs. Throws Error as the op does,
  // or when a used output is left unset (as Plan does).
  std::vector<ValueDesc> infer() const {
    std::unique_ptr<Op> op = make_op();
    return infer_with(*op);
  }
  Shape infer_shape(std::size_t output = 0) const { return infer().at(output).shape; }

  // The message infer() throws, or "" when it succeeds.
  std::string infer_error() const {
    try {
      infer();
    } catch (const Error& error) {
      return error.what();
    }
    return "";
  }

  // infer, prepare and run with a pool of `threads`. Outputs the node omits come
  // back as empty tensors.
  std::vector<Tensor> run(int threads) const {
    std::unique_ptr<Op> op = make_op();
    const std::vector<ValueDesc> outputs = infer_with(*op);
    const std::vector<ValueDesc> inputs = input_descs();
    // Plan hands prepare() only the outputs the model uses.
    std::vector<ValueDesc> used_outputs(outputs.size());
    for (std::size_t i = 0; i < outputs.size(); ++i)
      if (node_.outputs[i] != kNoValue) used_outputs[i] = outputs[i];
    ThreadPool pool(threads);
    PrepareContext prepare(inputs, used_outputs, pool.size());
    op->prepare(prepare);

    std::vector<const void*> in_ptrs;
    for (const Input& in : inputs_) {
      if (in.present && !in.tensor)
        throw Error("OpRunner: " + node_.describe() + " has an input given by shape only; run() needs data");
      in_ptrs.push_back(in.present ? in.tensor->data() : nullptr);
    }
    std::vector<Tensor> results(outputs.size());
    std::vector<void*> out_ptrs(outputs.size(), nullptr);
    for (std::size_t i = 0; i < outputs.size(); ++i) {
      if (node_.outputs[i] == kNoValue) continue;
      results[i] = Tensor::allocate(outputs[i].dtype, outputs[i].shape);
      // In a session outputs live in a reused arena: poison them (NaN for
      // floats, -1 for integers) so that an element the op forgets to write
      // shows up instead of reading as a lucky zero.
      std::memset(results[i].mutable_data(), 0xFF, results[i].byte_size());
      out_ptrs[i] = results[i].mutable_data();
    }
    AlignedBuffer workspace = allocate_aligned(prepare.workspace_bytes());
    if (prepare.workspace_bytes()) std::memset(workspace.get(), 0xFF, prepare.workspace_bytes());
    op->run(RunContext{in_ptrs, out_ptrs, prepare.workspace_bytes() ? workspace.get() : nullptr, &pool});
    return results;
  }

 private:
  struct Input {
    std::optional<Tensor> tensor;  // absent for a desc-only or missing input
    bool constant = false;
    bool present = true;
    DType dtype = DType::Float32;
    Shape shape;
  };

  OpRunner& add_input(Tensor tensor, bool is_constant) {
    const DType dtype = tensor.dtype();
    Shape shape = tensor.shape();
    inputs_.push_back(Input{std::move(tensor), is_constant, true, dtype, std::move(shape)});
    return *this;
  }

  std::unique_ptr<Op> make_op() const {
    const OpRegistration* registration = builtin_op_registry().find(node_.domain, node_.op_type, node_.opset);
    if (!registration)
      throw Error("OpRunner: " + node_.describe() + " is not registered at opset " + std::to_string(node_.opset));
    return registration->factory(node_);
  }

  std::vector<ValueDesc> input_descs() const {
    std::vector<ValueDesc> descs;
    for (const Input& in : inputs_) {
      if (!in.present) {
        descs.push_back(ValueDesc{});
        continue;
      }
      const Tensor* data = in.constant ? &*in.tensor : nullptr;
      descs.push_back(ValueDesc{in.dtype, in.shape, data, true});
    }
    return descs;
  }

  std::vector<ValueDesc> infer_with(Op& op) const {
    InferContext context(node_, input_descs(), node_.outputs.size());
    op.infer(context);
    for (std::size_t i = 0; i < node_.outputs.size(); ++i)
      if (node_.outputs[i] != kNoValue && !context.outputs()[i].present)
        context.fail("output " + std::to_string(i) + " is not produced by this op");
    return context.outputs();
  }

  Node node_;
  std::vector<Input> inputs_;
};

}  // namespace onnxrun::testing
