// Conv (opsets 1+): 1D/2D/3D, strides, pads, dilations, groups, auto_pad,
// optional bias, kernel_shape inferred from the weights.
#include "ops/common/spatial_geometry.hpp"
#include "ops/reference/conv_reference.hpp"
#include "ops/register_ops.hpp"
#include "runtime/exec/thread_pool.hpp"

namespace onnxrun {

namespace {

class ConvOp final : public Op {
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
    const std::int64_t channels = x[1], out_channels = w[0];
    if (channels % group != 0 || w[1] * group != channels)
      context.fail("input 0 has " + std::to_string(channels) + " channels (shape " + shape_to_string(x) +
                   ") but weight " + shape_to_string(w) + " with group " + std::to_string(group) + " expects " +
                   std::to_string(w[1] * group));
    if (out_channels % group != 0)
      context.fail("weight " + shape_to_string(w) + " has " + std::to_string(out_channels) +
                   " output channels, not divisible by group " + std::to_string(group));
    if (context.has_input(2)) {
      const Shape& b = context.input(2).shape;
      if (b.size() != 1 || b[0] != out_channels)
        context.fail("bias (input 2) has shape " + shape_to_string(b) + ", expected [" + std::to_string(out_channels) + "]");
    }

    SpatialAttributes attributes = read_spatial_attributes(context, false);
    const Shape weight_kernel(w.begin() + 2, w.end());
    if (!attributes.kernel_shape.empty() && attributes.kernel_shape != weight_kernel)
      context.fail("kernel_shape " + shape_to_string(attributes.kernel_shape) + " disagrees with weight shape " +
                   shape_to_string(w));
    const SpatialGeometry geometry =
        compute_spatial_geometry(context, Shape(x.begin() + 2, x.end()), weight_kernel, attributes);

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
      reference::conv_reference(params_, x, w, b, y, begin, end);
    });
  }

 private:
  reference::ConvParams params_;
};

}  // namespace

void register_conv_ops(OpRegistry& registry) {
  registry.add("Conv", 1, 21, [](const Node&) { return std::make_unique<ConvOp>(); });
  void register_conv_transpose_ops(OpRegistry&); register_conv_transpose_ops(registry);  // conv_transpose.cpp
}

}  // namespace onnxrun
