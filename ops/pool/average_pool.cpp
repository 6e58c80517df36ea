// AveragePool (opsets 1+): 1D/2D/3D, kernel_shape, strides, pads, auto_pad,
// ceil_mode (10+), count_include_pad (7+) and dilations (19+). 1D and 2D
// pooling without dilation runs the SIMD kernel of ops/kernels/pool_kernels.hpp,
// the rest the reference.
#include <algorithm>
#include <optional>

#include "ops/common/spatial_geometry.hpp"
#include "ops/pool/pool_ops.hpp"
#include "ops/reference/pool_reference.hpp"
#include "runtime/exec/thread_pool.hpp"

namespace onnxrun {

namespace {

class AveragePoolOp final : public Op {
 public:
  void infer(InferContext& context) override {
    context.require_input_count(1, 1);
    context.require_dtype(0, DType::Float32);
    const Shape& x = context.input(0).shape;
    if (x.size() < 3 || x.size() > 5)
      context.fail("input 0 has shape " + shape_to_string(x) + "; expected [N, C, spatial...] with 1 to 3 spatial dims");
    const SpatialAttributes attributes = read_spatial_attributes(context, true);
    if (attributes.kernel_shape.empty()) context.fail("the kernel_shape attribute is required");
    const std::int64_t count_include_pad = context.attr_int("count_include_pad", 0);
    if (count_include_pad != 0 && count_include_pad != 1)
      context.fail("count_include_pad " + std::to_string(count_include_pad) + " must be 0 or 1");
    const SpatialGeometry geometry =
        compute_spatial_geometry(context, Shape(x.begin() + 2, x.end()), attributes.kernel_shape, attributes);

    static_cast<reference::SpatialParams&>(params_) = geometry.kernel_params();
    params_.batch = x[0];
    params_.channels = x[1];
    params_.count_include_pad = count_include_pad == 1;
    // Under ceil_mode the last window may reach past the padded input. With
    // count_include_pad, PyTorch (which has no dilated average pooling) does
    // not count the taps out there, and exported models must match it.
    // ONNX's reference for the dilations of opset 19 pads them with zeros and
    // counts them, and the node test
    //   averagepool_3d_dilations_large_count_include_pad_is_1_ceil_mode_is_True
    // expects that, so dilated windows always count whole.
    const bool dilated = std::any_of(std::begin(geometry.dilation), std::end(geometry.dilation),
                                     [](std::int64_t d) { return d > 1; });
    for (std::size_t d = 0; d < kMaxSpatialRank; ++d) {
      const std::int64_t span = geometry.dilation[d] * (geometry.kernel[d] - 1) + 1;
      const std::int64_t last_window_end = (geometry.out[d] - 1) * geometry.stride[d] - geometry.pad_begin[d] + span;
      params_.count_end[d] = dilated ? last_window_end : geometry.in[d] + geometry.pad_end[d];
    }
    simd_ = simd_pool2d_geometry(params_, params_.count_end);
    if (simd_) simd_->count_include_pad = params_.count_include_pad;
    Shape y{x[0], x[1]};
    for (std::int64_t size : geometry.output_spatial()) y.push_back(size);
    context.set_output(0, DType::Float32, y);
  }

  void run(const RunContext& context) const override {
    const float* x = context.input<float>(0);
    float* y = context.output<float>(0);
    const std::int64_t grain = pool_grain(params_.in[0] * params_.in[1] * params_.in[2]);
    context.pool->parallel_for(params_.batch * params_.channels, [&](std::int64_t begin, std::int64_t end) {
      if (simd_) kernels::avgpool2d(*simd_, x, y, begin, end);
      else reference::averagepool_reference(params_, x, y, begin, end);
    }, grain);
  }

 private:
  reference::AveragePoolParams params_;
  std::optional<kernels::Pool2dGeometry> simd_;  // set when the SIMD kernel applies
};

}  // namespace

void register_average_pool_ops(OpRegistry& registry) {
  registry.add("AveragePool", 1, 21, [](const Node&) { return std::make_unique<AveragePoolOp>(); });
}

}  // namespace onnxrun
