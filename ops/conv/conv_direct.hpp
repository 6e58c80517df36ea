#pragma once
// Direct convolution (ops/kernels/direct_conv.hpp) for 2D, one-group layers:
// no im2col copy, which on layers with few input channels (a network's first
// layer) costs more than the GEMM it feeds.
#include <memory>

#include "ops/conv/conv_algorithm.hpp"

namespace onnxrun {

bool direct_conv_applies(const reference::ConvParams& p);

// nullptr unless direct_conv_applies. Packs the weights.
std::unique_ptr<ConvAlgorithm> make_conv_direct(const ConvSetup& setup);

}  // namespace onnxrun
