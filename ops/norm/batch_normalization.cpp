// BatchNormalization in inference form (opsets 7, 9, 14, 15):
// Y = (X - mean) / sqrt(var + epsilon) * scale + B, per channel (dim 1).
#include <cmath>

#include "ops/register_ops.hpp"
#include "runtime/exec/thread_pool.hpp"

namespace onnxrun {

namespace {

class BatchNormalizationOp final : public Op {
 public:
  void infer(InferContext& context) override {
    context.require_input_count(5, 5);
    if (context.attr_int("training_mode", 0) != 0)
      context.fail("training_mode=1 is not supported: onnxrun runs models for inference");
    if (context.node().opset < 9 && context.attr_int("spatial", 1) != 1)
      context.fail("spatial=0 (per-element statistics) is not supported");
    for (std::size_t output = 1; output < context.output_count(); ++output)
      if (context.has_output(output))
        context.fail("output " + std::to_string(output) + " (running statistics) exists only in training mode");
    epsilon_ = context.attr_float("epsilon", 1e-5f);
    for (std::size_t i = 0; i < 5; ++i) context.require_dtype(i, DType::Float32);
    const Shape& x = context.input(0).shape;
    context.require_min_rank(0, 2);
    channels_ = x[1];
    static const char* const names[] = {"", "scale", "B", "input_mean", "input_var"};
    for (std::size_t i = 1; i < 5; ++i) {
      const Shape& s = context.input(i).shape;
      if (s.size() != 1 || s[0] != channels_)
        context.fail(std::string(names[i]) + " (input " + std::to_string(i) + ") has shape " + shape_to_string(s) +
                     ", expected [" + std::to_string(channels_) + "] for input 0 of shape " + shape_to_string(x));
    }
    batch_ = x[0];
    plane_ = 1;
    for (std::size_t d = 2; d < x.size(); ++d) plane_ *= x[d];
    context.set_output(0, DType::Float32, x);
  }

  void run(const RunContext& context) const override {
    const float* x = context.input<float>(0);
    const float* scale = context.input<float>(1);
    const float* bias = context.input<float>(2);
    const float* mean = context.input<float>(3);
    const float* var = context.input<float>(4);
    float* y = context.output<float>(0);
    context.pool->parallel_for(batch_ * channels_, [&](std::int64_t begin, std::int64_t end) {
      for (std::int64_t task = begin; task < end; ++task) {
        const std::int64_t c = task % channels_;
        // The same operation order as PyTorch's inference kernel:
        // (x - mean) * (1 / sqrt(var + eps)) * weight + bias.
        const float inv_std = 1.0f / std::sqrt(var[c] + epsilon_);
        const float alpha = inv_std * scale[c];
        const float beta = bias[c] - mean[c] * alpha;
        const float* in = x + task * plane_;
        float* out = y + task * plane_;
        for (std::int64_t i = 0; i < plane_; ++i) out[i] = in[i] * alpha + beta;
      }
    });
  }

 private:
  float epsilon_ = 1e-5f;
  std::int64_t batch_ = 0, channels_ = 0, plane_ = 1;
};

}  // namespace

void register_normalization_ops(OpRegistry& registry) {
  registry.add("BatchNormalization", 7, 21, [](const Node&) { return std::make_unique<BatchNormalizationOp>(); });
}

}  // namespace onnxrun
