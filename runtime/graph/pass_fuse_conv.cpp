// Conv [-> Add(residual)] [-> activation] becomes one com.onnxrun.FusedConv,
// whose kernel adds the residual and applies the activation while each output
// tile is still in registers: two fewer passes over the output per fusion.
#include <vector>

#include "runtime/graph/fuse_activation.hpp"
#include "runtime/graph/optimize.hpp"

namespace onnxrun {

namespace {

bool is_plain_conv(const GraphRewriter& rewriter, int index) {
  const Node& node = rewriter.node(index);
  return !rewriter.removed(index) && is_default_op(node, "Conv") && node.inputs.size() >= 2 &&
         node.inputs[1] != kNoValue && node.outputs.size() == 1 && node.outputs[0] != kNoValue;
}

// The Add reading only `conv`'s output and something else, and the slot of
// that other input; -1 when there is none.
int residual_add(const GraphRewriter& rewriter, int conv, std::size_t& residual_slot) {
  const ValueId out = rewriter.node(conv).outputs[0];
  const int reader = rewriter.sole_consumer(out);
  if (reader < 0) return -1;
  const Node& add = rewriter.node(reader);
  if (!is_default_op(add, "Add") || add.inputs.size() != 2 || add.outputs.size() != 1 || add.outputs[0] == kNoValue)
    return -1;
  // Opsets before 7 broadcast by an explicit axis, not numpy-style.
  if (add.opset < 7 && add.attributes.get_int("broadcast", 0, add.describe()) != 0) return -1;
  residual_slot = add.inputs[0] == out ? 1 : 0;
  // Add(conv, conv) has no other input. Any other one cannot be computed from
  // the conv's output: the Add is that output's only reader, so no cycle forms.
  if (add.inputs[residual_slot] == out || add.inputs[residual_slot] == kNoValue) return -1;
  return reader;
}

void make_fused(Node& node) {
  node.domain = kOnnxrunDomain;
  node.op_type = "FusedConv";
  node.opset = 1;
}

}  // namespace

int fuse_conv_residual_activation(Graph& graph) {
  GraphRewriter rewriter(graph);
  const std::vector<int> order = graph.topological_order();
  std::vector<int> position(order.size());
  for (std::size_t i = 0; i < order.size(); ++i) position[static_cast<std::size_t>(order[i])] = static_cast<int>(i);

  int count = 0;
  for (int n : order) {
    if (!is_plain_conv(rewriter, n)) continue;
    bool fused = false;
    std::size_t residual_slot = 0;
    const int add = residual_add(rewriter, n, residual_slot);
    if (add >= 0) {
      const ValueId residual = rewriter.node(add).inputs[residual_slot];
      // Conv + Conv (a ResNet downsample block): the later conv takes the
      // earlier one's output as its residual, keeping the execution order.
      const int other = rewriter.producer(residual);
      std::size_t ignored = 0;
      const bool later_conv_claims = other >= 0 && is_plain_conv(rewriter, other) && position[other] > position[n] &&
                                     residual_add(rewriter, other, ignored) == add;
      if (!later_conv_claims) {
        const ValueId sum = rewriter.node(add).outputs[0];
        rewriter.remove(add);
        make_fused(rewriter.node(n));
        rewriter.set_input(n, 3, residual);  // an absent bias stays absent (slot 2)
        rewriter.set_output(n, 0, sum);
        fused = true;
      }
    }
    if (absorb_activation(rewriter, n)) {
      make_fused(rewriter.node(n));
      fused = true;
    }
    if (fused) ++count;
  }
  rewriter.compact();
  return count;
}

}  // namespace onnxrun
