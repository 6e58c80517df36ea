// Runs parts of a network in the channel-blocked layout NCHW8c
// ([N, C/8, H, W, 8], ops/kernels/nchwc_conv.hpp). There a depthwise
// convolution is plain 8-lane vector FMAs (0.63x the NCHW kernel's time over
// MobileNetV2's depthwise layers, 1 thread), the pointwise convolutions run as
// fast as the packed GEMM in NCHW or faster (up to 28% on MobileNetV2's 7x7
// and 14x14 layers), Winograd's transforms move whole 8-channel vectors
// (conv_winograd_nchwc.cpp), and MaxPool is plain vector maxes at any stride.
//
// Which convolutions: those the blocked kernels run (2D, constant weights,
// dense or depthwise, channel counts multiples of 8). They are grouped into
// regions: two convolutions are in the same region when one's output reaches
// the other's input or residual through element-wise ops, MaxPools and
// channel Concats. A region of at least two convolutions goes blocked when
// it has a depthwise convolution, or a dense 3x3 stride-1 one (Winograd's)
// and no strided dense one: SqueezeNet's and GoogLeNet's fire and inception
// modules, 0.87 and 0.87 of their NCHW time at 1 thread, 0.61 and 0.82 at 2
// (per-layer medians, this machine). A region whose strided dense layers
// alone keep it NCHW (a ResNet: blocked, its stride-2 layers ran 1.1-1.6x
// the time of im2col + GEMM in NCHW) is split where the tensors' shapes are
// known (optimize_graph's shapes_of): its strided layers and its planes
// under 28x28 stay NCHW, and the rest is grouped again by the same rule, so
// that ResNet's 56x56 and 28x28 stages run blocked between reorders around
// the strided layers. Elsewhere (ConvNeXt's lone depthwise layers between
// permutes) a reorder at each edge would cost more than the layout gains.
//
// Inside a region, element-wise ops run unchanged on the blocked tensors
// (unary ones, and binary ones whose other operand is blocked too or is
// reordered: a [N, C, 1, 1] squeeze-excitation scale becomes [N, C/8, 1, 1, 8]
// and broadcasts the same way), a Concat along the channels concatenates
// whole blocks (and is still written in place by its inputs), MaxPool becomes
// NchwcMaxPool, GlobalAveragePool reads the blocked tensor directly, and
// ReorderToNchwc / ReorderFromNchwc nodes convert at the edges.
// A region's entry reorder whose input is a first layer's convolution (fewer
// than 8 input channels: RGB), or a MaxPool of one, goes away: that
// convolution reads its NCHW input and writes the blocked output itself
// (NchwcConv with nchw_input = 1), and the pool becomes NchwcMaxPool.
#include <functional>
#include <numeric>
#include <optional>
#include <set>
#include <vector>

#include "runtime/graph/graph_rewriter.hpp"
#include "runtime/graph/optimize.hpp"

