#pragma once
// The NCHW8c convolution kernels (nchwc_conv.hpp), written once over xsimd
// batches and instantiated per instruction set (nchwc_conv_<isa>.cpp, each
// compiled with its own flags). Included only by those files.
//
// Dense: a tile is OB output blocks x PX output pixels of one row, OB * PX * 8
// sums held in registers (12 AVX2 registers for every shape used). For each
// input channel the tile loads PX broadcast input values and OB weight vectors
// and does OB * PX vector FMAs: 7 loads per 12 FMAs at OB=4, PX=3, within what
// two load ports sustain beside two FMA pipes. Pixels whose taps reach past
// the input's left or right edge go one at a time through a checked tile;
// rows whose taps fall outside are skipped per kernel row.
//
// Depthwise: a tile is PX pixels of one block; each tap's weight vector is
// loaded once and multiplies PX input vectors.
#include <xsimd/xsimd.hpp>

#include <algorithm>

#include "ops/kernels/epilogue_simd.hpp"
#include "ops/kernels/nchwc_conv.hpp"

namespace onnxrun::kernels {

template <class Arch>
struct NchwcConvKernel {
  using Batch = xsimd::batch<float, Arch>;
  static constexpr int kWidth = static_cast<int>(Batch::size);
  static constexpr int kSub = static_cast<int>(kNchwcBlock) / kWidth;  // vectors per channel block
  static_assert(kSub >= 1 && kSub * kWidth == kNchwcBlock, "a channel block is whole vectors");
  static constexpr std::int64_t kB = kNchwcBlock;

  // What every tile of one call shares.
  struct Job {
    const NchwcConvShape& shape;
    const float* input;
    const float* packed;
    float* output;
    const Epilogue& epilogue;
    std::int64_t in_plane, out_plane;  // floats per channel block of the input / output
    std::int64_t taps;                 // kernel_h * kernel_w
    std::int64_t block_weights;        // packed floats per output block
    // Output columns [interior_begin, interior_end) read no column outside the input.
    std::int64_t interior_begin, interior_end;

    Job(const NchwcConvShape& s, const float* in, const float* w, float* out, const Epilogue& e,
        std::int64_t weights_per_block)
        : shape(s), input(in), packed(w), output(out), epilogue(e), in_plane(s.in_h * s.in_w * kB),
          out_plane(s.out_h * s.out_w * kB), taps(s.kernel_h * s.kernel_w), block_weights(weights_per_block) {
      interior_begin = std::min((s.pad_left + s.stride_w - 1) / s.stride_w, s.out_w);
      // The last column whose rightmost tap stays inside: c * stride <= reach.
      const std::int64_t reach = s.in_w - 1 + s.pad_left - (s.kernel_w - 1) * s.dilation_w;
      interior_end = reach < 0 ? interior_begin : std::clamp(reach / s.stride_w + 1, interior_begin, s.out_w);
    }
  };

  // bias + residual + activation for block `block`'s vectors at output offset `at`.
  static void store_block(const Job& job, const Batch* sums, std::int64_t block, std::int64_t at) {
    const Epilogue& e = job.epilogue;
    for (int s = 0; s < kSub; ++s) {
      Batch v = sums[s];
      if (e.row_bias) v += Batch::load_unaligned(e.row_bias + block * kB + s * kWidth);
      if (e.residual) v += Batch::load_unaligned(e.residual + at + s * kWidth);
      apply_activation_simd(v, e.activation).store_unaligned(job.output + at + s * kWidth);
    }
  }

