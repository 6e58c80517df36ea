// Conv followed by inference BatchNormalization is one Conv with rescaled
// weights: with s = scale / sqrt(var + eps) per output channel m,
//   w'[m, ...] = w[m, ...] * s[m],   b'[m] = (b[m] - mean[m]) * s[m] + beta[m].
// Computed in double so that the folded Conv is no less accurate than the pair
// it replaces.
#include <cmath>
#include <vector>

#include "runtime/graph/graph_rewriter.hpp"
#include "runtime/graph/optimize.hpp"

namespace onnxrun {

namespace {

// The constant float vector of `channels` elements in the node's input slot, or null.
const float* channel_vector(const GraphRewriter& rewriter, const Node& node, std::size_t slot, std::int64_t channels) {
  if (slot >= node.inputs.size() || node.inputs[slot] == kNoValue) return nullptr;
  const Tensor* tensor = rewriter.constant(node.inputs[slot]);
  if (!tensor || tensor->dtype() != DType::Float32 || tensor->rank() != 1 || tensor->shape()[0] != channels)
    return nullptr;
  return tensor->data_as<float>();
}

// Folds batch_norm into conv when every condition holds; false leaves both as they were.
bool try_fold(GraphRewriter& rewriter, int conv_index, int bn_index) {
  const Node& conv = rewriter.node(conv_index);
  const Node& bn = rewriter.node(bn_index);
  const std::string where = bn.describe();
  // Training mode and per-element statistics (spatial=0, opsets < 9) are not
  // the per-channel affine map folded here.
  if (bn.inputs.size() != 5 || bn.attributes.get_int("training_mode", 0, where) != 0) return false;
  if (bn.opset < 9 && bn.attributes.get_int("spatial", 1, where) != 1) return false;
  for (std::size_t i = 1; i < bn.outputs.size(); ++i)
    if (bn.outputs[i] != kNoValue) return false;
  if (bn.inputs[0] != conv.outputs[0]) return false;

  if (conv.inputs.size() < 2 || conv.inputs[1] == kNoValue) return false;
  const Tensor* weight = rewriter.constant(conv.inputs[1]);
  if (!weight || weight->dtype() != DType::Float32 || weight->rank() < 1) return false;
  const std::int64_t channels = weight->shape()[0];
  if (channels <= 0) return false;
  const bool has_bias = conv.inputs.size() > 2 && conv.inputs[2] != kNoValue;
  const float* bias = has_bias ? channel_vector(rewriter, conv, 2, channels) : nullptr;
  if (has_bias && !bias) return false;
  const float* scale = channel_vector(rewriter, bn, 1, channels);
  const float* beta = channel_vector(rewriter, bn, 2, channels);
  const float* mean = channel_vector(rewriter, bn, 3, channels);
  const float* var = channel_vector(rewriter, bn, 4, channels);
  if (!scale || !beta || !mean || !var) return false;
  const double epsilon = bn.attributes.get_float("epsilon", 1e-5f, where);

  const std::int64_t per_channel = weight->element_count() / channels;
  Tensor new_weight = Tensor::allocate(DType::Float32, weight->shape());
  Tensor new_bias = Tensor::allocate(DType::Float32, {channels});
  const float* w = weight->data_as<float>();
  float* w_out = new_weight.mutable_data_as<float>();
  float* b_out = new_bias.mutable_data_as<float>();
  for (std::int64_t m = 0; m < channels; ++m) {
    const double s = static_cast<double>(scale[m]) / std::sqrt(static_cast<double>(var[m]) + epsilon);
    for (std::int64_t i = 0; i < per_channel; ++i)
      w_out[m * per_channel + i] = static_cast<float>(static_cast<double>(w[m * per_channel + i]) * s);
    const double b = bias ? bias[m] : 0.0;
    b_out[m] = static_cast<float>((b - static_cast<double>(mean[m])) * s + static_cast<double>(beta[m]));
  }

  // New values: the old weights may feed other nodes too.
  const ValueId w_id = rewriter.add_constant(rewriter.graph().values[conv.inputs[1]].name + "_bn_folded",
                                             std::move(new_weight));
  const std::string bias_base =
      has_bias ? rewriter.graph().values[conv.inputs[2]].name : rewriter.node(conv_index).name + "_bias";
  const ValueId b_id = rewriter.add_constant(bias_base + "_bn_folded", std::move(new_bias));
  const ValueId bn_output = bn.outputs[0];
  rewriter.remove(bn_index);
  rewriter.set_input(conv_index, 1, w_id);
  rewriter.set_input(conv_index, 2, b_id);
  rewriter.set_output(conv_index, 0, bn_output);
  return true;
}

}  // namespace

int fold_batch_norm_into_conv(Graph& graph) {
  GraphRewriter rewriter(graph);
  int count = 0;
  for (int n = 0; n < rewriter.node_count(); ++n) {
    if (rewriter.removed(n)) continue;
    const Node& conv = rewriter.node(n);
    if (!is_default_op(conv, "Conv") || conv.outputs.size() != 1 || conv.outputs[0] == kNoValue) continue;
    const int reader = rewriter.sole_consumer(conv.outputs[0]);
    if (reader < 0 || !is_default_op(rewriter.node(reader), "BatchNormalization")) continue;
    if (try_fold(rewriter, n, reader)) ++count;
  }
  rewriter.compact();
  return count;
}

}  // namespace onnxrun
