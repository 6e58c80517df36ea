// The ops of the channel-blocked layout, made only by the layout pass
// (runtime/graph/pass_nchwc_layout.cpp), all in domain com.onnxrun at opset 1:
//   ReorderToNchwc:         [N, C, H, W] -> [N, C/8, H, W, 8] (C a multiple of 8)
//   ReorderFromNchwc:       [N, C/8, H, W, 8] -> [N, C, H, W]
//   NchwcGlobalAveragePool: [N, C/8, H, W, 8] -> [N, C, 1, 1], the NCHW result
//                           (one pixel per channel is the same bytes in both
//                           layouts), so its readers need no reorder.
//   NchwcMaxPool:           [N, C/8, H, W, 8] -> [N, C/8, OH, OW, 8], MaxPool's
//                           2D attributes (dilation 1), no Indices output.
// Concat runs on blocked tensors as it is: along axis 1, blocks follow blocks.
// NchwcConv is registered with Conv (ops/conv/conv.cpp).
#include <algorithm>

#include "ops/common/spatial_geometry.hpp"
#include "ops/kernels/nchwc_conv.hpp"
#include "ops/kernels/pool_kernels.hpp"
#include "ops/pool/pool_ops.hpp"
#include "ops/register_ops.hpp"
#include "runtime/exec/thread_pool.hpp"
#include "runtime/graph/optimize.hpp"

namespace onnxrun {

namespace {

constexpr std::int64_t kB = kernels::kNchwcBlock;
static_assert(kB == kNchwcBlock, "the layout pass and the kernels agree on the block");

// Blocks of one image handed out per task: reorders and the pooling are
// memory-bound, so only large tensors are worth splitting finely.
std::int64_t grain_for(std::int64_t plane) { return std::max<std::int64_t>(1, 4096 / std::max<std::int64_t>(plane, 1)); }

// Input 0 of a layout op that reads a blocked tensor: float32 [N, C/8, H, W, 8].
const Shape& require_blocked_input(InferContext& context) {
  context.require_input_count(1, 1);
  context.require_dtype(0, DType::Float32);
  context.require_rank(0, 5);
  const Shape& x = context.input(0).shape;
  if (x[4] != kB) context.fail("input 0 has shape " + shape_to_string(x) + ", not [N, C/8, H, W, 8]");
  return x;
}

class ReorderOp final : public Op {
 public:
  explicit ReorderOp(bool to_blocked) : to_blocked_(to_blocked) {}

  void infer(InferContext& context) override {
    context.require_input_count(1, 1);
    context.require_dtype(0, DType::Float32);
    const Shape& x = context.input(0).shape;
    Shape y;
    if (to_blocked_) {
      context.require_rank(0, 4);
      if (x[1] % kB != 0)
        context.fail("input 0 has shape " + shape_to_string(x) + ": its channels are not a multiple of 8");
      y = {x[0], x[1] / kB, x[2], x[3], kB};
    } else {
      context.require_rank(0, 5);
      if (x[4] != kB) context.fail("input 0 has shape " + shape_to_string(x) + ", not [N, C/8, H, W, 8]");
      y = {x[0], x[1] * kB, x[2], x[3]};
    }
    batch_ = x[0];
    blocks_ = to_blocked_ ? x[1] / kB : x[1];
    plane_ = x[2] * x[3];
    context.set_output(0, DType::Float32, y);
  }

  void run(const RunContext& context) const override {
    const float* x = context.input<float>(0);
    float* y = context.output<float>(0);
    const std::int64_t image = blocks_ * kB * plane_;
    context.pool->parallel_for(batch_ * blocks_, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t task = begin; task < end;) {
        const std::int64_t n = task / blocks_, first = task % blocks_;
        const std::int64_t last = std::min(blocks_, first + (end - task));
        if (to_blocked_)
          kernels::reorder_nchw_to_nchwc(x + n * image, y + n * image, plane_, first, last);
        else
          kernels::reorder_nchwc_to_nchw(x + n * image, y + n * image, plane_, first, last);
        task += last - first;
      }
    }, grain_for(plane_));
  }

 private:
  bool to_blocked_;
  std::int64_t batch_ = 0, blocks_ = 0, plane_ = 0;
};

class NchwcGlobalAveragePoolOp final : public Op {
 public:
  void infer(InferContext& context) override {
    const Shape& x = require_blocked_input(context);
    if (x[2] * x[3] == 0) context.fail("input 0 has no pixels to average: " + shape_to_string(x));
    batch_ = x[0];
    blocks_ = x[1];
    plane_ = x[2] * x[3];
    context.set_output(0, DType::Float32, Shape{x[0], x[1] * kB, 1, 1});
  }

  void run(const RunContext& context) const override {
    const float* x = context.input<float>(0);
    float* y = context.output<float>(0);
    context.pool->parallel_for(batch_ * blocks_, [&](std::int64_t begin, std::int64_t end) {
      kernels::nchwc_block_means(x, plane_, begin, end, y);
    }, grain_for(plane_));
  }

 private:
  std::int64_t batch_ = 0, blocks_ = 0, plane_ = 0;
};

class NchwcMaxPoolOp final : public Op {
 public:
  void infer(InferContext& context) override {
    const Shape& x = require_blocked_input(context);
    const SpatialAttributes attributes = read_spatial_attributes(context, true);
    if (attributes.kernel_shape.size() != 2)
      context.fail("kernel_shape has " + std::to_string(attributes.kernel_shape.size()) + " values; 2D pooling takes 2");
    const SpatialGeometry geometry =
        compute_spatial_geometry(context, Shape{x[2], x[3]}, attributes.kernel_shape, attributes);
    const std::optional<kernels::Pool2dGeometry> g = pool2d_geometry(geometry.kernel_params());
    if (!g) context.fail("dilations other than 1 are not supported on blocked tensors");
    geometry_ = *g;
    batch_ = x[0];
    blocks_ = x[1];
    context.set_output(0, DType::Float32, Shape{x[0], x[1], geometry_.out_h, geometry_.out_w, kB});
  }

  void run(const RunContext& context) const override {
    const float* x = context.input<float>(0);
    float* y = context.output<float>(0);
    context.pool->parallel_for(batch_ * blocks_, [&](std::int64_t begin, std::int64_t end) {
      kernels::maxpool2d_nchwc(geometry_, x, y, begin, end);
    }, grain_for(geometry_.in_h * geometry_.in_w));
  }

 private:
  kernels::Pool2dGeometry geometry_;
  std::int64_t batch_ = 0, blocks_ = 0;
};

void add(OpRegistry& registry, const char* op_type, std::function<std::unique_ptr<Op>()> make) {
  registry.add(OpRegistration{"com.onnxrun", op_type, 1, 1, Provider::Cpu,
                              [make = std::move(make)](const Node&) { return make(); }});
}

}  // namespace

void register_layout_ops(OpRegistry& registry) {
  add(registry, "ReorderToNchwc", [] { return std::make_unique<ReorderOp>(true); });
  add(registry, "ReorderFromNchwc", [] { return std::make_unique<ReorderOp>(false); });
  add(registry, "NchwcGlobalAveragePool", [] { return std::make_unique<NchwcGlobalAveragePoolOp>(); });
  add(registry, "NchwcMaxPool", [] { return std::make_unique<NchwcMaxPoolOp>(); });
}

}  // namespace onnxrun