namespace onnxrun {

namespace {

bool is_conv(const Node& node) {
  return is_default_op(node, "Conv") || is_onnxrun_op(node, "FusedConv");
}

// Numpy-broadcasting binary ops (opset 7 on).
bool is_binary_elementwise(const Node& node) {
  for (const char* op : {"Add", "Sub", "Mul", "Div"})
    if (is_default_op(node, op)) return node.opset >= 7 && node.inputs.size() == 2 && node.outputs.size() == 1;
  return false;
}

// A MaxPool the blocked kernel runs: 2D, dilation 1, no Indices output.
bool is_blockable_max_pool(const Node& node) {
  if (!is_default_op(node, "MaxPool") || node.inputs.size() != 1 || node.outputs.size() != 1) return false;
  const std::string where = node.describe();
  for (std::int64_t d : node.attributes.get_ints("dilations", {}, where))
    if (d != 1) return false;
  return node.attributes.get_ints("kernel_shape", {}, where).size() == 2;
}

// A Concat along the channels: on blocked tensors, blocks follow blocks.
bool is_channel_concat(const Node& node) {
  return is_default_op(node, "Concat") && !node.inputs.empty() && node.outputs.size() == 1 &&
         node.attributes.get_int("axis", 0, node.describe()) == 1;
}

struct ConvCandidate {
  bool depthwise = false;
  bool winograd = false;  // dense 3x3 stride 1: Winograd runs it (NCHW8c Winograd in a region)
  bool strided_dense = false;  // dense with a stride above 1
  std::int64_t in_channels = 0, out_channels = 0;
};

bool all_ones(const std::vector<std::int64_t>& values) {
  for (std::int64_t v : values)
    if (v != 1) return false;
  return true;
}

// The layer when the blocked kernels run it and Winograd does not beat them.
std::optional<ConvCandidate> conv_candidate(const GraphRewriter& rewriter, int index) {
  const Node& node = rewriter.node(index);
  if (rewriter.removed(index) || !is_conv(node) || node.inputs.size() < 2 || node.inputs[0] == kNoValue ||
      node.inputs[1] == kNoValue || node.outputs.size() != 1 || node.outputs[0] == kNoValue)
    return std::nullopt;
  const Tensor* weight = rewriter.constant(node.inputs[1]);
  if (!weight || weight->dtype() != DType::Float32 || weight->shape().size() != 4) return std::nullopt;
  const Shape& w = weight->shape();
  const std::string where = node.describe();
  const std::int64_t group = node.attributes.get_int("group", 1, where);
  ConvCandidate c;
  c.out_channels = w[0];
  c.in_channels = w[1] * group;
  c.depthwise = group > 1 && group == c.out_channels && group == c.in_channels;
  if ((group != 1 && !c.depthwise) || c.in_channels % kNchwcBlock != 0 || c.out_channels % kNchwcBlock != 0)
    return std::nullopt;
  const bool winograd_shape = group == 1 && w[2] == 3 && w[3] == 3 &&
                              all_ones(node.attributes.get_ints("strides", {}, where)) &&
                              all_ones(node.attributes.get_ints("dilations", {}, where));
  c.winograd = winograd_shape;
  for (std::int64_t stride : node.attributes.get_ints("strides", {}, where)) c.strided_dense |= group == 1 && stride > 1;
  return c;
}

class UnionFind {
 public:
  explicit UnionFind(std::size_t n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), 0); }
  int find(int i) { return parent_[i] == i ? i : parent_[i] = find(parent_[i]); }
  void join(int a, int b) { parent_[find(a)] = find(b); }

 private:
  std::vector<int> parent_;
};

// The candidate convolutions whose outputs reach `value` through element-wise
// ops (a few levels deep: residual chains are short).
void producing_candidates(const GraphRewriter& rewriter, const std::vector<bool>& candidate, ValueId value, int depth,
                          std::vector<int>& found) {
  const int producer = value == kNoValue ? -1 : rewriter.producer(value);
  if (producer < 0 || depth > 8) return;
  if (candidate[static_cast<std::size_t>(producer)]) {
    found.push_back(producer);
    return;
  }
  const Node& node = rewriter.node(producer);
  if (is_unary_elementwise(node) || is_blockable_max_pool(node))
    producing_candidates(rewriter, candidate, node.inputs[0], depth + 1, found);
  if (is_binary_elementwise(node) || is_channel_concat(node))
    for (ValueId in : node.inputs) producing_candidates(rewriter, candidate, in, depth + 1, found);
}

// Rewrites the graph once the blocked convolutions are known.
class LayoutRewrite {
 public:
  explicit LayoutRewrite(Graph& graph)
      : graph_(graph), blocked_(graph.values.size(), kNoValue), channels_(graph.values.size(), 0) {}

