// A GlobalAveragePool of a blocked convolution's output (squeeze-excitation
// blocks, MobileNetV2's head) read that output back from memory after the
// convolution had written it: 0.28 ms of EfficientNet-B0's 14 at one thread.
// Folded into the convolution as its output 1, each of the convolution's
// tasks sums the pixels it has just written, while they are still in cache
// (conv_nchwc.cpp).
//
// A MaxPool after an NCHW convolution (the first layers of ResNet, SqueezeNet
// and GoogLeNet) is folded into the convolution as attributes, and the
// convolution computes its output in bands that it pools while they are in
// cache (ops/conv/conv_max_pool.hpp); so is an NchwcMaxPool after a first
// layer that writes blocked output from an RGB image (NchwcConv with
// nchw_input, pass_nchwc_layout.cpp).
#include <string>

#include "runtime/graph/graph_rewriter.hpp"
#include "runtime/graph/optimize.hpp"

namespace onnxrun {

int fuse_pool_into_conv(Graph& graph) {
  GraphRewriter rewriter(graph);
  int fused = 0;
  for (int index = 0; index < rewriter.node_count(); ++index) {
    const Node& pool = rewriter.node(index);
    if (rewriter.removed(index) || !is_onnxrun_op(pool, "NchwcGlobalAveragePool") || pool.inputs.size() != 1 ||
        pool.outputs.size() != 1 || pool.inputs[0] == kNoValue || pool.outputs[0] == kNoValue)
      continue;
    const int conv = rewriter.producer(pool.inputs[0]);
    if (conv < 0) continue;
    const Node& producer = rewriter.node(conv);
    if (!is_onnxrun_op(producer, "NchwcConv") || producer.outputs.size() != 1) continue;
    const ValueId pooled = pool.outputs[0];
    rewriter.remove(index);
    rewriter.node(conv).outputs.resize(2, kNoValue);
    rewriter.set_output(conv, 1, pooled);
    ++fused;
  }
  rewriter.compact();
  return fused;
}

namespace {

// A MaxPool the folded form runs: one output (no Indices), 2D (two kernel
// dims; the convolution's weights then must be 4D for shapes to agree) and
// explicit pads. Dilations, ceil_mode and storage_order are read and checked
// by the fused op as MaxPool would.
bool foldable_max_pool(const Node& pool) {
  if (!is_default_op(pool, "MaxPool") && !is_onnxrun_op(pool, "NchwcMaxPool")) return false;
  if (pool.inputs.size() != 1 || pool.inputs[0] == kNoValue) return false;
  if (pool.outputs.empty() || pool.outputs[0] == kNoValue) return false;
  for (std::size_t i = 1; i < pool.outputs.size(); ++i)
    if (pool.outputs[i] != kNoValue) return false;
  const Attribute* kernel = pool.attributes.find("kernel_shape");
  if (!kernel || kernel->kind != Attribute::Kind::Ints || kernel->ints.size() != 2) return false;
  const Attribute* auto_pad = pool.attributes.find("auto_pad");
  return !auto_pad || (auto_pad->kind == Attribute::Kind::String && auto_pad->s == "NOTSET");
}

// A convolution in the pool's layout without a residual whose constant
// weights are 4D: for a MaxPool a Conv or FusedConv, for an NchwcMaxPool an
// NchwcConv from an NCHW input, without Scale (input 4) or pooled output.
bool foldable_conv(const GraphRewriter& rewriter, const Node& conv, bool blocked_pool) {
  const bool plain = is_default_op(conv, "Conv"), fused = is_onnxrun_op(conv, "FusedConv");
  const bool blocked = is_onnxrun_op(conv, "NchwcConv") &&
                       conv.attributes.get_int("nchw_input", 0, conv.describe()) == 1 && conv.inputs.size() <= 4;
  if ((blocked_pool ? !blocked : !plain && !fused) || conv.outputs.size() != 1 || conv.inputs.size() < 2 ||
      conv.inputs[1] == kNoValue)
    return false;
  if (conv.inputs.size() > 3 && conv.inputs[3] != kNoValue) return false;  // a residual
  const Tensor* weights = rewriter.constant(conv.inputs[1]);
  return weights && weights->shape().size() == 4;
}

}  // namespace

int fuse_max_pool_into_conv(Graph& graph) {
  GraphRewriter rewriter(graph);
  int fused = 0;
  for (int index = 0; index < rewriter.node_count(); ++index) {
    const Node& pool = rewriter.node(index);
    if (rewriter.removed(index) || !foldable_max_pool(pool)) continue;
    const int conv = rewriter.producer(pool.inputs[0]);
    if (conv < 0 || rewriter.sole_consumer(pool.inputs[0]) != index ||
        !foldable_conv(rewriter, rewriter.node(conv), is_onnxrun_op(pool, "NchwcMaxPool")))
      continue;
    Node& node = rewriter.node(conv);
    if (node.domain != kOnnxrunDomain) {  // a plain Conv: the same with no activation
      node.domain = kOnnxrunDomain;
      node.op_type = "FusedConv";
      node.opset = 1;
    }
    for (const auto& [name, attribute] : pool.attributes.all())
      node.attributes.set(std::string(kFoldedPoolPrefix) + name, attribute);
    const ValueId pooled = pool.outputs[0];
    rewriter.remove(index);
    rewriter.set_output(conv, 0, pooled);
    ++fused;
  }
  rewriter.compact();
  return fused;
}

}  // namespace onnxrun
