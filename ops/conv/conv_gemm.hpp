#pragma once
// Convolution as GEMM: output[group rows, positions] = W[group rows, K] x
// im2col(input)[K, positions] per image and group, with K = in_channels/group x
// kernel volume. Weights are packed once; input columns are packed block by
// block straight from the input (a 1x1, stride-1, unpadded conv reads the input
// as the B matrix as it is). Works for every Conv (1D/2D/3D, any attribute);
// its weak spot is many groups of few channels (depthwise), where each GEMM is
// one row tall.
#include <memory>

#include "ops/conv/conv_algorithm.hpp"

namespace onnxrun {

// Uses the instruction set active when it is made (packed panel widths differ).
std::unique_ptr<ConvAlgorithm> make_conv_gemm(const ConvSetup& setup);

}  // namespace onnxrun