  // The blocked version of `value` (known to have `channels` channels),
  // reordering it when there is none yet.
  ValueId to_blocked(ValueId value, std::int64_t channels) {
    if (blocked_[value] != kNoValue) return blocked_[value];
    const ValueId result = new_value(graph_.values[value].name + "_nchwc");
    add_node("ReorderToNchwc", value, result);
    set_blocked(value, result, channels);
    return result;
  }

  ValueId blocked(ValueId value) const { return value == kNoValue ? kNoValue : blocked_[value]; }
  std::int64_t channels(ValueId value) const { return value == kNoValue ? 0 : channels_[value]; }
  void set_channels(ValueId value, std::int64_t channels) { channels_[value] = channels; }

  // Node `index` now writes a blocked version of its output instead; the
  // NCHW output is made from it later if anything still reads it.
  void block_output(int index, std::int64_t channels) {
    Node& node = graph_.nodes[static_cast<std::size_t>(index)];
    const ValueId nchw = node.outputs[0];
    const ValueId result = new_value(graph_.values[nchw].name + "_nchwc");
    node.outputs[0] = result;
    set_blocked(nchw, result, channels);
    unproduced_.push_back(nchw);
  }

  // Adds ReorderFromNchwc for every NCHW value no node writes any more but a
  // node or the graph's outputs still read.
  void restore_read_values() {
    std::set<ValueId> read;
    for (const Node& node : graph_.nodes)
      for (ValueId in : node.inputs) read.insert(in);
    for (const GraphOutput& output : graph_.outputs) read.insert(output.value);
    for (ValueId value : unproduced_)
      if (read.count(value)) add_node("ReorderFromNchwc", blocked_[value], value);
  }

 private:
  ValueId new_value(const std::string& base) {
    const ValueId id = graph_.value_id(unique_value_name(graph_, base));
    blocked_.resize(graph_.values.size(), kNoValue);
    channels_.resize(graph_.values.size(), 0);
    return id;
  }

  void set_blocked(ValueId nchw, ValueId blocked, std::int64_t channels) {
    blocked_[nchw] = blocked;
    channels_[nchw] = channels;
  }

  void add_node(const char* op_type, ValueId input, ValueId output) {
    Node node;
    node.name = graph_.values[output].name + "_" + op_type;
    node.op_type = op_type;
    node.domain = kOnnxrunDomain;
    node.opset = 1;
    node.inputs = {input};
    node.outputs = {output};
    graph_.nodes.push_back(std::move(node));
  }

  Graph& graph_;
  std::vector<ValueId> blocked_;       // per NCHW value: its blocked version, or kNoValue
  std::vector<std::int64_t> channels_;  // per NCHW value: its channel count when a pass knows it, else 0
  std::vector<ValueId> unproduced_;    // NCHW values whose writer now writes the blocked version
};

// The convolution that alone writes `value` and can write it blocked from an
// NCHW input with few channels: constant 4D weights, groups 1, output channels
// a multiple of 8, no residual. -1 when there is none.
int first_layer_writing(const GraphRewriter& rewriter, ValueId value) {
  const int index = rewriter.producer(value);
  if (index < 0) return -1;
  const Node& node = rewriter.node(index);
  if (!is_conv(node) || node.outputs.size() != 1 || node.inputs.size() < 2 || node.inputs[1] == kNoValue ||
      (node.inputs.size() > 3 && node.inputs[3] != kNoValue))
    return -1;
  const Tensor* weight = rewriter.constant(node.inputs[1]);
  if (!weight || weight->dtype() != DType::Float32 || weight->shape().size() != 4) return -1;
  const Shape& w = weight->shape();
  const bool dense = node.attributes.get_int("group", 1, node.describe()) == 1;
  return dense && w[1] < kNchwcBlock && w[0] % kNchwcBlock == 0 ? index : -1;
}

void make_first_layer_blocked(Node& node) {
  node.domain = kOnnxrunDomain;
  node.op_type = "NchwcConv";
  node.opset = 1;
  Attribute nchw_input;
  nchw_input.kind = Attribute::Kind::Int;
  nchw_input.i = 1;
  node.attributes.set("nchw_input", nchw_input);
}

