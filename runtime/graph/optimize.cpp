#include "runtime/graph/optimize.hpp"

#include <vector>

#include "runtime/graph/graph_rewriter.hpp"

namespace onnxrun {

void optimize_graph(Graph& graph, bool blocked_layout, const ValueShapesOf& shapes_of) {
  // No-ops first, so that an Identity or Dropout between a Conv and its
  // BatchNormalization or activation does not hide the pattern.
  remove_noop_nodes(graph);
  remove_dead_nodes(graph);
  // Before fusion: the BatchNormalization sits between Conv and Add / Relu.
  fold_batch_norm_into_conv(graph);
  fuse_conv_residual_activation(graph);
  fuse_gemm_activation(graph);
  // Last: it rewrites fused convolutions and the element-wise ops left between them.
  if (blocked_layout) {
    const ValueShapes shapes = shapes_of ? shapes_of(graph) : ValueShapes{};
    use_nchwc_layout(graph, shapes.empty() ? nullptr : &shapes);
    fold_channel_scale_into_conv(graph);
    fuse_pool_into_conv(graph);
  }
  // After the layout pass, which keeps its convolutions (NchwcConv) and pools.
  fuse_max_pool_into_conv(graph);
  bool uses_fused_ops = false;
  for (const Node& node : graph.nodes) uses_fused_ops = uses_fused_ops || node.domain == kOnnxrunDomain;
  if (uses_fused_ops) graph.opsets.emplace(kOnnxrunDomain, 1);
  drop_unused_constants(graph);
}

int drop_unused_constants(Graph& graph) {
  std::vector<bool> used(graph.values.size(), false);
  for (const Node& node : graph.nodes)
    for (ValueId in : node.inputs)
      if (in != kNoValue) used[in] = true;
  for (const GraphOutput& output : graph.outputs) used[output.value] = true;
  // A BatchNormalization folded into a Conv leaves the old weights behind;
  // without this they would stay in memory for the session's lifetime.
  int dropped = 0;
  for (std::size_t v = 0; v < graph.values.size(); ++v)
    if (graph.values[v].constant && !used[v]) {
      graph.values[v].constant.reset();
      ++dropped;
    }
  return dropped;
}

}  // namespace onnxrun
