#pragma once
// Convolution on the channel-blocked layout NCHW8c: a tensor of C channels
// (C a multiple of 8) is stored as [N, C/8, H, W, 8], so the 8 channels of a
// block sit side by side at every pixel. One AVX2 vector then holds one
// block's channels at one pixel, and
//   - a dense convolution multiplies a broadcast input value by a vector of 8
//     output channels' weights: no packing of the input, no transposes, the
//     same inner loop for every kernel size, stride, dilation and padding;
//   - a depthwise convolution is plain vector FMAs of 8 channels at once, with
//     no edge handling along W (the NCHW kernel pads and deinterleaves rows).
// The block is 8 on every instruction set, so the graph's layout does not
// depend on the CPU: SSE2 and NEON use two 4-float vectors per block, and an
// AVX-512 vector holds two blocks' channels at one pixel (the dense kernel
// computes several output blocks together anyway).
#include <algorithm>
#include <cstdint>

#include "ops/kernels/epilogue.hpp"

namespace onnxrun::kernels {

inline constexpr std::int64_t kNchwcBlock = 8;

// One image's geometry. Pads are the begin sides; outputs whose taps fall
// outside the input read zeros there.
struct NchwcConvShape {
  std::int64_t in_blocks = 1, out_blocks = 1;  // channels / kNchwcBlock (equal for depthwise)
  std::int64_t in_h = 1, in_w = 1, out_h = 1, out_w = 1;
  std::int64_t kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  std::int64_t pad_top = 0, pad_left = 0;
  // Dense only: > 0 when the input is plain NCHW [N, C, H, W] with this many
  // channels (a network's first layer, on 3 RGB channels), read as a single
  // input block of C channels; in_blocks is then 1. The output is blocked, so
  // the layer needs no reorder after it.
  std::int64_t nchw_in_channels = 0;
  // Dense only: output blocks the kernel computes together, a power of two;
  // the weights are packed by groups of this many blocks, so that a tile
  // streams only its own weights. nchwc_group_blocks() for the instruction set
  // that will run the layer; the blocks left over at the end form smaller
  // groups (nchwc_group_at).
  std::int64_t group_blocks = 2;
  // Where the output goes: the whole plane of each block (out_rows 0), or a
  // band of out_rows rows from row out_first_row, each block's band
  // out_rows * out_w pixels after the previous one's (dense only; a MaxPool
  // folded into the layer pools bands of its rows, conv_max_pool.hpp). The
  // pixels computed must lie in the band.
  std::int64_t out_first_row = 0, out_rows = 0;
};

// The dense kernel's group on the active instruction set: 4 blocks (two
// AVX-512 vectors) on AVX-512, 2 elsewhere (two AVX2 vectors, four SSE2).
std::int64_t nchwc_group_blocks();

// Output columns [begin, end) whose taps all stay inside the input's columns;
// the others are border columns.
struct NchwcInteriorColumns {
  std::int64_t begin = 0, end = 0;
};
inline NchwcInteriorColumns nchwc_interior_columns(const NchwcConvShape& s) {
  NchwcInteriorColumns columns;
  columns.begin = std::min((s.pad_left + s.stride_w - 1) / s.stride_w, s.out_w);
  // The last column whose rightmost tap stays inside: c * stride <= reach.
  const std::int64_t reach = s.in_w - 1 + s.pad_left - (s.kernel_w - 1) * s.dilation_w;
  columns.end = reach < 0 ? columns.begin : std::clamp(reach / s.stride_w + 1, columns.begin, s.out_w);
  return columns;
}

// Depthwise layers on narrow planes (7x7, 14x14), whose border columns are an
// eighth or more of the outputs (a quarter at stride 2, where the copy moves
// four input pixels per output): the kernel copies their input rows into a
// zero-bordered buffer and runs only unchecked tiles (nchwc_conv_impl.hpp,
// depthwise_padded).
inline bool nchwc_depthwise_narrow(const NchwcConvShape& s) {
  const NchwcInteriorColumns interior = nchwc_interior_columns(s);
  const std::int64_t border_columns = s.out_w - (interior.end - interior.begin);
  return s.dilation_h == 1 && s.dilation_w == 1 && border_columns * (s.stride_w == 1 ? 8 : 4) >= s.out_w;
}

// Depthwise layers whose blocks the AVX-512 kernel computes two at a time
// (one pixel of both per vector, from a zero-bordered copy that interleaves
// them): 3x3 and 5x5 kernels, dilation 1, on narrow planes and on rows of
// at most 32 pixels, at stride 2 there only for 5x5 kernels. On wider rows
// the one-block kernel's tiles of 16 pixels leave few tails and borders,
// and it needs no copy (per-layer medians, 1 thread, one block at a time
// against pairs: MobileNetV2's 32x112x112 0.176 and 0.229 ms, 144x56x56
// 0.188 and 0.198; 192x28x28 0.088 and 0.060). At stride 2 the copy moves
// four input pixels per output pixel, which a 3x3 kernel's 9 taps do not
// repay (144x56x56 to 28x28: 0.076 and 0.118 ms; 192x28x28 to 14x14: 0.027
// and 0.029) unless the rows are as short as 7 (576x14x14 to 7x7: 0.029 and
// 0.018), and a 5x5 kernel's 25 do (EfficientNet-B0's 144x56x56 to 28x28:
// 0.190 and 0.167).
inline bool nchwc_depthwise_block_pairs(const NchwcConvShape& s) {
  return s.dilation_h == 1 && s.dilation_w == 1 && (s.kernel_w == 3 || s.kernel_w == 5) &&
         (s.stride_w == 1 || s.stride_w == 2) &&
         (nchwc_depthwise_narrow(s) || s.out_w <= 8 || (s.out_w <= 32 && (s.stride_w == 1 || s.kernel_w == 5)));
}

// Input blocks the dense kernel sums per pass over a row segment: a pass's
// weights for one group (blocks x taps x 512 bytes, 16 KiB) stay in L1 while
// the segment is swept; the partial sums go through the output, which L1
// holds too.
inline std::int64_t nchwc_input_blocks_per_pass(const NchwcConvShape& s) {
  constexpr std::int64_t kPassBlocks = 32;
  return std::max<std::int64_t>(1, kPassBlocks / (s.kernel_h * s.kernel_w));
}

// Whether the dense kernel may write its output over its residual: in one
// pass over the input blocks, each output vector is stored once, right after
// the residual at the same place was read. With several passes the first
// stores partial sums where the last still reads the residual.
inline bool nchwc_dense_output_may_be_residual(const NchwcConvShape& s) {
  return s.in_blocks <= nchwc_input_blocks_per_pass(s);
}

// Output blocks per task of a depthwise layer: 2 where the active
// instruction set's kernel computes block pairs (nchwc_depthwise_block_pairs
// on AVX-512), else 1. Any block range is correct; this one keeps the pairs whole.
std::int64_t nchwc_depthwise_task_blocks(const NchwcConvShape& shape);

// Blocks in the weight group that starts at block `first` (groups start at 0
// and follow each other): group_blocks, or at the end the largest power of
// two that the blocks left hold (3 left of 4: a group of 2, then of 1).
inline std::int64_t nchwc_group_at(const NchwcConvShape& shape, std::int64_t first) {
  std::int64_t blocks = shape.group_blocks;
  while (blocks > shape.out_blocks - first && blocks > 1) blocks /= 2;
  return blocks;
}

// Dense (groups == 1) weights [out_channels, in_channels, kh, kw] repacked by
// groups of output blocks (nchwc_group_at, G blocks each):
// [group][in_blocks][kh][kw][8 input channels][G blocks][8 outputs]
// (with an NCHW input: one input block of nchw_in_channels channels).
std::int64_t nchwc_conv_packed_floats(const NchwcConvShape& shape);
void nchwc_conv_pack_weights(const NchwcConvShape& shape, const float* weight, float* packed);

// The packed weights of output blocks [block_begin, block_end) (whole
// groups: block_begin and block_end each a group's start, or out_blocks) with every input channel c's weights times channel_scale[c]:
// the weights of a convolution of x * s for a per-channel s (a
// squeeze-excitation scale), the same floats as packing the scaled weights.
void nchwc_conv_scale_packed_weights(const NchwcConvShape& shape, const float* packed, const float* channel_scale,
                                     std::int64_t block_begin, std::int64_t block_end, float* scaled);

// Depthwise (groups == channels) weights [channels, 1, kh, kw] repacked as
// [blocks][kh][kw][8 channels].
std::int64_t nchwc_depthwise_packed_floats(const NchwcConvShape& shape);
void nchwc_depthwise_pack_weights(const NchwcConvShape& shape, const float* weight, float* packed);

// Computes, for one image, output blocks [block_begin, block_end) at output
// pixels [pixel_begin, pixel_end) of the out_h * out_w plane (row-major).
// For the dense kernel block_begin and block_end are each a group's start
// (nchwc_group_at) or out_blocks. The epilogue's row_bias is indexed by channel; its residual is the image's
// residual in the output's layout. The output must not overlap the input.
void nchwc_conv(const NchwcConvShape& shape, const float* input, const float* packed, float* output,
                const Epilogue& epilogue, std::int64_t block_begin, std::int64_t block_end, std::int64_t pixel_begin,
                std::int64_t pixel_end);
void nchwc_depthwise_conv(const NchwcConvShape& shape, const float* input, const float* packed, float* output,
                          const Epilogue& epilogue, std::int64_t block_begin, std::int64_t block_end,
                          std::int64_t pixel_begin, std::int64_t pixel_end);

// sums[lane] = the sum of one channel block's pixels [begin, end), lane by
// lane (block: [pixels][8]). Four running sums: one chain of dependent vector
// adds waits on the add latency every pixel (a 56x56 block took as long
// from L2 as a pass over it from L3 costs).
void nchwc_block_sum(const float* block, std::int64_t begin, std::int64_t end, float* sums);
// means[b * 8 + lane] = the mean of block b's `plane` pixels, lane by lane,
// for blocks [block_begin, block_end) of `blocks` ([blocks][plane][8]): a
// GlobalAveragePool of blocked tensors (also folded into convolutions).
void nchwc_block_means(const float* blocks, std::int64_t plane, std::int64_t block_begin, std::int64_t block_end,
                       float* means);

// Layout conversions of one image of `channels` (a multiple of 8) planes of
// `plane` pixels, for channel blocks [block_begin, block_end); per
// instruction set in nchwc_reorder.cpp.
void reorder_nchw_to_nchwc(const float* nchw, float* nchwc, std::int64_t plane, std::int64_t block_begin,
                           std::int64_t block_end);
void reorder_nchwc_to_nchw(const float* nchwc, float* nchw, std::int64_t plane, std::int64_t block_begin,
                           std::int64_t block_end);

const char* nchwc_conv_isa();

}  // namespace onnxrun::kernels