// Folds ReorderToNchwc into the first-layer convolution before it (see the
// header comment) when the reorder is the only reader of the convolution's
// output. Where a MaxPool alone sits between them (SqueezeNet's and
// GoogLeNet's first layers), the pool runs blocked too (NchwcMaxPool,
// which fuse_max_pool_into_conv then folds into the convolution): its NCHW
// output was the region's entry.
int write_blocked_from_first_layers(Graph& graph) {
  GraphRewriter rewriter(graph);
  int folded = 0;
  for (int index = 0; index < rewriter.node_count(); ++index) {
    const Node& reorder = rewriter.node(index);
    if (!is_onnxrun_op(reorder, "ReorderToNchwc") || reorder.inputs.size() != 1 ||
        reorder.outputs.size() != 1)
      continue;
    const ValueId nchw = reorder.inputs[0], blocked = reorder.outputs[0];
    if (rewriter.sole_consumer(nchw) != index) continue;
    if (const int conv = first_layer_writing(rewriter, nchw); conv >= 0) {
      rewriter.remove(index);
      rewriter.set_output(conv, 0, blocked);
      make_first_layer_blocked(rewriter.node(conv));
      ++folded;
      continue;
    }
    const int pool = rewriter.producer(nchw);
    if (pool < 0 || !is_blockable_max_pool(rewriter.node(pool))) continue;
    // The convolution's output keeps its value, which now holds the blocked tensor.
    const ValueId conv_output = rewriter.node(pool).inputs[0];
    const int conv = first_layer_writing(rewriter, conv_output);
    if (conv < 0 || rewriter.sole_consumer(conv_output) != pool) continue;
    rewriter.remove(index);
    make_first_layer_blocked(rewriter.node(conv));
    Node& blocked_pool = rewriter.node(pool);
    blocked_pool.domain = kOnnxrunDomain;
    blocked_pool.op_type = "NchwcMaxPool";
    blocked_pool.opset = 1;
    rewriter.set_output(pool, 0, blocked);
    ++folded;
  }
  rewriter.compact();
  return folded;
}

}  // namespace

// Ops that act on each value alone: they run on a blocked tensor unchanged.
// (Clip's min and max are scalars.)
bool is_unary_elementwise(const Node& node) {
  for (const char* op : {"Relu", "Clip", "Sigmoid", "HardSigmoid", "HardSwish", "LeakyRelu", "Tanh", "Elu"})
    if (is_default_op(node, op)) return node.inputs.size() >= 1 && node.outputs.size() == 1;
  return false;
}

