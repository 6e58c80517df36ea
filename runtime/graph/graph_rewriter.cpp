#include "runtime/graph/graph_rewriter.hpp"

#include <algorithm>

namespace onnxrun {

GraphRewriter::GraphRewriter(Graph& graph) : graph_(graph) { rebuild(); }

void GraphRewriter::rebuild() {
  const Graph& graph = graph_;
  const std::size_t values = graph.values.size();
  uses_.assign(values, {});
  producer_.assign(values, -1);
  graph_output_.assign(values, false);
  graph_input_.assign(values, false);
  removed_.assign(graph.nodes.size(), false);
  for (std::size_t n = 0; n < graph.nodes.size(); ++n) {
    const Node& node = graph.nodes[n];
    for (std::size_t slot = 0; slot < node.inputs.size(); ++slot)
      if (node.inputs[slot] != kNoValue) uses_[node.inputs[slot]].push_back(ValueUse{static_cast<int>(n), slot});
    for (ValueId out : node.outputs)
      if (out != kNoValue) producer_[out] = static_cast<int>(n);
  }
  for (const GraphOutput& output : graph.outputs) graph_output_[output.value] = true;
  for (const GraphInput& input : graph.inputs) graph_input_[input.value] = true;
}

const Tensor* GraphRewriter::constant(ValueId value) const {
  const auto& constant = graph_.values[static_cast<std::size_t>(value)].constant;
  return constant ? &*constant : nullptr;
}

int GraphRewriter::sole_consumer(ValueId value) const {
  if (is_graph_output(value)) return -1;
  const std::vector<ValueUse>& readers = uses(value);
  return readers.size() == 1 ? readers[0].node : -1;
}

void GraphRewriter::set_input(int node, std::size_t slot, ValueId value) {
  Node& n = this->node(node);
  if (slot >= n.inputs.size()) n.inputs.resize(slot + 1, kNoValue);
  const ValueId old = n.inputs[slot];
  if (old != kNoValue) {
    std::vector<ValueUse>& readers = uses_[old];
    auto it = std::find_if(readers.begin(), readers.end(),
                           [&](const ValueUse& use) { return use.node == node && use.slot == slot; });
    if (it != readers.end()) readers.erase(it);
  }
  n.inputs[slot] = value;
  if (value != kNoValue) {
    grow(value);
    uses_[value].push_back(ValueUse{node, slot});
  }
}

void GraphRewriter::set_output(int node, std::size_t slot, ValueId value) {
  Node& n = this->node(node);
  const ValueId old = n.outputs.at(slot);
  if (old != kNoValue && producer_[old] == node) producer_[old] = -1;
  n.outputs[slot] = value;
  if (value != kNoValue) {
    grow(value);
    producer_[value] = node;
  }
}

void GraphRewriter::replace_uses(ValueId from, ValueId to) {
  // Copied: set_input edits the list being walked.
  const std::vector<ValueUse> readers = uses(from);
  for (const ValueUse& use : readers) set_input(use.node, use.slot, to);
}

void GraphRewriter::remove(int node) {
  if (removed(node)) return;
  Node& n = this->node(node);
  for (std::size_t slot = 0; slot < n.inputs.size(); ++slot)
    if (n.inputs[slot] != kNoValue) set_input(node, slot, kNoValue);
  for (std::size_t slot = 0; slot < n.outputs.size(); ++slot)
    if (n.outputs[slot] != kNoValue && producer_[n.outputs[slot]] == node) producer_[n.outputs[slot]] = -1;
  removed_[static_cast<std::size_t>(node)] = true;
}

ValueId GraphRewriter::add_constant(const std::string& base, Tensor value) {
  const ValueId id = graph_.value_id(unique_value_name(graph_, base));
  graph_.values[id].dtype = value.dtype();
  graph_.values[id].constant = std::move(value);
  grow(id);
  return id;
}

int GraphRewriter::compact() {
  std::vector<Node> kept;
  kept.reserve(graph_.nodes.size());
  for (std::size_t n = 0; n < graph_.nodes.size(); ++n)
    if (!removed_[n]) kept.push_back(std::move(graph_.nodes[n]));
  const int erased = static_cast<int>(graph_.nodes.size() - kept.size());
  graph_.nodes = std::move(kept);
  // Rebuilt rather than patched: compaction is rare, once per pass.
  rebuild();
  return erased;
}

void GraphRewriter::grow(ValueId value) {
  const std::size_t needed = std::max(graph_.values.size(), static_cast<std::size_t>(value) + 1);
  if (uses_.size() >= needed) return;
  uses_.resize(needed);
  producer_.resize(needed, -1);
  graph_output_.resize(needed, false);
  graph_input_.resize(needed, false);
}

std::string unique_value_name(const Graph& graph, const std::string& base) {
  if (!graph.find_value(base)) return base;
  for (int suffix = 1;; ++suffix) {
    const std::string candidate = base + "_" + std::to_string(suffix);
    if (!graph.find_value(candidate)) return candidate;
  }
}

}  // namespace onnxrun
