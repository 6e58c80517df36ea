// ConvTranspose (opsets 1+): 1D/2D/3D, strides, pads, dilations, groups,
// output_padding, output_shape, auto_pad, optional bias, kernel_shape inferred
// from the weights, which are [C, M/group, kernel...].
#include "ops/common/conv_transpose_geometry.hpp"
#include "ops/common/conv_validation.hpp"
#include "ops/reference/conv_transpose_reference.hpp"
#include "ops/register_ops.hpp"
#include "runtime/exec/thread_pool.hpp"

namespace onnxrun {

namespace {

class ConvTransposeOp final : public Op {
 public:
  void infer(InferContext& context) override {
    context.require_input_count(2, 3);
    const ConvChannels channels = check_conv_inputs(context, ConvWeightLayout::kInputFirst);
    const Shape& x = context.input(0).shape;
    const ConvTransposeAttributes attributes = read_conv_transpose_attributes(context);
    const Shape weight_kernel = conv_weight_kernel(context, attributes.spatial.kernel_shape);
    const SpatialGeometry geometry =
        compute_conv_transpose_geometry(context, Shape(x.begin() + 2, x.end()), weight_kernel, attributes);

    static_cast<reference::SpatialParams&>(params_) = geometry.kernel_params();
    params_.batch = x[0];
    params_.in_channels = channels.in_channels;
    params_.out_channels = channels.out_channels;
    params_.groups = channels.group;
    Shape y{x[0], channels.out_channels};
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
