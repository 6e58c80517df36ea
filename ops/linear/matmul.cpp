// MatMul (opsets 1+), numpy's matmul on float32: a 1-D A gets a leading 1 and
// a 1-D B a trailing 1, removed again from the output; batch dims (all but
// the last two) broadcast.
//
// When B is one matrix for every batch (a Linear layer exported as MatMul, as
// ConvNeXt's are: [1, 56, 56, 96] x [96, 384]), A's batches stack into one
// [batch * M, K] matrix and the product runs on the packed SGEMM, B packed once
// at load when it is a constant. Batched B (attention's Q x K^T) runs on the
// reference kernel.
#include <algorithm>

#include "ops/common/broadcast.hpp"
#include "ops/kernels/sgemm.hpp"
#include "ops/linear/linear_ops.hpp"
#include "ops/reference/matmul_reference.hpp"
#include "runtime/core/aligned_buffer.hpp"
#include "runtime/exec/thread_pool.hpp"

namespace onnxrun {

namespace {

// Below this many multiply-adds per task, handing work to another thread
// costs more than it saves.
constexpr std::int64_t kMinTaskFlops = std::int64_t{1} << 16;

std::size_t aligned_floats(std::size_t floats) { return round_up_to_alignment(floats * sizeof(float)) / sizeof(float); }

class MatMulOp final : public Op {
 public:
  void infer(InferContext& context) override {
    context.require_input_count(2, 2);
    context.require_dtype(0, DType::Float32);
    context.require_dtype(1, DType::Float32);
    context.require_min_rank(0, 1);
    context.require_min_rank(1, 1);
    const Shape& a_in = context.input(0).shape;
    const Shape& b_in = context.input(1).shape;
    const std::string shapes = "A " + shape_to_string(a_in) + " and B " + shape_to_string(b_in);
    Shape a = a_in, b = b_in;
    if (a.size() == 1) a.insert(a.begin(), 1);
    if (b.size() == 1) b.push_back(1);
    params_ = reference::MatMulParams{};
    params_.m = a[a.size() - 2];
    params_.k = a[a.size() - 1];
    params_.n = b[b.size() - 1];
    if (b[b.size() - 2] != params_.k) context.fail("inner dimensions differ: " + shapes);

    const Shape a_batch(a.begin(), a.end() - 2), b_batch(b.begin(), b.end() - 2);
    const std::size_t batch_rank = std::max(a_batch.size(), b_batch.size());
    Shape batch(batch_rank);
    for (std::size_t i = 0; i < batch_rank; ++i) {
      const std::size_t a_lead = batch_rank - a_batch.size(), b_lead = batch_rank - b_batch.size();
      const std::int64_t da = i < a_lead ? 1 : a_batch[i - a_lead], db = i < b_lead ? 1 : b_batch[i - b_lead];
      if (da != db && da != 1 && db != 1)
        context.fail("batch dims do not broadcast (" + std::to_string(da) + " vs " + std::to_string(db) + "): " + shapes);
      batch[i] = da == 1 ? db : da;
    }
    params_.batch_shape = batch;
    params_.a_batch_strides = broadcast_strides(a_batch, batch);
    params_.b_batch_strides = broadcast_strides(b_batch, batch);
    for (std::int64_t& stride : params_.a_batch_strides) stride *= params_.m * params_.k;
    for (std::int64_t& stride : params_.b_batch_strides) stride *= params_.k * params_.n;
    params_.batch_count = 1;
    for (std::int64_t dim : batch) params_.batch_count *= dim;

    Shape y = batch;
    if (a_in.size() > 1) y.push_back(params_.m);
    if (b_in.size() > 1) y.push_back(params_.n);
    context.set_output(0, DType::Float32, y);

    // One B for all batches, and A not broadcast (its batches are as many as
    // the output's): Y's batches are the rows of one product.
    std::int64_t a_batches = 1;
    for (std::int64_t dim : a_batch) a_batches *= dim;
    bool shared_b = true;
    for (std::int64_t stride : params_.b_batch_strides) shared_b = shared_b && stride == 0;
    stacked_ = shared_b && a_batches == params_.batch_count;
  }

