#pragma once
// Convolution on NCHW8c tensors (ops/kernels/nchwc_conv.hpp): the algorithm of
// the com.onnxrun.NchwcConv nodes that the layout pass makes. Its ConvRunArgs
// input, output and residual are blocked ([N, C/8, H, W, 8]); the bias is per
// channel as usual.
#include <memory>

#include "ops/conv/conv_algorithm.hpp"

namespace onnxrun {

// True when the layer can run blocked: 2D, constant weights, and either dense
// (groups 1) or depthwise (groups == in == out channels), with channel counts
// that are multiples of 8.
bool conv_nchwc_applies(const reference::ConvParams& params);

// nullptr when conv_nchwc_applies is false or the weights are not constant.
std::unique_ptr<ConvAlgorithm> make_conv_nchwc(const ConvSetup& setup);

// The same for a dense layer whose input is plain NCHW, with any channel count
// (a network's first layer on RGB images), and whose output is blocked: 2D,
// groups 1, output channels a multiple of 8.
bool conv_nchwc_from_nchw_applies(const reference::ConvParams& params);
std::unique_ptr<ConvAlgorithm> make_conv_nchwc_from_nchw(const ConvSetup& setup);

}  // namespace onnxrun
