// Gemm (opsets 7+): Y = alpha * op(A) * op(B) + beta * C, with transA, transB
// and C broadcast unidirectionally to [M, N] (optional from opset 11). Also
// com.onnxrun.FusedGemm: the same, then an activation (runtime/graph/optimize.hpp).
//
// Runs on the packed SGEMM: a constant B (the weights of a Linear layer) is
// packed once, with alpha folded in; A is packed per run. The SGEMM's bias is
// per row of Y while Gemm's C usually varies along columns, so beta * C enters
// as the epilogue's residual: C itself when it is a full [M, N] and beta is 1,
// else a broadcast copy in the workspace.
#include <algorithm>

#include "ops/common/broadcast.hpp"
#include "ops/common/fused_activation.hpp"
#include "ops/kernels/sgemm.hpp"
#include "ops/linear/linear_ops.hpp"
#include "ops/register_ops.hpp"
#include "runtime/core/aligned_buffer.hpp"
#include "runtime/exec/thread_pool.hpp"

namespace onnxrun {

namespace {

// Below this many multiply-adds per task, handing work to another thread
// costs more than it saves.
constexpr std::int64_t kMinTaskFlops = std::int64_t{1} << 16;

std::size_t aligned_floats(std::size_t floats) { return round_up_to_alignment(floats * sizeof(float)) / sizeof(float); }

class GemmOp final : public Op {
 public:
  explicit GemmOp(bool fused) : fused_(fused) {}

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
    activation_ = fused_ ? read_fused_activation(context) : kernels::ActivationParams{};
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
    // beta = 0 ignores C, NaN and infinity included, as BLAS does.
    has_c_ = context.has_input(2) && beta_ != 0.0f;
    if (context.has_input(2)) {
      const Shape& c = context.input(2).shape;
      if (c.size() > 2 || broadcast_shapes(context, c, y) != y)
        context.fail("C (input 2) of shape " + shape_to_string(c) + " does not broadcast to the output " +
                     shape_to_string(y));
      c_strides_ = broadcast_strides(c, y);
      c_is_full_ = c == y;
    }
    context.set_output(0, DType::Float32, y);
  }

  void prepare(PrepareContext& context) override {
    // Packed layouts follow the instruction set active now; run() uses the same.
    nr_ = kernels::sgemm_nr();
    packed_b_.reset();
    const Tensor* b = context.input(1).constant;
    if (b) {
      packed_b_ = allocate_large(kernels::sgemm_packed_b_floats(k_, n_) * sizeof(float));
      pack_b(b->data_as<float>(), static_cast<float*>(packed_b_.get()));
    }
    copy_c_ = has_c_ && !(c_is_full_ && beta_ == 1.0f);
    a_floats_ = aligned_floats(kernels::sgemm_packed_a_floats(m_, k_));
    b_floats_ = b ? 0 : aligned_floats(kernels::sgemm_packed_b_floats(k_, n_));
    const std::size_t c_floats = copy_c_ ? aligned_floats(static_cast<std::size_t>(m_ * n_)) : 0;
    context.request_workspace((a_floats_ + b_floats_ + c_floats) * sizeof(float));

    // Threads split rows when there are enough row panels to go round (each
    // packs its own rows of A), else column panels of one shared packed A
    // (batch-1 classifier heads: M = 1).
    const std::int64_t row_panels = (m_ + kernels::kSgemmMr - 1) / kernels::kSgemmMr;
    split_rows_ = row_panels >= context.threads();
    const std::int64_t flops_per_panel =
        std::max<std::int64_t>(1, split_rows_ ? kernels::kSgemmMr * k_ * n_ : m_ * k_ * nr_);
    grain_ = std::max<std::int64_t>(1, kMinTaskFlops / flops_per_panel);
  }