  // Dense tile: blocks [block, block + OB) at columns [col, col + PX) of row
  // `row`, summing input blocks [ib_begin, ib_end). The sums start from zero
  // for the first input block and from the output's partial sums otherwise;
  // the epilogue runs after the last input block. kChecked skips taps outside
  // the input's columns (border pixels).
  template <int OB, int PX, bool kChecked>
  static void dense_tile(const Job& job, std::int64_t block, std::int64_t row, std::int64_t col, std::int64_t ib_begin,
                         std::int64_t ib_end) {
    const NchwcConvShape& s = job.shape;
    Batch acc[OB][PX][kSub];
    const std::int64_t out_at = block * job.out_plane + (row * s.out_w + col) * kB;
    for (int o = 0; o < OB; ++o)
      for (int p = 0; p < PX; ++p)
        for (int v = 0; v < kSub; ++v)
          acc[o][p][v] = ib_begin == 0 ? Batch(0.0f)
                                       : Batch::load_unaligned(job.output + out_at + o * job.out_plane + p * kB +
                                                               v * kWidth);
    const std::int64_t row0 = row * s.stride_h - s.pad_top, col0 = col * s.stride_w - s.pad_left;
    const std::int64_t pixel_step = s.stride_w * kB;
    const float* block_weights = job.packed + block * job.block_weights;
    for (std::int64_t ib = ib_begin; ib < ib_end; ++ib) {
      const float* plane = job.input + ib * job.in_plane;
      for (std::int64_t kh = 0; kh < s.kernel_h; ++kh) {
        const std::int64_t in_row = row0 + kh * s.dilation_h;
        if (in_row < 0 || in_row >= s.in_h) continue;
        for (std::int64_t kw = 0; kw < s.kernel_w; ++kw) {
          const std::int64_t in_col = col0 + kw * s.dilation_w;
          if (kChecked && (in_col < 0 || in_col >= s.in_w)) continue;
          const float* x = plane + (in_row * s.in_w + in_col) * kB;
          const float* w = block_weights + ((ib * s.kernel_h + kh) * s.kernel_w + kw) * kB * kB;
#pragma GCC unroll 8
          for (int ic = 0; ic < kB; ++ic) {
            Batch xv[PX];
            for (int p = 0; p < PX; ++p) xv[p] = Batch(x[p * pixel_step + ic]);
            for (int o = 0; o < OB; ++o)
              for (int v = 0; v < kSub; ++v) {
                const Batch wv = Batch::load_unaligned(w + o * job.block_weights + ic * kB + v * kWidth);
                for (int p = 0; p < PX; ++p) acc[o][p][v] = xsimd::fma(wv, xv[p], acc[o][p][v]);
              }
          }
        }
      }
    }
    for (int o = 0; o < OB; ++o)
      for (int p = 0; p < PX; ++p) {
        const std::int64_t at = out_at + o * job.out_plane + p * kB;
        if (ib_end == s.in_blocks) {
          store_block(job, acc[o][p], block + o, at);
        } else {
          for (int v = 0; v < kSub; ++v) acc[o][p][v].store_unaligned(job.output + at + v * kWidth);
        }
      }
  }

  // Depthwise tile: block `block` at columns [col, col + PX) of row `row`.
  template <int PX, bool kChecked>
  static void depthwise_tile(const Job& job, std::int64_t block, std::int64_t row, std::int64_t col) {
    const NchwcConvShape& s = job.shape;
    Batch acc[PX][kSub];
    for (int p = 0; p < PX; ++p)
      for (int v = 0; v < kSub; ++v) acc[p][v] = Batch(0.0f);
    const std::int64_t row0 = row * s.stride_h - s.pad_top, col0 = col * s.stride_w - s.pad_left;
    const float* plane = job.input + block * job.in_plane;
    const float* weights = job.packed + block * job.block_weights;
    for (std::int64_t kh = 0; kh < s.kernel_h; ++kh) {
      const std::int64_t in_row = row0 + kh * s.dilation_h;
      if (in_row < 0 || in_row >= s.in_h) continue;
      const float* x_row = plane + in_row * s.in_w * kB;
      for (std::int64_t kw = 0; kw < s.kernel_w; ++kw) {
        Batch wv[kSub];
        for (int v = 0; v < kSub; ++v)
          wv[v] = Batch::load_unaligned(weights + (kh * s.kernel_w + kw) * kB + v * kWidth);
        for (int p = 0; p < PX; ++p) {
          const std::int64_t in_col = col0 + p * s.stride_w + kw * s.dilation_w;
          if (kChecked && (in_col < 0 || in_col >= s.in_w)) continue;
          for (int v = 0; v < kSub; ++v)
            acc[p][v] = xsimd::fma(wv[v], Batch::load_unaligned(x_row + in_col * kB + v * kWidth), acc[p][v]);
        }
      }
    }
    for (int p = 0; p < PX; ++p) store_block(job, acc[p], block, block * job.out_plane + (row * s.out_w + col + p) * kB);
  }

  // Calls segment(row, first, last) for each row's share [first, last) of
  // the output pixels [pixel_begin, pixel_end) (row-major over the plane).
  template <class Segment>
  static void for_row_segments(const Job& job, std::int64_t pixel_begin, std::int64_t pixel_end, Segment segment) {
    const std::int64_t out_w = job.shape.out_w;
    for (std::int64_t pixel = pixel_begin; pixel < pixel_end;) {
      const std::int64_t row = pixel / out_w, first = pixel % out_w;
      const std::int64_t last = std::min(out_w, first + (pixel_end - pixel));
      segment(row, first, last);
      pixel += last - first;
    }
  }

