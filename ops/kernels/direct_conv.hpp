#pragma once
// Direct 2D convolution on NCHW, for layers with few input channels: the
// first layer of a network (3 RGB channels), where im2col would copy every
// input value kernel_h x kernel_w times for only in_channels x taps
// multiply-adds per copied column.
//
// Each image's input is first copied into a zero-padded buffer split by
// column phase: for stride s, phase p of a row holds the padded columns p,
// p + s, p + 2s, ... So tap (ky, kx) of output columns x .. x + n reads the
// n consecutive floats of row y * stride_h + ky * dilation_h, phase
// (kx * dilation_w) % s, from column x + (kx * dilation_w) / s: one unaligned
// vector load per tap, no border checks, any stride and dilation. Outputs are
// computed in register tiles of kDirectOcBlock output channels x 2 vectors of
// columns (the SGEMM micro-kernel's 6 x 16 on AVX2), with the weights
// repacked so that a tile's channels are adjacent.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "ops/kernels/epilogue.hpp"

namespace onnxrun::kernels {

inline constexpr std::int64_t kDirectOcBlock = 6;
// Output columns of the padded buffer are a multiple of the widest ISA's
// column tile (2 x 16 floats), so that the buffer made at setup fits
// whichever ISA runs.
inline constexpr std::int64_t kDirectColumnMultiple = 32;

struct DirectConvShape {
  std::int64_t in_channels = 1, in_h = 1, in_w = 1;
  std::int64_t out_channels = 1, out_h = 1, out_w = 1;
  std::int64_t kernel_h = 1, kernel_w = 1;
  std::int64_t stride_h = 1, stride_w = 1;
  std::int64_t dilation_h = 1, dilation_w = 1;
  std::int64_t pad_top = 0, pad_left = 0;  // end pads follow from the sizes
};

// The padded, phase-split copy of one image: element (c, r, p, j) at
// ((c * rows + r) * stride_w + p) * phase_width + j holds input row
// r - pad_top, column j * stride_w + p - pad_left, zero outside the input.
struct DirectConvLayout {
  std::int64_t rows = 0, phase_width = 0;
  std::int64_t image_floats = 0;
  std::int64_t blocks = 0;  // output channel blocks of kDirectOcBlock
  // Where tap (ky, kx) reads (index ky * kernel_w + kx), relative to its output
  // row's first padded row of a channel.
  std::vector<std::int64_t> tap_offsets;
};

DirectConvLayout direct_conv_layout(const DirectConvShape& shape);

// Floats of direct_conv_pack_weights' result.
std::size_t direct_conv_packed_weight_floats(const DirectConvShape& shape);
// weights [out_channels, in_channels, kernel_h, kernel_w] into
// [block][in_channel][ky][kx][kDirectOcBlock], the last block zero-padded.
void direct_conv_pack_weights(const DirectConvShape& shape, const float* weights, float* packed);

// Channels [channel_begin, channel_end) of one image ([in_channels, in_h,
// in_w]) into its padded copy (layout.image_floats floats).
void direct_conv_pad_input(const DirectConvShape& shape, const DirectConvLayout& layout, const float* image,
                           float* padded, std::int64_t channel_begin, std::int64_t channel_end);

// Where the output rows go: channel c's row y at data + c * plane + (y -
// first_row) * out_w. The whole image ([out_channels, out_h, out_w]) by
// default; a band of rows in a smaller buffer for a pool that follows
// (conv_max_pool.hpp).
struct DirectConvOutput {
  float* data = nullptr;
  std::int64_t plane = 0;
  std::int64_t first_row = 0;
};

// Tasks [task_begin, task_end) of one image, task = output row * blocks +
// block: kDirectOcBlock output channels of one output row. Row-major, so that
// every block reads a row's input rows while they are in L1 (block-major
// order measured no different on the 224x224 first layers). The epilogue's
// residual is laid out like the output; row_bias is indexed by output channel.
void direct_conv(const DirectConvShape& shape, const DirectConvLayout& layout, const float* padded,
                 const float* packed_weights, const DirectConvOutput& output, const Epilogue& epilogue,
                 std::int64_t task_begin, std::int64_t task_end);

}  // namespace onnxrun::kernels
