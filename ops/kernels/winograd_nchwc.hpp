#pragma once
// Winograd F(m x m, 3 x 3) transforms on NCHW8c tensors ([N, C/8, H, W, 8],
// nchwc_conv.hpp), for the layers of a blocked region (the layout pass,
// runtime/graph/pass_nchwc_layout.cpp). Tiles, their numbering and the
// geometry are WinogradLayer's (winograd.hpp); the channel counts are
// multiples of 8.
//
// A vector here holds one block's 8 channels at one pixel, so a tile's input
// patch is alpha^2 plain vector loads and its output m^2 plain
// vector stores: no gather, no scatter, no transposes. The GEMMs between the
// transforms are then 1x1 NCHW8c convolutions over a "plane" of tiles: for
// each position t = k * alpha + l,
//
//   M_t [out_blocks][tiles][8] = U_t [out_channels x in_channels] * V_t [in_blocks][tiles][8]
//
// which nchwc_conv runs (a 1 x count plane, weights packed per position).
#include <cstdint>

#include "ops/kernels/epilogue.hpp"
#include "ops/kernels/winograd.hpp"

namespace onnxrun::kernels {

// V_t for tiles [tile_begin, tile_begin + count): position t at
// v + t * v_stride, laid out [in_blocks][count][8]. input: the whole
// [batch, in_channels / 8, in_h, in_w, 8] tensor. Only the input blocks in
// `blocks` (a ChannelRange of blocks, not channels) are written.
void winograd_nchwc_input_transform(const WinogradLayer& l, const float* input, std::int64_t tile_begin,
                                    std::int64_t count, float* v, std::int64_t v_stride, ChannelRange blocks = {});

// From M_t at gemm + t * gemm_stride, laid out [out_blocks][count][8], writes
// those tiles of the output blocks in `blocks` as act(Y + bias + residual):
// row_bias indexed by channel, residual and output the whole
// [batch, out_channels / 8, out_h, out_w, 8] tensors.
void winograd_nchwc_output_transform(const WinogradLayer& l, const float* gemm, std::int64_t gemm_stride,
                                     std::int64_t tile_begin, std::int64_t count, const Epilogue& epilogue,
                                     float* output, ChannelRange blocks = {});

}  // namespace onnxrun::kernels
