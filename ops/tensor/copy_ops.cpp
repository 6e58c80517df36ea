// Ops that only reinterpret a shape or pass data through: Identity, Dropout
// (inference), Flatten, Reshape. Each copies its input into its output.
#include <cstring>

#include "ops/register_ops.hpp"
#include "runtime/core/checked_math.hpp"

namespace onnxrun {

namespace {

class CopyOp : public Op {
 public:
  void run(const RunContext& context) const override {
    if (bytes_) std::memcpy(context.outputs[0], context.inputs[0], bytes_);
  }

 protected:
  void set_copy_output(InferContext& context, const Shape& shape) {
    const ValueDesc& x = context.input(0);
    bytes_ = static_cast<std::size_t>(checked_element_count(x.shape, context.node().describe())) * dtype_size(x.dtype);
    context.set_output(0, x.dtype, shape);
  }

 private:
  std::size_t bytes_ = 0;
};

class IdentityOp final : public CopyOp {
 public:
  void infer(InferContext& context) override {
    context.require_input_count(1, 1);
    set_copy_output(context, context.input(0).shape);
  }
};

class DropoutOp final : public CopyOp {
 public:
  void infer(InferContext& context) override {
    context.require_input_count(1, 3);
    // Opset 12 moved training_mode to input 2; a constant true means training.
    if (context.has_input(2)) {
      const Tensor& training = context.constant_input(2, "training_mode");
      if (training.dtype() != DType::Bool || training.element_count() != 1)
        context.fail("training_mode (input 2) must be a bool scalar");
      if (*training.data_as<bool>()) context.fail("training_mode=true is not supported (inference only)");
    }
    if (context.has_output(1)) context.fail("the mask output (output 1) is not supported in inference");
    set_copy_output(context, context.input(0).shape);
  }
};

class FlattenOp final : public CopyOp {
 public:
  void infer(InferContext& context) override {
    context.require_input_count(1, 1);
    const Shape& x = context.input(0).shape;
    const std::int64_t rank = static_cast<std::int64_t>(x.size());
    std::int64_t axis = context.attr_int("axis", 1);
    if (axis < -rank || axis > rank)
      context.fail("axis " + std::to_string(axis) + " is out of range for input shape " + shape_to_string(x));
    if (axis < 0) axis += rank;
    std::int64_t outer = 1, inner = 1;
    for (std::int64_t d = 0; d < rank; ++d) (d < axis ? outer : inner) *= x[d];
    set_copy_output(context, Shape{outer, inner});
  }
};

class ReshapeOp final : public CopyOp {
 public:
  void infer(InferContext& context) override {
    context.require_input_count(2, 2);
    const ValueDesc& x = context.input(0);
    const ValueDesc& shape_input = context.input(1);
    const Tensor& target = context.constant_input(1, "the target shape");
    if (shape_input.dtype != DType::Int64 || shape_input.shape.size() != 1)
      context.fail("the target shape (input 1) must be a 1-D int64 tensor, got " +
                   std::string(dtype_name(shape_input.dtype)) + " " + shape_to_string(shape_input.shape));
    const bool allow_zero = context.attr_int("allowzero", 0) != 0;
    const std::int64_t* requested = target.data_as<std::int64_t>();
    const std::int64_t input_count = checked_element_count(x.shape, context.node().describe());
    Shape out(static_cast<std::size_t>(shape_input.shape[0]));
    std::int64_t known = 1, infer_at = -1;
    for (std::size_t d = 0; d < out.size(); ++d) {
      std::int64_t dim = requested[d];
      if (dim == 0 && !allow_zero) {
        if (d >= x.shape.size()) context.fail("target shape copies dim " + std::to_string(d) + " (0) that input " + shape_to_string(x.shape) + " lacks");
        dim = x.shape[d];
      }
      if (dim == -1) {
        if (infer_at >= 0) context.fail("target shape has more than one -1");
        infer_at = static_cast<std::int64_t>(d);
        continue;
      }
      if (dim < 0) context.fail("target shape has the invalid dim " + std::to_string(dim));
      out[d] = dim;
      known = checked_mul(known, dim, context.node().describe());
    }
    if (infer_at >= 0) {
      if (known == 0 || input_count % known != 0)
        context.fail("cannot reshape " + shape_to_string(x.shape) + " to a shape with -1 and the other dims multiplying to " +
                     std::to_string(known));
      out[static_cast<std::size_t>(infer_at)] = input_count / known;
    } else if (known != input_count) {
      context.fail("cannot reshape " + shape_to_string(x.shape) + " (" + std::to_string(input_count) + " elements) to " +
                   shape_to_string(out));
    }
    set_copy_output(context, out);
  }
};

}  // namespace

void register_tensor_ops(OpRegistry& registry) {
  registry.add("Identity", 1, 21, [](const Node&) { return std::make_unique<IdentityOp>(); });
  registry.add("Dropout", 7, 21, [](const Node&) { return std::make_unique<DropoutOp>(); });
  registry.add("Flatten", 1, 21, [](const Node&) { return std::make_unique<FlattenOp>(); });
  registry.add("Reshape", 5, 21, [](const Node&) { return std::make_unique<ReshapeOp>(); });
}

}  // namespace onnxrun
