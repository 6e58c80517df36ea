#pragma once
// The three transforms of Winograd convolution F(m x m, 3 x 3), m in {2, 4, 6},
// on raw NCHW float buffers (stride 1, dilation 1, one group). Between the
// input and the output transform the caller runs alpha^2 GEMMs (alpha = m + 2),
// one per transform position t = k * alpha + l:
//
//   M_t [out_channels x tiles] = U_t [out_channels x in_channels] * V_t [in_channels x tiles]
//
// Tiles: output tile (ty, tx) of image n covers output rows ty*m .. ty*m+m-1
// and columns tx*m .. (clipped at the edge) and reads the alpha x alpha input
// patch starting at (ty*m - pad_top, tx*m - pad_left), zero outside the image.
// Tiles are numbered image by image, row by row; a call handles a contiguous
// range [tile_begin, tile_begin + count) of them, so a block may span rows and
// images.
#include <algorithm>
#include <cstdint>

#include "ops/kernels/epilogue.hpp"

namespace onnxrun::kernels {

struct WinogradLayer {
  std::int64_t m = 4;  // output tile size: 2, 4 or 6
  std::int64_t in_channels = 1, in_h = 1, in_w = 1;
  std::int64_t pad_top = 0, pad_left = 0;  // begin pads; end pads follow from the output size
  std::int64_t out_channels = 1, out_h = 1, out_w = 1;
  std::int64_t tiles_h = 1, tiles_w = 1;  // ceil(out_h / m), ceil(out_w / m)
};

// The channels one transform call handles, [begin, end) (end < 0: through
// the last), so that threads can split a block of tiles by channel: the input
// transform's by input channel, the output transform's by output channel.
struct ChannelRange {
  std::int64_t begin = 0, end = -1;
};

// [begin, end) within [0, channels); end < 0 means through the last.
inline ChannelRange clamp_channel_range(ChannelRange range, std::int64_t channels) {
  if (range.end < 0 || range.end > channels) range.end = channels;
  range.begin = std::clamp<std::int64_t>(range.begin, 0, range.end);
  return range;
}

inline constexpr std::int64_t winograd_alpha(std::int64_t m) { return m + 2; }

// Fills tiles_h / tiles_w from m and the output size.
inline void winograd_set_tiles(WinogradLayer& l) {
  l.tiles_h = (l.out_h + l.m - 1) / l.m;
  l.tiles_w = (l.out_w + l.m - 1) / l.m;
}

// U = G g G^T of one 3 x 3 filter (row-major) into alpha x alpha floats,
// computed in double: the weights are transformed once, so their share of
// the rounding error may as well be the smallest possible.
void winograd_weight_transform(std::int64_t m, const float* filter, float* u);

// V_t for tiles [tile_begin, tile_begin + count), all input channels: matrix t
// (K = in_channels rows, N = count rounded up to sgemm_nr() columns) in the
// SGEMM packed-B layout (ops/kernels/sgemm.hpp) at v + t * v_stride, the
// padding columns zero. input: the whole [batch, in_channels, in_h, in_w] tensor.
// Only the rows of `channels` are written.
void winograd_input_transform(const WinogradLayer& l, const float* input, std::int64_t tile_begin,
                              std::int64_t count, float* v, std::int64_t v_stride, ChannelRange channels = {});

// From M_t, row-major [out_channels x ldm] at gemm + t * gemm_stride (column j
// = tile tile_begin + j, ldm >= count rounded up to sgemm_nr()), writes those
// tiles of every output channel as act(Y + bias + residual): row_bias indexed
// by output channel, residual laid out like output (the whole
// [batch, out_channels, out_h, out_w] tensor, as is output). Only the output
// channels in `channels` are written.
void winograd_output_transform(const WinogradLayer& l, const float* gemm, std::int64_t gemm_stride,
                               std::int64_t ldm, std::int64_t tile_begin, std::int64_t count, const Epilogue& epilogue,
                               float* output, ChannelRange channels = {});

// Plain scalar versions of the two transforms straight from the matrices in
// winograd_matrices.hpp (double arithmetic), same contracts: the oracle the
// SIMD ones are tested against.
void winograd_input_transform_reference(const WinogradLayer& l, const float* input, std::int64_t tile_begin,
                                        std::int64_t count, float* v, std::int64_t v_stride);
void winograd_output_transform_reference(const WinogradLayer& l, const float* gemm, std::int64_t gemm_stride,
                                         std::int64_t ldm, std::int64_t tile_begin, std::int64_t count,
                                         const Epilogue& epilogue, float* output);

// Index of B[k, n] in the SGEMM packed-B layout of a K x N operand (N a
// multiple of nr): K blocks of kSgemmKc, each holding N / nr panels of kc x nr.
std::int64_t sgemm_packed_b_index(std::int64_t k, std::int64_t n, std::int64_t K, std::int64_t N, std::int64_t nr);

}  // namespace onnxrun::kernels
