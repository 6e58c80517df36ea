// Ops that only reinterpret a shape or pass data through: Identity, Dropout
// (inference, with its all-true mask), Flatten, Reshape. Each copies its input
// into its output.
#include <algorithm>
#include <cstring>

#include "ops/register_ops.hpp"
#include "ops/tensor/copy_op.hpp"
#include "runtime/core/checked_math.hpp"

namespace onnxrun {

namespace {

class IdentityOp final : public CopyOp {
 public:
  void infer(InferContext& context) override {
    context.require_input_count(1, 1);
    set_copy_output(context, context.input(0).shape);
  }
};

// Inference Dropout is the identity; its optional mask output keeps every
// element (true; from opset 10 a bool, before that the input's type). Training
// mode draws random masks, which onnxrun does not do, except that with ratio 0
// training keeps everything too, so that case is the identity as well.
class DropoutOp final : public CopyOp {
 public:
  explicit DropoutOp(std::int64_t opset) : opset_(opset) {}

  void infer(InferContext& context) override {
    context.require_input_count(1, 3);
    const ValueDesc& x = context.input(0);
    // Opset 12 moved ratio to input 1 and training_mode to input 2.
    if (context.has_input(2)) {
      const Tensor& training = context.constant_input(2, "training_mode");
      if (training.dtype() != DType::Bool || training.element_count() != 1)
        context.fail("training_mode (input 2) must be a bool scalar");
      if (*training.data_as<bool>()) {
        const float ratio = read_ratio(context);
        if (ratio != 0.0f)
          context.fail("training_mode=true with ratio " + std::to_string(ratio) +
                       " is not supported (inference only; only ratio 0 is deterministic)");
      }
    }
    mask_elements_ = 0;
    if (context.has_output(1)) {
      mask_dtype_ = opset_ >= 10 ? DType::Bool : x.dtype;
      mask_elements_ = checked_element_count(x.shape, context.node().describe());
      context.set_output(1, mask_dtype_, x.shape);
    }
    set_copy_output(context, x.shape);
  }

  void run(const RunContext& context) const override {
    CopyOp::run(context);
    if (mask_elements_ == 0 || context.outputs.size() < 2 || !context.outputs[1]) return;
    void* mask = context.outputs[1];
    const std::size_t n = static_cast<std::size_t>(mask_elements_);
    switch (mask_dtype_) {
      case DType::Bool:
      case DType::UInt8: std::memset(mask, 1, n); break;
      case DType::Float32: std::fill_n(static_cast<float*>(mask), n, 1.0f); break;
      case DType::Float64: std::fill_n(static_cast<double*>(mask), n, 1.0); break;
      case DType::Int32: std::fill_n(static_cast<std::int32_t*>(mask), n, 1); break;
      case DType::Int64: std::fill_n(static_cast<std::int64_t*>(mask), n, 1); break;
    }
  }

 private:
  float read_ratio(const InferContext& context) const {
    if (!context.has_input(1)) return context.attr_float("ratio", 0.5f);
    const Tensor& ratio = context.constant_input(1, "ratio");
    if (ratio.element_count() != 1 || (ratio.dtype() != DType::Float32 && ratio.dtype() != DType::Float64))
      context.fail("ratio (input 1) must be a float scalar, got " + std::string(dtype_name(ratio.dtype())) + " " +
                   shape_to_string(ratio.shape()));
    return ratio.dtype() == DType::Float32 ? *ratio.data_as<float>() : static_cast<float>(*ratio.data_as<double>());
  }

  std::int64_t opset_;
  DType mask_dtype_ = DType::Bool;
  std::int64_t mask_elements_ = 0;
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
  registry.add("Dropout", 7, 21, [](const Node& node) { return std::make_unique<DropoutOp>(node.opset); });
  registry.add("Flatten", 1, 21, [](const Node&) { return std::make_unique<FlattenOp>(); });
  registry.add("Reshape", 5, 21, [](const Node&) { return std::make_unique<ReshapeOp>(); });
}

}  // namespace onnxrun