  void run(const RunContext& context) const override {
    if (m_ == 0 || n_ == 0) return;
    const float* a = context.input<float>(0);
    const float* c = has_c_ ? context.input<float>(2) : nullptr;
    float* y = context.output<float>(0);
    float* workspace = static_cast<float*>(context.workspace);
    float* packed_a = workspace;
    const float* packed_b = static_cast<const float*>(packed_b_.get());
    if (!packed_b) {
      pack_b(context.input<float>(1), workspace + a_floats_);
      packed_b = workspace + a_floats_;
    }
    float* c_copy = copy_c_ ? workspace + a_floats_ + b_floats_ : nullptr;
    kernels::Epilogue epilogue{nullptr, c_copy ? c_copy : c, activation_};

    if (split_rows_) {
      const std::int64_t mr = kernels::kSgemmMr;
      const std::int64_t row_panels = (m_ + mr - 1) / mr;
      const std::int64_t col_panels = (n_ + nr_ - 1) / nr_;
      context.pool->parallel_for(
          row_panels,
          [&](std::int64_t begin, std::int64_t end) {
            const std::int64_t row0 = begin * mr, rows = std::min(m_, end * mr) - row0;
            if (c_copy) fill_c(c, c_copy, row0, row0 + rows, 0, n_);
            // Panels start at multiples of kSgemmMr rows, so each range's
            // packed rows land in their own part of the workspace.
            float* pa = packed_a + row0 * k_;
            pack_a(a, row0, rows, pa);
            kernels::Epilogue part = epilogue;
            if (part.residual) part.residual += row0 * n_;
            kernels::sgemm_packed(rows, n_, k_, pa, packed_b, y + row0 * n_, n_, part, 0, col_panels);
          },
          grain_);
      return;
    }
    pack_a(a, 0, m_, packed_a);
    context.pool->parallel_for(
        (n_ + nr_ - 1) / nr_,
        [&](std::int64_t begin, std::int64_t end) {
          if (c_copy) fill_c(c, c_copy, 0, m_, begin * nr_, std::min(n_, end * nr_));
          kernels::sgemm_packed(m_, n_, k_, packed_a, packed_b, y, n_, epilogue, begin, end);
        },
        grain_);
  }

 private:
  // op(A) rows [row0, row0 + rows), packed for the SGEMM.
  void pack_a(const float* a, std::int64_t row0, std::int64_t rows, float* packed) const {
    if (trans_a_) kernels::sgemm_pack_a(a + row0, 1, m_, rows, k_, packed);  // A is [K, M]
    else kernels::sgemm_pack_a(a + row0 * k_, k_, 1, rows, k_, packed);
  }

  // alpha * op(B), packed; alpha rides along for free here rather than in every run.
  void pack_b(const float* b, float* packed) const {
    if (trans_b_) kernels::sgemm_pack_b(b, 1, k_, k_, n_, packed);  // B is [N, K]
    else kernels::sgemm_pack_b(b, n_, 1, k_, n_, packed);
    if (alpha_ != 1.0f) {
      const std::size_t count = kernels::sgemm_packed_b_floats(k_, n_);
      for (std::size_t i = 0; i < count; ++i) packed[i] *= alpha_;
    }
  }

  // beta * C broadcast to [M, N], for rows [i0, i1) and columns [j0, j1).
  void fill_c(const float* c, float* out, std::int64_t i0, std::int64_t i1, std::int64_t j0, std::int64_t j1) const {
    for (std::int64_t i = i0; i < i1; ++i)
      for (std::int64_t j = j0; j < j1; ++j) out[i * n_ + j] = beta_ * c[i * c_strides_[0] + j * c_strides_[1]];
  }

  bool fused_;
  bool trans_a_ = false, trans_b_ = false, has_c_ = false, c_is_full_ = false, copy_c_ = false;
  bool split_rows_ = false;
  float alpha_ = 1.0f, beta_ = 1.0f;
  kernels::ActivationParams activation_;
  std::int64_t m_ = 0, n_ = 0, k_ = 0, nr_ = 1, grain_ = 1;
  std::vector<std::int64_t> c_strides_;
  std::size_t a_floats_ = 0, b_floats_ = 0;
  AlignedBuffer packed_b_;
};

}  // namespace

void register_linear_ops(OpRegistry& registry) {
  registry.add("Gemm", 7, 21, [](const Node&) { return std::make_unique<GemmOp>(false); });
  registry.add(OpRegistration{"com.onnxrun", "FusedGemm", 1, 1, Provider::Cpu,
                              [](const Node&) { return std::make_unique<GemmOp>(true); }});
  register_matmul_ops(registry);
}

}  // namespace onnxrun
