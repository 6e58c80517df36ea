// Element-wise unary ops on float32: Relu (opsets 6+).
#include <algorithm>

#include "ops/register_ops.hpp"
#include "runtime/exec/thread_pool.hpp"

namespace onnxrun {

namespace {

using UnaryFunction = float (*)(float);

// max(x, 0) written so that NaN passes through, as torch.relu does.
float relu(float x) { return x < 0.0f ? 0.0f : x; }

class UnaryFloatOp final : public Op {
 public:
  explicit UnaryFloatOp(UnaryFunction function) : function_(function) {}

  void infer(InferContext& context) override {
    context.require_input_count(1, 1);
    context.require_dtype(0, DType::Float32);
    const Shape& x = context.input(0).shape;
    count_ = 1;
    for (std::int64_t dim : x) count_ *= dim;
    context.set_output(0, DType::Float32, x);
  }

  void run(const RunContext& context) const override {
    const float* x = context.input<float>(0);
    float* y = context.output<float>(0);
    const UnaryFunction f = function_;
    context.pool->parallel_for(count_, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t i = begin; i < end; ++i) y[i] = f(x[i]);
    }, 16384);
  }

 private:
  UnaryFunction function_;
  std::int64_t count_ = 0;
};

}  // namespace

void register_unary_elementwise_ops(OpRegistry& registry) {
  registry.add("Relu", 6, 21, [](const Node&) { return std::make_unique<UnaryFloatOp>(relu); });
}

}  // namespace onnxrun
