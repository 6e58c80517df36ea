#include "ops/common/fused_activation.hpp"

#include <limits>

namespace onnxrun {

kernels::ActivationParams read_fused_activation(const InferContext& context) {
  using kernels::Activation;
  const std::string name = context.attr_string("activation", "");
  kernels::ActivationParams a;
  if (name.empty()) return a;
  // Defaults are the ONNX ops' own, so that a hand-written fused node means
  // what the op it stands for would.
  constexpr float inf = std::numeric_limits<float>::infinity();
  float alpha = 0.0f, beta = 0.0f;
  if (name == "Relu") a.kind = Activation::Relu;
  else if (name == "Sigmoid") a.kind = Activation::Sigmoid;
  else if (name == "Clip") a.kind = Activation::Clip, alpha = -inf, beta = inf;
  else if (name == "LeakyRelu") a.kind = Activation::LeakyRelu, alpha = 0.01f;
  else if (name == "HardSigmoid") a.kind = Activation::HardSigmoid, alpha = 0.2f, beta = 0.5f;
  else if (name == "HardSwish") a.kind = Activation::HardSwish, alpha = 1.0f / 6.0f, beta = 0.5f;
  else if (name == "Silu") a.kind = Activation::Silu;
  else context.fail("activation '" + name + "' is not one onnxrun fuses (Relu, Clip, LeakyRelu, Sigmoid, "
                    "HardSigmoid, HardSwish, Silu)");
  a.alpha = context.attr_float("activation_alpha", alpha);
  a.beta = context.attr_float("activation_beta", beta);
  return a;
}

}  // namespace onnxrun