namespace {

// The convolutions in `candidate` grouped into regions (joined through their
// inputs and residuals), each region's convolutions kept as candidates where
// the region is worth running blocked. With `split`, a region that is not
// only because of its strided dense layers has its convolutions marked
// there instead, and left candidates.
void keep_blocked_regions(const GraphRewriter& rewriter, const std::vector<int>& order,
                          const std::vector<ConvCandidate>& info, std::vector<bool>& candidate,
                          std::vector<bool>* split) {
  const std::size_t nodes = candidate.size();
  UnionFind regions(nodes);
  for (int n : order) {
    if (!candidate[static_cast<std::size_t>(n)]) continue;
    const Node& node = rewriter.node(n);
    std::vector<int> sources;
    producing_candidates(rewriter, candidate, node.inputs[0], 0, sources);
    if (node.inputs.size() > 3) producing_candidates(rewriter, candidate, node.inputs[3], 0, sources);
    for (int source : sources) regions.join(source, n);
  }
  std::vector<int> size(nodes, 0);
  std::vector<bool> has_depthwise(nodes, false), has_winograd(nodes, false), has_strided_dense(nodes, false);
  for (int n : order)
    if (candidate[static_cast<std::size_t>(n)]) {
      const auto root = static_cast<std::size_t>(regions.find(n));
      const ConvCandidate& c = info[static_cast<std::size_t>(n)];
      ++size[root];
      has_depthwise[root] = has_depthwise[root] || c.depthwise;
      has_winograd[root] = has_winograd[root] || c.winograd;
      has_strided_dense[root] = has_strided_dense[root] || c.strided_dense;
    }
  for (int n : order)
    if (candidate[static_cast<std::size_t>(n)]) {
      const auto root = static_cast<std::size_t>(regions.find(n));
      const bool strided_only = !has_depthwise[root] && has_winograd[root] && has_strided_dense[root];
      if (split && strided_only) {
        (*split)[static_cast<std::size_t>(n)] = true;
        continue;
      }
      const bool worth_it = has_depthwise[root] || (has_winograd[root] && !has_strided_dense[root]);
      candidate[static_cast<std::size_t>(n)] = worth_it && size[root] >= 2;
    }
}

// Output pixels per plane from which a ResNet stage runs blocked between its
// strided layers: at 56x56 and 28x28 its 1x1 layers took 0.63-0.99 of the
// NCHW GEMM's time blocked and its Winograd layers 0.75-0.92 (no reorders
// around each), at 14x14 and 7x7 1.0-1.3 (per-layer minimum of medians,
// ResNet-50, 1 thread, AVX-512 machine).
constexpr std::int64_t kMinSplitRegionPlane = 28 * 28;

// The convolution's output plane (H x W) when its output shape is known, else 0.
std::int64_t output_plane(const Node& node, const ValueShapes& shapes) {
  const ValueId out = node.outputs[0];
  if (out == kNoValue || static_cast<std::size_t>(out) >= shapes.size() || !shapes[out] || shapes[out]->size() != 4)
    return 0;
  return (*shapes[out])[2] * (*shapes[out])[3];
}

}  // namespace

