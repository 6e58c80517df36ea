// Identity and inference Dropout pass their input through; nodes whose
// outputs nothing reads cost time and arena memory for nothing.
#include "runtime/graph/graph_rewriter.hpp"
#include "runtime/graph/optimize.hpp"

namespace onnxrun {

namespace {

bool value_unused(const GraphRewriter& rewriter, ValueId value) {
  return value == kNoValue || (rewriter.uses(value).empty() && !rewriter.is_graph_output(value));
}

// Dropout is the identity unless it trains (opsets 1-6: is_test=0, the
// default; 12+: a training_mode input that is not a constant false) or its
// mask is read (onnxrun computes it, all ones, in the op itself).
bool dropout_is_identity(const GraphRewriter& rewriter, const Node& node) {
  if (node.inputs.empty() || node.outputs.empty()) return false;
  if (node.outputs.size() > 1 && !value_unused(rewriter, node.outputs[1])) return false;
  const std::string where = node.describe();
  if (node.opset < 7 && node.attributes.get_int("is_test", 0, where) == 0) return false;
  if (node.inputs.size() > 2 && node.inputs[2] != kNoValue) {
    const Tensor* training = rewriter.constant(node.inputs[2]);
    if (!training || training->dtype() != DType::Bool || training->element_count() != 1 ||
        *training->data_as<bool>())
      return false;
  }
  return true;
}

// Makes readers of the node's output 0 read its input 0 instead and removes
// the node. A graph output keeps its name: the producer of the input then
// writes the output value directly. Returns false when that cannot be done
// (the input is a graph input, a constant or another output) and the node stays.
bool bypass(GraphRewriter& rewriter, int index) {
  const Node& node = rewriter.node(index);
  const ValueId in = node.inputs[0], out = node.outputs[0];
  if (in == kNoValue || out == kNoValue) return false;
  if (!rewriter.is_graph_output(out)) {
    rewriter.replace_uses(out, in);
    rewriter.remove(index);
    return true;
  }
  const int producer = rewriter.producer(in);
  if (producer < 0 || rewriter.is_graph_output(in) || rewriter.is_graph_input(in) || rewriter.constant(in))
    return false;
  rewriter.remove(index);
  rewriter.replace_uses(in, out);
  const Node& source = rewriter.node(producer);
  for (std::size_t slot = 0; slot < source.outputs.size(); ++slot)
    if (source.outputs[slot] == in) rewriter.set_output(producer, slot, out);
  return true;
}

}  // namespace

int remove_noop_nodes(Graph& graph) {
  GraphRewriter rewriter(graph);
  int count = 0;
  for (int n = 0; n < rewriter.node_count(); ++n) {
    const Node& node = rewriter.node(n);
    const bool noop = (is_default_op(node, "Identity") && node.inputs.size() == 1 && node.outputs.size() == 1) ||
                      (is_default_op(node, "Dropout") && dropout_is_identity(rewriter, node));
    if (noop && bypass(rewriter, n)) ++count;
  }
  rewriter.compact();
  return count;
}

int remove_dead_nodes(Graph& graph) {
  GraphRewriter rewriter(graph);
  std::vector<int> pending;
  for (int n = rewriter.node_count() - 1; n >= 0; --n) pending.push_back(n);
  int count = 0;
  while (!pending.empty()) {
    const int n = pending.back();
    pending.pop_back();
    if (rewriter.removed(n)) continue;
    const Node& node = rewriter.node(n);
    bool dead = true;
    for (ValueId out : node.outputs) dead = dead && value_unused(rewriter, out);
    if (!dead) continue;
    // Removing the node may leave its producers unread in turn.
    std::vector<int> producers;
    for (ValueId in : node.inputs)
      if (in != kNoValue && rewriter.producer(in) >= 0) producers.push_back(rewriter.producer(in));
    rewriter.remove(n);
    ++count;
    pending.insert(pending.end(), producers.begin(), producers.end());
  }
  rewriter.compact();
  return count;
}

}  // namespace onnxrun
