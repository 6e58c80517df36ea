#pragma once
// Depthwise convolution (groups == in_channels == out_channels, one k x k
// filter per channel) with the SIMD kernels of ops/kernels/depthwise_conv.hpp.
// Mobile networks (MobileNetV2/V3, EfficientNet, MnasNet, ShuffleNet) spend
// much of their time here, and im2col + GEMM is a poor fit: each output needs
// only k * k products, so the GEMM's packing costs more than the arithmetic.
#include <memory>

#include "ops/conv/conv_algorithm.hpp"

namespace onnxrun {

// nullptr unless 2D, groups == in_channels == out_channels, kernel 3x3, 5x5 or 7x7,
// stride 1 or 2 (same in both dims), dilation 1. Copies the weights.
std::unique_ptr<ConvAlgorithm> make_conv_depthwise(const ConvSetup& setup);

}  // namespace onnxrun
