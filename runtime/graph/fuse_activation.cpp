#include "runtime/graph/fuse_activation.hpp"

#include <limits>
#include <optional>

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
