#include "bench/op_harness.hpp"

#include <random>

#include "runtime/exec/op_registry.hpp"

namespace onnxrun::bench {

OpHarness::OpHarness(const std::string& op_type, std::int64_t opset, const std::string& domain) {
  node_.name = "bench_" + op_type;
  node_.op_type = op_type;
  node_.domain = domain;
  node_.opset = opset;
  node_.outputs = {0};
  if (!builtin_op_registry().find(domain, op_type, opset))
    throw Error("bench: " + op_type + " is not registered at opset " + std::to_string(opset));
}

OpHarness& OpHarness::attr_int(const std::string& name, std::int64_t value) {
  Attribute a;
  a.kind = Attribute::Kind::Int;
  a.i = value;
  node_.attributes.set(name, std::move(a));
  return *this;
}

OpHarness& OpHarness::attr_ints(const std::string& name, const std::vector<std::int64_t>& values) {
  Attribute a;
  a.kind = Attribute::Kind::Ints;
  a.ints = values;
  node_.attributes.set(name, std::move(a));
  return *this;
}

OpHarness& OpHarness::add_input(Tensor tensor, bool is_constant) {
  node_.inputs.push_back(static_cast<ValueId>(inputs_.size() + 1));
  inputs_.push_back(std::move(tensor));
  constant_.push_back(is_constant);
  return *this;
}

void OpHarness::prepare(int threads) {
  op_ = builtin_op_registry().find(node_.domain, node_.op_type, node_.opset)->factory(node_);
  std::vector<ValueDesc> descs;
  for (std::size_t i = 0; i < inputs_.size(); ++i)
    descs.push_back(ValueDesc{inputs_[i].dtype(), inputs_[i].shape(), constant_[i] ? &inputs_[i] : nullptr, true});
  InferContext infer(node_, descs, node_.outputs.size());
  op_->infer(infer);
  pool_ = std::make_unique<ThreadPool>(threads);
  PrepareContext prepare(descs, infer.outputs(), pool_->size());
  op_->prepare(prepare);
  workspace_ = allocate_aligned(prepare.workspace_bytes());
  outputs_.clear();
  for (const ValueDesc& desc : infer.outputs()) outputs_.push_back(Tensor::allocate(desc.dtype, desc.shape));
  in_ptrs_.clear();
  for (const Tensor& t : inputs_) in_ptrs_.push_back(t.data());
  out_ptrs_.clear();
  for (Tensor& t : outputs_) out_ptrs_.push_back(t.mutable_data());
}

void OpHarness::run() const {
  op_->run(RunContext{in_ptrs_, out_ptrs_, workspace_.get(), pool_.get()});
}

std::size_t OpHarness::bytes_moved() const {
  std::size_t bytes = 0;
  for (const Tensor& t : inputs_) bytes += t.byte_size();
  for (const Tensor& t : outputs_) bytes += t.byte_size();
  return bytes;
}

Tensor random_tensor(const Shape& shape, unsigned seed) {
  Tensor tensor = Tensor::allocate(DType::Float32, shape);
  std::mt19937 random(seed);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  float* values = tensor.mutable_data_as<float>();
  for (std::int64_t i = 0; i < tensor.element_count(); ++i) values[i] = uniform(random);
  return tensor;
}

}  // namespace onnxrun::bench
