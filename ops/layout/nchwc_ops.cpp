// The ops of the channel-blocked layout, made only by the layout pass
// (runtime/graph/pass_nchwc_layout.cpp), all in domain com.onnxrun at opset 1:
//   ReorderToNchwc:         [N, C, H, W] -> [N, C/8, H, W, 8] (C a multiple of 8)
//   ReorderFromNchwc:       [N, C/8, H, W, 8] -> [N, C, H, W]
//   NchwcGlobalAveragePool: [N, C/8, H, W, 8] -> [N, C, 1, 1], the NCHW result
//                           (one pixel per channel is the same bytes in both
//                           layouts), so its readers need no reorder.
// NchwcConv is registered with Conv (ops/conv/conv.cpp).
#include <algorithm>

#include "ops/kernels/nchwc_conv.hpp"
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
    context.require_input_count(1, 1);
    context.require_dtype(0, DType::Float32);
    context.require_rank(0, 5);
    const Shape& x = context.input(0).shape;
    if (x[4] != kB) context.fail("input 0 has shape " + shape_to_string(x) + ", not [N, C/8, H, W, 8]");
    if (x[2] * x[3] == 0) context.fail("input 0 has no pixels to average: " + shape_to_string(x));
    batch_ = x[0];
    blocks_ = x[1];
    plane_ = x[2] * x[3];
    context.set_output(0, DType::Float32, Shape{x[0], x[1] * kB, 1, 1});
  }

  void run(const RunContext& context) const override {
    const float* x = context.input<float>(0);
    float* y = context.output<float>(0);
    const float scale = 1.0f / static_cast<float>(plane_);
    context.pool->parallel_for(batch_ * blocks_, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t task = begin; task < end; ++task) {
        float sums[kB];
        kernels::nchwc_block_sum(x + task * plane_ * kB, 0, plane_, sums);
        for (std::int64_t lane = 0; lane < kB; ++lane) y[task * kB + lane] = sums[lane] * scale;
      }
    }, grain_for(plane_));
  }

 private:
  std::int64_t batch_ = 0, blocks_ = 0, plane_ = 0;
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
}

}  // namespace onnxrun
