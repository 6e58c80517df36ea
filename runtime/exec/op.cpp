#include "runtime/exec/op.hpp"

namespace onnxrun {

InferContext::InferContext(const Node& node, std::vector<ValueDesc> inputs, std::size_t output_count)
    : node_(node), inputs_(std::move(inputs)), outputs_(output_count), constant_outputs_(output_count) {
  for (std::size_t i = 0; i < output_count; ++i) outputs_[i].present = false;
}

const ValueDesc& InferContext::input(std::size_t index) const {
  if (!has_input(index)) fail("required input " + std::to_string(index) + " is missing");
  return inputs_[index];
}

bool InferContext::has_output(std::size_t index) const {
  return index < node_.outputs.size() && node_.outputs[index] != kNoValue;
}

void InferContext::set_output(std::size_t index, DType dtype, Shape shape) {
  if (index >= outputs_.size()) return;  // the model does not use this optional output
  outputs_[index] = ValueDesc{dtype, std::move(shape), nullptr, true};
}

const Tensor& InferContext::constant_input(std::size_t index, const std::string& what) const {
  const ValueDesc& desc = input(index);
  if (desc.constant) return *desc.constant;
  if (desc.graph_input >= 0) throw NeedsInputValue{desc.graph_input};
  fail(what + " (input " + std::to_string(index) +
       ") is computed at run time; onnxrun plans static shapes and needs it at load");
}

void InferContext::set_output_constant(std::size_t index, Tensor value) {
  if (index >= outputs_.size()) return;
  set_output(index, value.dtype(), value.shape());
  constant_outputs_[index] = std::move(value);
}

std::int64_t InferContext::attr_int(const std::string& name, std::int64_t fallback) const {
  return node_.attributes.get_int(name, fallback, node_.describe());
}
float InferContext::attr_float(const std::string& name, float fallback) const {
  return node_.attributes.get_float(name, fallback, node_.describe());
}
std::string InferContext::attr_string(const std::string& name, const std::string& fallback) const {
  return node_.attributes.get_string(name, fallback, node_.describe());
}
std::vector<std::int64_t> InferContext::attr_ints(const std::string& name,
                                                  const std::vector<std::int64_t>& fallback) const {
  return node_.attributes.get_ints(name, fallback, node_.describe());
}

void InferContext::require_dtype(std::size_t index, DType dtype) const {
  const ValueDesc& desc = input(index);
  if (desc.dtype != dtype)
    fail("input " + std::to_string(index) + " is " + dtype_name(desc.dtype) + ", expected " + dtype_name(dtype));
}

void InferContext::require_rank(std::size_t index, std::size_t rank) const {
  const ValueDesc& desc = input(index);
  if (desc.shape.size() != rank)
    fail("input " + std::to_string(index) + " has shape " + shape_to_string(desc.shape) + ", expected rank " +
         std::to_string(rank));
}

void InferContext::require_min_rank(std::size_t index, std::size_t rank) const {
  const ValueDesc& desc = input(index);
  if (desc.shape.size() < rank)
    fail("input " + std::to_string(index) + " has shape " + shape_to_string(desc.shape) + ", expected rank >= " +
         std::to_string(rank));
}

void InferContext::require_input_count(std::size_t min, std::size_t max) const {
  if (inputs_.size() < min || inputs_.size() > max)
    fail("has " + std::to_string(inputs_.size()) + " inputs, expected " +
         (min == max ? std::to_string(min) : std::to_string(min) + " to " + std::to_string(max)));
}

void InferContext::fail(const std::string& message) const { throw Error(node_.describe() + ": " + message); }

}  // namespace onnxrun
