// Squeeze-excitation (EfficientNet, MobileNetV3, RegNetY) scales a tensor x
// per channel by s = sigmoid(fc(relu(fc(GlobalAveragePool(x))))) and feeds
// x * s to a projection convolution. In the blocked layout that Mul is a pass
// of its own over x, memory-bound: 0.5 ms of EfficientNet-B0's 14.4 at one
// thread, most of it on the large early planes. Folded into the convolution
// (NchwcConv's input 4, Scale), the layer computes the convolution of x * s
// by scaling a copy of its weights per image where they are smaller than x,
// else a copy of x (conv_nchwc.cpp).
//
// The graph has no shapes yet, so s must be one value per image and channel
// by construction: it is GlobalAveragePool(x) itself (same x, or x through a
// reorder) passed through convolutions with 1x1 kernels and no padding
// (which keep a 1x1 plane), element-wise activations and reorders. Its
// channels are x's: the layout pass blocked the Mul only with equal channel
// counts.
#include "runtime/graph/graph_rewriter.hpp"
#include "runtime/graph/optimize.hpp"

namespace onnxrun {

namespace {

bool is_any_conv(const Node& node) {
  return is_default_op(node, "Conv") || is_onnxrun_op(node, "FusedConv") || is_onnxrun_op(node, "NchwcConv");
}

// A convolution whose output has a 1x1 plane when its input has: constant
// 1x1 weights and no padding (any stride or dilation keeps one pixel).
bool keeps_one_pixel(const GraphRewriter& rewriter, const Node& node) {
  if (!is_any_conv(node) || node.inputs.size() < 2 || node.inputs[1] == kNoValue) return false;
  const Tensor* weight = rewriter.constant(node.inputs[1]);
  if (!weight || weight->shape().size() != 4 || weight->shape()[2] != 1 || weight->shape()[3] != 1) return false;
  for (std::int64_t pad : node.attributes.get_ints("pads", {}, node.describe()))
    if (pad != 0) return false;
  return true;
}

// `a` and `b` are the same tensor, or one is the other reordered.
bool same_tensor(const GraphRewriter& rewriter, ValueId a, ValueId b) {
  if (a == b) return true;
  for (auto [from, to] : {std::pair{a, b}, std::pair{b, a}}) {
    const int producer = rewriter.producer(to);
    if (producer < 0) continue;
    const Node& node = rewriter.node(producer);
    if ((is_onnxrun_op(node, "ReorderToNchwc") || is_onnxrun_op(node, "ReorderFromNchwc")) && node.inputs[0] == from)
      return true;
  }
  return false;
}

// Whether `scale` is computed from GlobalAveragePool(x) (see the header) and
// so holds one value per image and channel of x.
bool pooled_from(const GraphRewriter& rewriter, ValueId scale, ValueId x) {
  ValueId value = scale;
  for (int depth = 0; depth < 16 && value != kNoValue; ++depth) {
    const int producer = rewriter.producer(value);
    if (producer < 0) return false;
    const Node& node = rewriter.node(producer);
    if (node.outputs.size() != 1 || node.inputs.empty()) return false;
    if (is_default_op(node, "GlobalAveragePool") || is_onnxrun_op(node, "NchwcGlobalAveragePool"))
      return same_tensor(rewriter, node.inputs[0], x);
    if (!is_onnxrun_op(node, "ReorderToNchwc") && !is_unary_elementwise(node) && !keeps_one_pixel(rewriter, node))
      return false;
    value = node.inputs[0];
  }
  return false;
}

// The blocked dense convolution that alone reads `value`, as its input X,
// with no Scale yet. -1 when there is none.
int scalable_reader(const GraphRewriter& rewriter, ValueId value) {
  const int reader = rewriter.sole_consumer(value);
  if (reader < 0) return -1;
  const Node& conv = rewriter.node(reader);
  const std::string where = conv.describe();
  if (!is_onnxrun_op(conv, "NchwcConv") || conv.inputs.empty() || conv.inputs[0] != value ||
      conv.attributes.get_int("nchw_input", 0, where) != 0 || conv.attributes.get_int("group", 1, where) != 1 ||
      (conv.inputs.size() > 4 && conv.inputs[4] != kNoValue))
    return -1;
  return reader;
}

}  // namespace

int fold_channel_scale_into_conv(Graph& graph) {
  GraphRewriter rewriter(graph);
  int folded = 0;
  for (int index = 0; index < rewriter.node_count(); ++index) {
    const Node& mul = rewriter.node(index);
    if (rewriter.removed(index) || !is_default_op(mul, "Mul") || mul.opset < 7 || mul.inputs.size() != 2 ||
        mul.outputs.size() != 1 || mul.outputs[0] == kNoValue || mul.inputs[0] == kNoValue ||
        mul.inputs[1] == kNoValue)
      continue;
    const int conv = scalable_reader(rewriter, mul.outputs[0]);
    if (conv < 0) continue;
    // Which operand is the scale: the one pooled from the other.
    int scale_slot = -1;
    for (int slot : {0, 1})
      if (pooled_from(rewriter, mul.inputs[static_cast<std::size_t>(slot)],
                      mul.inputs[static_cast<std::size_t>(1 - slot)]))
        scale_slot = slot;
    if (scale_slot < 0) continue;
    const ValueId scale = mul.inputs[static_cast<std::size_t>(scale_slot)];
    const ValueId x = mul.inputs[static_cast<std::size_t>(1 - scale_slot)];
    rewriter.remove(index);
    rewriter.set_input(conv, 0, x);
    rewriter.set_input(conv, 4, scale);
    ++folded;
  }
  rewriter.compact();
  return folded;
}

}  // namespace onnxrun
