// ConvTranspose (opsets 1+): 1D/2D/3D, strides, pads, dilations, groups,
// output_padding, output_shape, auto_pad, optional bias, kernel_shape inferred
// from the weights, which are [C, M/group, kernel...].
#include "ops/common/conv_transpose_geometry.hpp"
#include "ops/reference/conv_transpose_reference.hpp"
#include "ops/register_ops.hpp"
#include "runtime/exec/thread_pool.hpp"

namespace onnxrun {

namespace {

class ConvTransposeOp final : public Op {
 public:
  void infer(InferContext& context) override {
    context.require_input_count(2, 3);
    for (std::size_t i = 0; i < context.input_count(); ++i)
      if (context.has_input(i)) context.require_dtype(i, DType::Float32);
    const Shape& x = context.input(0).shape;
    const Shape& w = context.input(1).shape;
    if (x.size() < 3 || x.size() > 5)
      context.fail("input 0 has shape " + shape_to_string(x) + "; expected [N, C, spatial...] with 1 to 3 spatial dims");
    if (w.size() != x.size())
      context.fail("weight (input 1) has shape " + shape_to_string(w) + " but input 0 has shape " + shape_to_string(x) +
                   "; their ranks must match");
    const std::int64_t group = context.attr_int("group", 1);
    if (group < 1) context.fail("group " + std::to_string(group) + " must be positive");
    const std::int64_t channels = x[1];
    if (w[0] != channels || channels % group != 0)
      context.fail("input 0 has " + std::to_string(channels) + " channels (shape " + shape_to_string(x) +
                   ") but weight " + shape_to_string(w) + " with group " + std::to_string(group) +
                   " expects weight dim 0 equal to them and divisible by the group");
    if (w[1] < 1) context.fail("weight " + shape_to_string(w) + " has no output channels");
    const std::int64_t out_channels = w[1] * group;
    if (context.has_input(2)) {
      const Shape& b = context.input(2).shape;
      if (b.size() != 1 || b[0] != out_channels)
        context.fail("bias (input 2) has shape " + shape_to_string(b) + ", expected [" + std::to_string(out_channels) +
                     "] (weight " + shape_to_string(w) + ", group " + std::to_string(group) + ")");
    }

    const ConvTransposeAttributes attributes = read_conv_transpose_attributes(context);
    const Shape weight_kernel(w.begin() + 2, w.end());
    if (!attributes.spatial.kernel_shape.empty() && attributes.spatial.kernel_shape != weight_kernel)
      context.fail("kernel_shape " + shape_to_string(attributes.spatial.kernel_shape) + " disagrees with weight shape " +
                   shape_to_string(w));
    const SpatialGeometry geometry =
        compute_conv_transpose_geometry(context, Shape(x.begin() + 2, x.end()), weight_kernel, attributes);

    static_cast<reference::SpatialParams&>(params_) = geometry.kernel_params();
    params_.batch = x[0];
    params_.in_channels = channels;
    params_.out_channels = out_channels;
    params_.groups = group;
    Shape y{x[0], out_channels};
    for (std::int64_t size : geometry.output_spatial()) y.push_back(size);
    context.set_output(0, DType::Float32, y);
  }

  void run(const RunContext& context) const override {
    const float* x = context.input<float>(0);
    const float* w = context.input<float>(1);
    const float* b = context.inputs.size() > 2 ? context.input<float>(2) : nullptr;
    float* y = context.output<float>(0);
    context.pool->parallel_for(params_.batch * params_.out_channels, [&](std::int64_t begin, std::int64_t end) {
      reference::conv_transpose_reference(params_, x, w, b, y, begin, end);
    });
  }

 private:
  reference::ConvTransposeParams params_;
};

}  // namespace

void register_conv_transpose_ops(OpRegistry& registry) {
  registry.add("ConvTranspose", 1, 21, [](const Node&) { return std::make_unique<ConvTransposeOp>(); });
}

}  // namespace onnxrun
