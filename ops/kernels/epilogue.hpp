#pragma once
// What a kernel does to each output value once its sum is complete: add a
// per-row (per-channel) bias, add a residual tensor laid out like the output,
// then apply an activation. Fusing these into the kernel's last store saves a
// full pass over the output per fused op.
//
// Order, as in the graphs the fusion pass rewrites:  act(sum + bias + residual).
#include <algorithm>
#include <cmath>
#include <cstdint>

namespace onnxrun::kernels {

// Silu: x * sigmoid(x), what PyTorch's nn.SiLU exports as Sigmoid + Mul.
enum class Activation { None, Relu, Clip, LeakyRelu, Sigmoid, HardSigmoid, HardSwish, Silu };

struct ActivationParams {
  Activation kind = Activation::None;
  // Clip: [alpha, beta] = [min, max]. LeakyRelu: alpha = slope.
  // HardSigmoid / HardSwish: max(0, min(1, alpha * x + beta)) (HardSwish multiplies by x).
  float alpha = 0.0f;
  float beta = 0.0f;
};

struct Epilogue {
  const float* row_bias = nullptr;  // indexed by output row (channel)
  // Same layout and leading dimension as the output; offset like the output.
  const float* residual = nullptr;
  ActivationParams activation;
};

// The scalar definition every SIMD epilogue is checked against.
inline float apply_activation(float x, const ActivationParams& a) {
  switch (a.kind) {
    case Activation::None: return x;
    case Activation::Relu: return x < 0.0f ? 0.0f : x;
    case Activation::Clip: return std::min(std::max(x, a.alpha), a.beta);
    case Activation::LeakyRelu: return x < 0.0f ? a.alpha * x : x;
    case Activation::Sigmoid: return 1.0f / (1.0f + std::exp(-x));
    case Activation::HardSigmoid: return std::max(0.0f, std::min(1.0f, a.alpha * x + a.beta));
    case Activation::HardSwish: return x * std::max(0.0f, std::min(1.0f, a.alpha * x + a.beta));
    case Activation::Silu: return x / (1.0f + std::exp(-x));
  }
  return x;
}

// Applies bias (row `row`), residual and activation to n consecutive values of
// one output row; residual points at the matching residual values (or null).
inline void apply_epilogue_row(float* values, std::int64_t n, const Epilogue& e, std::int64_t row,
                               const float* residual) {
  const float bias = e.row_bias ? e.row_bias[row] : 0.0f;
  for (std::int64_t j = 0; j < n; ++j) {
    float v = values[j] + bias;
    if (residual) v += residual[j];
    values[j] = apply_activation(v, e.activation);
  }
}

inline bool epilogue_is_identity(const Epilogue& e) {
  return !e.row_bias && !e.residual && e.activation.kind == Activation::None;
}

}  // namespace onnxrun::kernels