  void prepare(PrepareContext& context) override {
    packed_b_.reset();
    if (!stacked_) {
      context.request_workspace(0);
      return;
    }
    const std::int64_t rows = params_.batch_count * params_.m;
    const Tensor* b = context.input(1).constant;
    if (b) {
      packed_b_ = allocate_large(kernels::sgemm_packed_b_floats(params_.k, params_.n) * sizeof(float));
      kernels::sgemm_pack_b(b->data_as<float>(), params_.n, 1, params_.k, params_.n,
                            static_cast<float*>(packed_b_.get()));
    }
    a_floats_ = aligned_floats(kernels::sgemm_packed_a_floats(rows, params_.k));
    const std::size_t b_floats = b ? 0 : aligned_floats(kernels::sgemm_packed_b_floats(params_.k, params_.n));
    context.request_workspace((a_floats_ + b_floats) * sizeof(float));
    const std::int64_t panel_flops = std::max<std::int64_t>(1, kernels::kSgemmMr * params_.k * params_.n);
    grain_ = std::max<std::int64_t>(1, kMinTaskFlops / panel_flops);
  }

  std::string algorithm() const override { return stacked_ ? "sgemm" : "reference"; }

  void run(const RunContext& context) const override {
    const float* a = context.input<float>(0);
    const float* b = context.input<float>(1);
    float* y = context.output<float>(0);
    if (stacked_) return run_stacked(context, a, b, y);
    // Stacked rows of all batches are independent; each costs N*K multiply-adds.
    const std::int64_t grain = std::max<std::int64_t>(1, 16384 / std::max<std::int64_t>(1, params_.n * params_.k));
    context.pool->parallel_for(params_.batch_count * params_.m, [&](std::int64_t begin, std::int64_t end) {
      reference::matmul_reference(params_, a, b, y, begin, end);
    }, grain);
  }

 private:
  void run_stacked(const RunContext& context, const float* a, const float* b, float* y) const {
    const std::int64_t rows = params_.batch_count * params_.m, n = params_.n, k = params_.k;
    if (rows == 0 || n == 0) return;
    float* packed_a = static_cast<float*>(context.workspace);
    const float* packed_b = static_cast<const float*>(packed_b_.get());
    if (!packed_b) {
      float* packed = packed_a + a_floats_;
      kernels::sgemm_pack_b(b, n, 1, k, n, packed);
      packed_b = packed;
    }
    const std::int64_t mr = kernels::kSgemmMr;
    const std::int64_t col_panels = (n + kernels::sgemm_nr() - 1) / kernels::sgemm_nr();
    context.pool->parallel_for(
        (rows + mr - 1) / mr,
        [&](std::int64_t begin, std::int64_t end) {
          // Ranges start at whole panels, so each packs its rows into its own
          // part of the workspace.
          const std::int64_t row0 = begin * mr, count = std::min(rows, end * mr) - row0;
          float* pa = packed_a + row0 * k;
          kernels::sgemm_pack_a(a + row0 * k, k, 1, count, k, pa);
          kernels::sgemm_packed(count, n, k, pa, packed_b, y + row0 * n, n, kernels::Epilogue{}, 0, col_panels);
        },
        grain_);
  }

  reference::MatMulParams params_;
  bool stacked_ = false;
  AlignedBuffer packed_b_;  // B packed at load when it is a constant
  std::size_t a_floats_ = 0;
  std::int64_t grain_ = 1;
};

}  // namespace

void register_matmul_ops(OpRegistry& registry) {
  registry.add("MatMul", 1, 21, [](const Node&) { return std::make_unique<MatMulOp>(); });
}

}  // namespace onnxrun