int use_nchwc_layout(Graph& graph, const ValueShapes* shapes) {
  std::vector<int> order = graph.topological_order();
  std::vector<ConvCandidate> info(graph.nodes.size());
  std::vector<bool> candidate(graph.nodes.size(), false);
  {
    const GraphRewriter rewriter(graph);
    for (int n : order)
      if (auto c = conv_candidate(rewriter, n)) {
        info[static_cast<std::size_t>(n)] = *c;
        candidate[static_cast<std::size_t>(n)] = true;
      }
    // A region that would stay NCHW for its strided dense layers (a ResNet)
    // is split where sizes are known: those layers and the small planes stay
    // NCHW, and what is left is grouped again (each stage's large planes).
    std::vector<bool> split(graph.nodes.size(), false);
    keep_blocked_regions(rewriter, order, info, candidate, shapes ? &split : nullptr);
    if (shapes) {
      bool any_split = false;
      for (int n : order) {
        const auto i = static_cast<std::size_t>(n);
        if (!split[i]) continue;
        any_split = true;
        candidate[i] = !info[i].strided_dense && output_plane(rewriter.node(n), *shapes) >= kMinSplitRegionPlane;
      }
      if (any_split) keep_blocked_regions(rewriter, order, info, candidate, nullptr);
      // Candidates of regions that were not split are decided already; the
      // second grouping sees them again and keeps them (same regions).
    }
  }

  LayoutRewrite layout(graph);
  int rewritten = 0;
  for (int n : order) {
    const auto index = static_cast<std::size_t>(n);
    // Not a reference: to_blocked appends nodes to graph.nodes.
    const auto node = [&]() -> Node& { return graph.nodes[index]; };
    const std::vector<ValueId> inputs = node().inputs;
    if (candidate[index]) {
      const ConvCandidate& c = info[index];
      const bool residual = inputs.size() > 3 && inputs[3] != kNoValue;
      // A residual must be known to have the output's channels to be blocked.
      if (residual && layout.blocked(inputs[3]) == kNoValue && layout.channels(inputs[3]) != c.out_channels) {
        layout.set_channels(node().outputs[0], c.out_channels);
        continue;
      }
      const ValueId x = layout.to_blocked(inputs[0], c.in_channels);
      const ValueId r = residual ? layout.to_blocked(inputs[3], c.out_channels) : kNoValue;
      node().inputs[0] = x;
      if (residual) node().inputs[3] = r;
      node().domain = kOnnxrunDomain;
      node().op_type = "NchwcConv";
      node().opset = 1;
      layout.block_output(n, c.out_channels);
      ++rewritten;
    } else if (is_conv(node()) && inputs.size() > 1 && inputs[1] != kNoValue && node().outputs.size() == 1) {
      // Known channels let a later element-wise op reorder this output.
      const std::optional<Tensor>& w = graph.values[static_cast<std::size_t>(inputs[1])].constant;
      if (w && w->shape().size() == 4) layout.set_channels(node().outputs[0], w->shape()[0]);
    } else if (is_unary_elementwise(node()) && layout.blocked(inputs[0]) != kNoValue) {
      const std::int64_t channels = layout.channels(inputs[0]);
      node().inputs[0] = layout.blocked(inputs[0]);
      layout.block_output(n, channels);
      ++rewritten;
    } else if (is_binary_elementwise(node())) {
      const ValueId a = inputs[0], b = inputs[1];
      const bool a_blocked = layout.blocked(a) != kNoValue, b_blocked = layout.blocked(b) != kNoValue;
      if (!a_blocked && !b_blocked) continue;
      // The other operand must have the same channel count to be reordered.
      const std::int64_t channels = layout.channels(a_blocked ? a : b);
      if ((!a_blocked && layout.channels(a) != channels) || (!b_blocked && layout.channels(b) != channels)) continue;
      const ValueId a_new = layout.to_blocked(a, channels), b_new = layout.to_blocked(b, channels);
      node().inputs = {a_new, b_new};
      layout.block_output(n, channels);
      ++rewritten;
    } else if (is_blockable_max_pool(node()) && layout.blocked(inputs[0]) != kNoValue) {
      const std::int64_t channels = layout.channels(inputs[0]);
      node().inputs[0] = layout.blocked(inputs[0]);
      node().domain = kOnnxrunDomain;
      node().op_type = "NchwcMaxPool";
      node().opset = 1;
      layout.block_output(n, channels);
      ++rewritten;
    } else if (is_channel_concat(node())) {
      // Every input blocked, or of known channels that reorder: whole blocks.
      bool any_blocked = false, all_known = true;
      std::int64_t channels = 0;
      for (ValueId in : inputs) {
        any_blocked = any_blocked || layout.blocked(in) != kNoValue;
        all_known = all_known && layout.channels(in) > 0 && layout.channels(in) % kNchwcBlock == 0;
        channels += layout.channels(in);
      }
      if (!any_blocked || !all_known) continue;
      std::vector<ValueId> blocked_inputs;
      for (ValueId in : inputs) blocked_inputs.push_back(layout.to_blocked(in, layout.channels(in)));
      node().inputs = blocked_inputs;
      layout.block_output(n, channels);
      ++rewritten;
    } else if (is_default_op(node(), "GlobalAveragePool") && inputs.size() == 1 && node().outputs.size() == 1 &&
               layout.blocked(inputs[0]) != kNoValue) {
      layout.set_channels(node().outputs[0], layout.channels(inputs[0]));
      node().inputs[0] = layout.blocked(inputs[0]);
      node().domain = kOnnxrunDomain;
      node().op_type = "NchwcGlobalAveragePool";
      node().opset = 1;
      ++rewritten;
    }
  }
  layout.restore_read_values();
  return rewritten + write_blocked_from_first_layers(graph);
}

}  // namespace onnxrun
