// Gemm (opsets 7+): Y = alpha * op(A) * op(B) + beta * C, with transA, transB
// and C broadcast unidirectionally to [M, N] (optional from opset 11).
#include "ops/common/broadcast.hpp"
#include "ops/linear/linear_ops.hpp"
#include "ops/reference/gemm_reference.hpp"
#include "ops/register_ops.hpp"
#include "runtime/exec/thread_pool.hpp"

namespace onnxrun {

namespace {

class GemmOp final : public Op {
 public:
  void infer(InferContext& context) override {
    context.require_input_count(2, 3);
    for (std::size_t i = 0; i < context.input_count(); ++i)
      if (context.has_input(i)) context.require_dtype(i, DType::Float32);
    context.require_rank(0, 2);
    context.require_rank(1, 2);
    trans_a_ = context.attr_int("transA", 0) != 0;
    trans_b_ = context.attr_int("transB", 0) != 0;
    alpha_ = context.attr_float("alpha", 1.0f);
    beta_ = context.attr_float("beta", 1.0f);
    const Shape& a = context.input(0).shape;
    const Shape& b = context.input(1).shape;
    m_ = trans_a_ ? a[1] : a[0];
    k_ = trans_a_ ? a[0] : a[1];
    const std::int64_t kb = trans_b_ ? b[1] : b[0];
    n_ = trans_b_ ? b[0] : b[1];
    if (k_ != kb)
      context.fail("inner dimensions differ: A " + shape_to_string(a) + (trans_a_ ? " (transposed)" : "") + " and B " +
                   shape_to_string(b) + (trans_b_ ? " (transposed)" : ""));
    const Shape y{m_, n_};
    has_c_ = context.has_input(2);
    if (has_c_) {
      const Shape& c = context.input(2).shape;
      if (c.size() > 2 || broadcast_shapes(context, c, y) != y)
        context.fail("C (input 2) of shape " + shape_to_string(c) + " does not broadcast to the output " +
                     shape_to_string(y));
      c_strides_ = broadcast_strides(c, y);
    }
    context.set_output(0, DType::Float32, y);
  }

  void run(const RunContext& context) const override {
    const float* a = context.input<float>(0);
    const float* b = context.input<float>(1);
    const float* c = has_c_ ? context.input<float>(2) : nullptr;
    float* y = context.output<float>(0);
    const float beta = c ? beta_ : 0.0f;
    context.pool->parallel_for(m_, [&](std::int64_t begin, std::int64_t end) {
      if (c)  // Y starts as C broadcast to [M, N], then accumulates in place.
        for (std::int64_t i = begin; i < end; ++i)
          for (std::int64_t j = 0; j < n_; ++j) y[i * n_ + j] = c[i * c_strides_[0] + j * c_strides_[1]];
      reference::gemm_reference(trans_a_, trans_b_, m_, n_, k_, alpha_, a, b, beta, y, begin, end);
    });
  }

 private:
  bool trans_a_ = false, trans_b_ = false, has_c_ = false;
  float alpha_ = 1.0f, beta_ = 1.0f;
  std::int64_t m_ = 0, n_ = 0, k_ = 0;
  std::vector<std::int64_t> c_strides_;
};

}  // namespace

void register_linear_ops(OpRegistry& registry) {
  registry.add("Gemm", 7, 21, [](const Node&) { return std::make_unique<GemmOp>(); });
  register_matmul_ops(registry);
}

}  // namespace onnxrun
