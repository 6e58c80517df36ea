// MatMul (opsets 1+), numpy's matmul on float32: a 1-D A gets a leading 1 and
// a 1-D B a trailing 1, removed again from the output; batch dims (all but
// the last two) broadcast.
#include <algorithm>

#include "ops/common/broadcast.hpp"
#include "ops/linear/linear_ops.hpp"
#include "ops/reference/matmul_reference.hpp"
#include "runtime/exec/thread_pool.hpp"

namespace onnxrun {

namespace {

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
  }

  void run(const RunContext& context) const override {
    const float* a = context.input<float>(0);
    const float* b = context.input<float>(1);
    float* y = context.output<float>(0);
    // Stacked rows of all batches are independent; each costs N*K multiply-adds.
    const std::int64_t grain = std::max<std::int64_t>(1, 16384 / std::max<std::int64_t>(1, params_.n * params_.k));
    context.pool->parallel_for(params_.batch_count * params_.m, [&](std::int64_t begin, std::int64_t end) {
      reference::matmul_reference(params_, a, b, y, begin, end);
    }, grain);
  }

 private:
  reference::MatMulParams params_;
};

}  // namespace

void register_matmul_ops(OpRegistry& registry) {
  registry.add("MatMul", 1, 21, [](const Node&) { return std::make_unique<MatMulOp>(); });
}

}  // namespace onnxrun
