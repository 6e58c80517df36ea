// Softmax and LogSoftmax (opsets 1+). Before opset 13 the input is coerced to
// 2D at `axis` (default 1) and each row of the [prod(dims[:axis]),
// prod(dims[axis:])] matrix is normalized; from 13 on, only dim `axis`
// (default -1) is.
#include <algorithm>

#include "ops/norm/norm_ops.hpp"
#include "ops/reference/softmax_reference.hpp"
#include "runtime/exec/thread_pool.hpp"

namespace onnxrun {

namespace {

class SoftmaxOp final : public Op {
 public:
  explicit SoftmaxOp(bool log) : log_(log) {}

  void infer(InferContext& context) override {
    context.require_input_count(1, 1);
    context.require_dtype(0, DType::Float32);
    const Shape& x = context.input(0).shape;
    const std::int64_t rank = static_cast<std::int64_t>(x.size());
    const bool coerce_2d = context.node().opset < 13;
    if (!coerce_2d) context.require_min_rank(0, 1);
    std::int64_t axis = context.attr_int("axis", coerce_2d ? 1 : -1);
    // The 2D coercion also accepts axis == rank (every element is a row).
    const std::int64_t max_axis = coerce_2d ? rank : rank - 1;
    if (axis < -rank || axis > max_axis)
      context.fail("axis " + std::to_string(axis) + " is outside [" + std::to_string(-rank) + ", " +
                   std::to_string(max_axis) + "] for input 0 of shape " + shape_to_string(x));
    if (axis < 0) axis += rank;
    outer_ = 1, n_ = 1, inner_ = 1;
    for (std::int64_t d = 0; d < rank; ++d) {
      std::int64_t& part = d < axis ? outer_ : (coerce_2d || d == axis) ? n_ : inner_;
      part *= x[static_cast<std::size_t>(d)];
    }
    context.set_output(0, DType::Float32, x);
  }

  void run(const RunContext& context) const override {
    const float* x = context.input<float>(0);
    float* y = context.output<float>(0);
    const std::int64_t grain = std::max<std::int64_t>(1, 16384 / std::max<std::int64_t>(1, n_));
    if (n_ == 0) return;
    context.pool->parallel_for(outer_ * inner_, [&](std::int64_t begin, std::int64_t end) {
      reference::softmax_reference(x, y, n_, inner_, log_, begin, end);
    }, grain);
  }

 private:
  bool log_;
  std::int64_t outer_ = 1, n_ = 1, inner_ = 1;
};

}  // namespace

void register_softmax_ops(OpRegistry& registry) {
  registry.add("Softmax", 1, 21, [](const Node&) { return std::make_unique<SoftmaxOp>(false); });
  registry.add("LogSoftmax", 1, 21, [](const Node&) { return std::make_unique<SoftmaxOp>(true); });
}

}  // namespace onnxrun
