#pragma once
// Depthwise 2D convolution (one k x k filter per channel, groups == channels)
// on NCHW planes, for the shapes mobile networks and ConvNeXt use: 3x3, 5x5
// and 7x7 kernels, stride 1 or 2, dilation 1, any zero padding. Each band of output rows is
// computed from a zero-padded copy of its input (for stride 2 split by row and
// column parity), as one flat loop of whole vectors: no scalar border path,
// and small planes (7x7) do not pay per-row overhead.
#include <cstdint>

#include "ops/kernels/epilogue.hpp"

namespace onnxrun::kernels {

struct DepthwiseConvShape {
  std::int64_t channels = 1;  // output plane p belongs to channel p % channels
  std::int64_t in_h = 1, in_w = 1, out_h = 1, out_w = 1;
  // Begin pads; the end pads follow from the sizes (rows and columns outside
  // the input read as zero, so asymmetric padding needs nothing more).
  std::int64_t pad_top = 0, pad_left = 0;
  int kernel = 3;  // 3, 5 or 7
  int stride = 1;  // 1 or 2
};

bool depthwise_conv_supported(int kernel, int stride);

// Computes output planes [plane_begin, plane_end) of the batch * channels
// planes. input: planes of in_h x in_w; weights: [channels, kernel, kernel];
// output: planes of out_h x out_w. The epilogue's row_bias is indexed by
// channel, its residual laid out like the output. The output must not overlap
// the input or the residual (it is written before the residual is read, and
// rows may be written past their end before the next row is). No scratch
// memory: the band buffers are 32 KiB of stack (wide rows go in column strips).
void depthwise_conv(const DepthwiseConvShape& shape, const float* input, const float* weights, float* output,
                    const Epilogue& epilogue, std::int64_t plane_begin, std::int64_t plane_end);

const char* depthwise_conv_isa();

}  // namespace onnxrun::kernels
