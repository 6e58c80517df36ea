#pragma once
// Graph passes that run between loading and planning (SessionOptions.optimize).
// Each rewrites the graph in place so that the plan has fewer, fatter steps;
// none changes a graph input or output name, and each keeps the outputs equal
// to the unoptimized graph's within float rounding.
//
// Fused nodes live in the domain "com.onnxrun" at opset 1:
//   FusedConv: inputs [X, W, B or absent, Residual (optional)], the Conv's
//              attributes, plus the activation attributes below.
//   FusedGemm: the Gemm's inputs and attributes, plus the activation attributes.
//   "activation": Relu, Clip, LeakyRelu, Sigmoid, HardSigmoid or HardSwish
//                 (absent: none); "activation_alpha", "activation_beta": floats
//                 (Clip: min / max; LeakyRelu: alpha; HardSigmoid, HardSwish:
//                 alpha / beta). Output = activation(conv_or_gemm + residual).
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "runtime/graph/graph.hpp"

namespace onnxrun {

// Each value's shape (by ValueId; nullopt where not known) in a graph as it
// stands: what passes that weigh a rewrite by tensor sizes are given
// (runtime/exec/value_shapes.hpp makes it from the ops' shape inference).
using ValueShapes = std::vector<std::optional<Shape>>;
using ValueShapesOf = std::function<ValueShapes(const Graph&)>;

// Runs every pass below, in order (use_nchwc_layout only with blocked_layout),
// then drops constants nothing reads. shapes_of, when given, tells the
// layout pass the sizes of the fused graph's tensors.
void optimize_graph(Graph& graph, bool blocked_layout = true, const ValueShapesOf& shapes_of = {});

// Each pass returns how many nodes it removed or rewrote.

// Identity, inference Dropout (mask output unused) and nodes no graph output
// depends on.
int remove_noop_nodes(Graph& graph);
int remove_dead_nodes(Graph& graph);
// BatchNormalization with constant statistics folded into the weights and bias
// of the Conv before it (new constants; the old may be shared).
int fold_batch_norm_into_conv(Graph& graph);
// Conv [+ Add residual] [+ activation] -> com.onnxrun.FusedConv.
int fuse_conv_residual_activation(Graph& graph);
// Gemm + activation -> com.onnxrun.FusedGemm.
int fuse_gemm_activation(Graph& graph);
// Runs regions of depthwise and pointwise convolutions in the NCHW8c layout
// (pass_nchwc_layout.cpp says which), with com.onnxrun.NchwcConv,
// NchwcGlobalAveragePool, ReorderToNchwc and ReorderFromNchwc nodes.
// With shapes, a region that stays NCHW for its strided layers (ResNets)
// runs its large planes blocked between them.
int use_nchwc_layout(Graph& graph, const ValueShapes* shapes = nullptr);
// A squeeze-excitation scale, Mul(x, s) with s computed from
// GlobalAveragePool(x) through 1x1 convolutions and activations, folded into
// the NchwcConv that alone reads the product: its input 4 (Scale, one factor
// per image and channel) becomes s and its input x.
int fold_channel_scale_into_conv(Graph& graph);
// NchwcGlobalAveragePool of an NchwcConv's output folded into that conv as
// its output 1, the per-channel means, summed as the conv writes its tiles.
int fuse_pool_into_conv(Graph& graph);
// A 2D MaxPool (no Indices) that alone reads an NCHW Conv or FusedConv
// without a residual, folded into it: the node becomes a FusedConv whose
// output is the pooled one, with the pool's attributes under the prefix
// below (pool_kernel_shape, pool_strides, ...; ops/conv/conv_max_pool.hpp).
// The same for an NchwcMaxPool that alone reads a first layer's NchwcConv
// (nchw_input), which stays an NchwcConv.
inline constexpr char kFoldedPoolPrefix[] = "pool_";
int fuse_max_pool_into_conv(Graph& graph);
// Relu, Clip, Sigmoid and the other activations that act on each value alone.
bool is_unary_elementwise(const Node& node);
// Channels per block of that layout; ops/kernels/nchwc_conv.hpp's kNchwcBlock.
inline constexpr std::int64_t kNchwcBlock = 8;
// Releases the data of constants that no node reads and no output names.
int drop_unused_constants(Graph& graph);

}  // namespace onnxrun
