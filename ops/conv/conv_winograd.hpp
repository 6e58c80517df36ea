#pragma once
// Winograd convolution F(m x m, 3 x 3) for 2D 3x3 convolutions with stride 1,
// dilation 1 and one group (any pads, any batch): about (m+2)^2 / (9 m^2) of
// the direct method's multiplications (0.44 for m = 2, 0.25 for m = 4, 0.19
// for m = 6), paid for with transform work and rounding error that grows with m.
#include <memory>
#include <vector>

#include "ops/conv/conv_algorithm.hpp"
#include "ops/kernels/winograd.hpp"

namespace onnxrun {

// nullptr when the layer does not qualify (not 2D 3x3 stride 1 dilation 1
// group 1) or tile_size is not in {2, 4, 6}. All three meet the project's
// accuracy bound at any channel count (measurements in conv_winograd.cpp).
// Weights are transformed and packed here; runs may use any instruction set
// (blocks are sized for the widest SGEMM panel).
// 2D, 3x3, stride 1, dilation 1, one group, nothing empty.
bool winograd_applies(const reference::ConvParams& params);

// The layer's geometry for tile size m (winograd_applies must hold).
kernels::WinogradLayer winograd_layer(const reference::ConvParams& params, int m);

// The transformed weights' size over the transformed tiles' (alpha^2
// cancels): C * M / (tiles * (C + M)). From 1 up, each further block of
// tiles streams more weights than tiles; the blocked algorithm's choices
// (conv_choice.cpp, conv_winograd_nchwc.cpp) turn on it.
double winograd_weights_per_tiles(const reference::ConvParams& params, int m);

// U = G g G^T of every filter, as alpha^2 row-major [out_channels x
// in_channels] matrices, position t's at t * out_channels * in_channels.
std::vector<float> winograd_transformed_weights(const ConvSetup& setup, int m);

// The same layer on NCHW8c input and output (channel counts multiples of 8),
// for the blocked regions of a graph: conv_winograd_nchwc.cpp.
std::unique_ptr<ConvAlgorithm> make_conv_winograd_nchwc(const ConvSetup& setup, int tile_size);

std::unique_ptr<ConvAlgorithm> make_conv_winograd(const ConvSetup& setup, int tile_size);

}  // namespace onnxrun