  // Columns [first, last) of a row: the interior in tiles of PX (then single
  // pixels), the border pixels one at a time through the checked tile.
  template <int PX, class Interior, class Single, class Border>
  static void for_columns(const Job& job, std::int64_t first, std::int64_t last, Interior interior, Single single,
                          Border border) {
    const std::int64_t lo = std::clamp(job.interior_begin, first, last);
    const std::int64_t hi = std::clamp(job.interior_end, lo, last);
    for (std::int64_t col = first; col < lo; ++col) border(col);
    std::int64_t col = lo;
    for (; col + PX <= hi; col += PX) interior(col);
    for (; col < hi; ++col) single(col);
    for (col = hi; col < last; ++col) border(col);
  }

  // Input blocks summed per pass over a row segment: the pass's weights
  // (OB x blocks x taps x 256 bytes, 8 KiB at 1x1 and 9 KiB at 3x3) stay in L1
  // while the segment is swept; partial sums go through the output row, which
  // L1 holds too.
  static std::int64_t input_blocks_per_pass(const NchwcConvShape& s) {
    return std::max<std::int64_t>(1, 8 / (s.kernel_h * s.kernel_w));
  }

  template <int OB, int PX>
  static void dense_blocks(const Job& job, std::int64_t block, std::int64_t pixel_begin, std::int64_t pixel_end) {
    const std::int64_t in_blocks = job.shape.in_blocks, per_pass = input_blocks_per_pass(job.shape);
    for_row_segments(job, pixel_begin, pixel_end, [&](std::int64_t row, std::int64_t first, std::int64_t last) {
      for (std::int64_t ib = 0; ib < in_blocks; ib += per_pass) {
        const std::int64_t ib_end = std::min(in_blocks, ib + per_pass);
        for_columns<PX>(
            job, first, last, [&](std::int64_t col) { dense_tile<OB, PX, false>(job, block, row, col, ib, ib_end); },
            [&](std::int64_t col) { dense_tile<OB, 1, false>(job, block, row, col, ib, ib_end); },
            [&](std::int64_t col) { dense_tile<OB, 1, true>(job, block, row, col, ib, ib_end); });
      }
    });
  }

  static void dense(const NchwcConvShape& shape, const float* input, const float* packed, float* output,
                    const Epilogue& epilogue, std::int64_t block_begin, std::int64_t block_end,
                    std::int64_t pixel_begin, std::int64_t pixel_end) {
    const Job job(shape, input, packed, output, epilogue,
                  shape.in_blocks * shape.kernel_h * shape.kernel_w * kB * kB);
    // Widest tiles first: 12 accumulators at every width.
    std::int64_t block = block_begin;
    for (; block + 4 <= block_end; block += 4) dense_blocks<4, 3>(job, block, pixel_begin, pixel_end);
    switch (block_end - block) {
      case 3: return dense_blocks<3, 4>(job, block, pixel_begin, pixel_end);
      case 2: return dense_blocks<2, 6>(job, block, pixel_begin, pixel_end);
      case 1: return dense_blocks<1, 8>(job, block, pixel_begin, pixel_end);
      default: return;
    }
  }

  static void depthwise(const NchwcConvShape& shape, const float* input, const float* packed, float* output,
                        const Epilogue& epilogue, std::int64_t block_begin, std::int64_t block_end,
                        std::int64_t pixel_begin, std::int64_t pixel_end) {
    const Job job(shape, input, packed, output, epilogue, shape.kernel_h * shape.kernel_w * kB);
    constexpr int kPixels = 8 / kSub;
    for (std::int64_t block = block_begin; block < block_end; ++block)
      for_row_segments(job, pixel_begin, pixel_end, [&](std::int64_t row, std::int64_t first, std::int64_t last) {
        for_columns<kPixels>(
            job, first, last, [&](std::int64_t col) { depthwise_tile<kPixels, false>(job, block, row, col); },
            [&](std::int64_t col) { depthwise_tile<1, false>(job, block, row, col); },
            [&](std::int64_t col) { depthwise_tile<1, true>(job, block, row, col); });
      });
  }
};

}  // namespace onnxrun::kernels
