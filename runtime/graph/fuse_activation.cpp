#include "runtime/graph/fuse_activation.hpp"

#include <limits>
#include <optional>
#include <vector>

namespace onnxrun {

namespace {

struct ActivationAttributes {
  std::string kind;
  std::optional<float> alpha, beta;
};

// The float scalar constant in the slot (`absent` when the slot is empty);
// false when the input exists but is not a float scalar known at load.
bool constant_scalar(const GraphRewriter& rewriter, const Node& node, std::size_t slot, float absent, float& value) {
  if (slot >= node.inputs.size() || node.inputs[slot] == kNoValue) {
    value = absent;
    return true;
  }
  const Tensor* tensor = rewriter.constant(node.inputs[slot]);
  if (!tensor || tensor->dtype() != DType::Float32 || tensor->element_count() != 1) return false;
  value = *tensor->data_as<float>();
  return true;
}

std::optional<ActivationAttributes> match(const GraphRewriter& rewriter, const Node& node) {
  if (!(node.domain.empty() || node.domain == "ai.onnx") || node.outputs.size() != 1 ||
      node.outputs[0] == kNoValue || node.inputs.empty())
    return std::nullopt;
  const std::string where = node.describe();
  const std::string& type = node.op_type;
  if (type != "Clip" && node.inputs.size() != 1) return std::nullopt;
  if (type == "Relu" || type == "Sigmoid") return ActivationAttributes{type, std::nullopt, std::nullopt};
  if (type == "LeakyRelu") return ActivationAttributes{type, node.attributes.get_float("alpha", 0.01f, where), std::nullopt};
  if (type == "HardSigmoid")
    return ActivationAttributes{type, node.attributes.get_float("alpha", 0.2f, where),
                                node.attributes.get_float("beta", 0.5f, where)};
  if (type == "HardSwish") return ActivationAttributes{type, 1.0f / 6.0f, 0.5f};
  if (type == "Clip") {
    // A missing bound clips nothing, on that side.
    constexpr float inf = std::numeric_limits<float>::infinity();
    float low = -inf, high = inf;
    if (node.opset < 11) {
      low = node.attributes.get_float("min", -inf, where);
      high = node.attributes.get_float("max", inf, where);
    } else if (!constant_scalar(rewriter, node, 1, -inf, low) || !constant_scalar(rewriter, node, 2, inf, high)) {
      return std::nullopt;  // bounds computed at run time
    }
    return ActivationAttributes{type, low, high};
  }
  return std::nullopt;
}

bool is_single_output_op(const Node& node, const char* op_type) {
  return is_default_op(node, op_type) && node.outputs.size() == 1 && node.outputs[0] != kNoValue;
}

// x * Sigmoid(x), PyTorch's nn.SiLU (EfficientNet's activation): when `x` is
// read by exactly a Sigmoid and a Mul of x with that Sigmoid's output, and the
// Sigmoid's output only by that Mul, returns the Mul and sets `sigmoid`; -1
// otherwise.
int silu_mul(const GraphRewriter& rewriter, ValueId x, int& sigmoid) {
  if (rewriter.is_graph_output(x)) return -1;
  const std::vector<ValueUse>& uses = rewriter.uses(x);
  if (uses.size() != 2) return -1;
  for (std::size_t first = 0; first < 2; ++first) {
    const int s = uses[first].node, m = uses[1 - first].node;
    const Node& sig = rewriter.node(s);
    if (!is_single_output_op(sig, "Sigmoid") || sig.inputs.size() != 1 || rewriter.sole_consumer(sig.outputs[0]) != m)
      continue;
    const Node& mul = rewriter.node(m);
    if (!is_single_output_op(mul, "Mul") || mul.inputs.size() != 2) continue;
    const ValueId gate = sig.outputs[0];
    if ((mul.inputs[0] == x && mul.inputs[1] == gate) || (mul.inputs[1] == x && mul.inputs[0] == gate)) {
      sigmoid = s;
      return m;
    }
  }
  return -1;
}

}  // namespace

void set_string_attribute(Node& node, const std::string& name, const std::string& value) {
  Attribute attribute;
  attribute.kind = Attribute::Kind::String;
  attribute.s = value;
  node.attributes.set(name, std::move(attribute));
}

void set_float_attribute(Node& node, const std::string& name, float value) {
  Attribute attribute;
  attribute.kind = Attribute::Kind::Float;
  attribute.f = value;
  node.attributes.set(name, std::move(attribute));
}

bool absorb_activation(GraphRewriter& rewriter, int producer) {
  Node& node = rewriter.node(producer);
  if (node.outputs.empty() || node.outputs[0] == kNoValue || node.attributes.has("activation")) return false;
  int sigmoid = -1;
  const int mul = silu_mul(rewriter, node.outputs[0], sigmoid);
  if (mul >= 0) {
    set_string_attribute(node, "activation", "Silu");
    const ValueId output = rewriter.node(mul).outputs[0];
    rewriter.remove(sigmoid);
    rewriter.remove(mul);
    rewriter.set_output(producer, 0, output);
    return true;
  }
  const int reader = rewriter.sole_consumer(node.outputs[0]);
  if (reader < 0) return false;
  const Node& activation = rewriter.node(reader);
  if (activation.inputs[0] != node.outputs[0]) return false;
  const std::optional<ActivationAttributes> attributes = match(rewriter, activation);
  if (!attributes) return false;
  set_string_attribute(node, "activation", attributes->kind);
  if (attributes->alpha) set_float_attribute(node, "activation_alpha", *attributes->alpha);
  if (attributes->beta) set_float_attribute(node, "activation_beta", *attributes->beta);
  const ValueId output = activation.outputs[0];
  rewriter.remove(reader);
  rewriter.set_output(producer, 0, output);
  return true;
}

}  // namespace onnxrun
