#pragma once
// Bookkeeping for graph passes: who produces and who reads each value, kept up
// to date while a pass rewires inputs and outputs and removes nodes. Node
// indices stay stable until compact(), so a pass can walk the nodes by index
// while it rewrites them.
#include <cstddef>
#include <string>
#include <vector>

#include "runtime/graph/graph.hpp"

namespace onnxrun {

// The domain of the ops that passes create; the registry keys them by it.
inline constexpr const char* kOnnxrunDomain = "com.onnxrun";

// A node of the default ONNX domain ("" or "ai.onnx") with this op type.
inline bool is_default_op(const Node& node, const char* op_type) {
  return (node.domain.empty() || node.domain == "ai.onnx") && node.op_type == op_type;
}

// A node of kOnnxrunDomain (made by a pass) with this op type.
inline bool is_onnxrun_op(const Node& node, const char* op_type) {
  return node.domain == kOnnxrunDomain && node.op_type == op_type;
}

struct ValueUse {
  int node = -1;
  std::size_t slot = 0;  // input index within the node
};

class GraphRewriter {
 public:
  explicit GraphRewriter(Graph& graph);

  Graph& graph() { return graph_; }
  Node& node(int index) { return graph_.nodes[static_cast<std::size_t>(index)]; }
  const Node& node(int index) const { return graph_.nodes[static_cast<std::size_t>(index)]; }
  int node_count() const { return static_cast<int>(graph_.nodes.size()); }

  // Every (node, input slot) reading the value, removed nodes excluded.
  const std::vector<ValueUse>& uses(ValueId value) const { return uses_[static_cast<std::size_t>(value)]; }
  // The node writing the value, or -1 (graph input, constant, or nobody).
  int producer(ValueId value) const { return producer_[static_cast<std::size_t>(value)]; }
  bool is_graph_output(ValueId value) const { return graph_output_[static_cast<std::size_t>(value)]; }
  bool is_graph_input(ValueId value) const { return graph_input_[static_cast<std::size_t>(value)]; }
  const Tensor* constant(ValueId value) const;
  // The node that is the only reader of the value (through one input slot),
  // when the value is not also a graph output: the condition for folding the
  // value away into its reader. -1 otherwise.
  int sole_consumer(ValueId value) const;

  void set_input(int node, std::size_t slot, ValueId value);
  void set_output(int node, std::size_t slot, ValueId value);
  // Points every reader of `from` at `to`.
  void replace_uses(ValueId from, ValueId to);
  // The node stops counting as a reader or producer; compact() erases it.
  void remove(int node);
  bool removed(int node) const { return removed_[static_cast<std::size_t>(node)]; }

  // A new float constant value named after `base`, made unique in the graph.
  ValueId add_constant(const std::string& base, Tensor value);

  // Erases removed nodes from graph.nodes (node indices change). Returns how
  // many were erased.
  int compact();

 private:
  void rebuild();
  void grow(ValueId value);

  Graph& graph_;
  std::vector<std::vector<ValueUse>> uses_;
  std::vector<int> producer_;
  std::vector<bool> graph_output_;
  std::vector<bool> graph_input_;
  std::vector<bool> removed_;
};

// A new value name made of `base` and a suffix that no value of the graph has.
std::string unique_value_name(const Graph& graph, const std::string& base);

}  // namespace onnxrun
