#pragma once
// The NCHW8c depthwise convolution kernel (nchwc_conv.hpp), written once over
// xsimd batches and instantiated per instruction set with the dense kernel
// (nchwc_conv_<isa>.cpp). It reuses the dense kernel's helpers: the job, row
// segments, column runs and the epilogue of a finished tile.
//
// A tile is PX pixels of one block; each tap's weight vector is loaded once
// and multiplies PX input vectors, and at stride 1 or 2 each input vector
// once too. Border pixels go through checked tiles of up to 4 pixels (the
// check is per pixel and tap), except on narrow planes, which are copied
// into a zero-bordered buffer instead (depthwise_padded). On AVX-512, narrow
// planes and short rows run two blocks at a time, one pixel of both per
// vector (depthwise_block_pairs).
#include "ops/kernels/nchwc_conv_impl.hpp"
#include "ops/kernels/simd_load_once.hpp"

namespace onnxrun::kernels {
namespace {  // as nchwc_conv_impl.hpp's templates, one copy per instruction set's file

template <class Arch>
struct NchwcDepthwiseKernel : NchwcConvKernel<Arch> {
  using Base = NchwcConvKernel<Arch>;
  using typename Base::Batch;
  using Base::kB;
  using Base::kSub;
  using Base::kWide;
  using Base::kWidth;
  using Base::for_row_segments;
  using Base::for_tail;
  using Base::store_finished;
  // This kernel where its vectors are at most a block wide.
  using Narrow = NchwcDepthwiseKernel<typename NchwcNarrowArch<Arch>::type>;

  // Depthwise tile: block `block` at columns [col, col + PX) of row `row`.
  // kStride: the column stride when it is 1 or 2 (constant offsets), else 0.
  // kKernel: the kernel width when the tile may rely on it (a constant
  // stride, dilation 1, unchecked), else 0. Then each input vector of a
  // kernel row is loaded once and multiplied by every tap that reads it:
  // (PX - 1) * stride + K loads instead of PX * K (10 instead of 24 at 3x3
  // stride 1, 19 instead of 40 at 5x5 stride 2).
  template <int PX, bool kChecked, int kStride, int kKernel = 0>
  static void depthwise_tile(const NchwcConvJob& job, std::int64_t block, std::int64_t row, std::int64_t col) {
    static_assert(!kWide, "a depthwise tile's vectors are parts of one block");
    const NchwcConvShape& s = job.shape;
    const std::int64_t stride = kStride ? kStride : s.stride_w;
    Batch acc[PX * kSub];  // sum p * kSub + v (flat, as in dense_tile)
#pragma GCC unroll 16
    for (int i = 0; i < PX * kSub; ++i) acc[i] = Batch(0.0f);
    const std::int64_t row0 = row * s.stride_h - s.pad_top, col0 = col * stride - s.pad_left;
    const float* plane = job.input + block * job.in_plane;
    const float* weights = job.packed + block * job.block_weights;
    for (std::int64_t kh = 0; kh < s.kernel_h; ++kh) {
      const std::int64_t in_row = row0 + kh * s.dilation_h;
      if (in_row < 0 || in_row >= s.in_h) continue;
      const float* x_row = plane + in_row * s.in_w * kB;
      if constexpr (kKernel > 0) {
        Batch wv[kKernel * kSub];
#pragma GCC unroll 16
        for (int i = 0; i < kKernel * kSub; ++i)
          wv[i] = Batch::load_unaligned(weights + (kh * kKernel + i / kSub) * kB + i % kSub * kWidth);
        static_assert(kStride == 1 || kStride == 2, "the tap offsets are constants");
        const float* x = x_row + col0 * kB;
        if constexpr (kStride == 1) {
#pragma GCC unroll 16
          for (int j = 0; j < PX + kKernel - 1; ++j)
#pragma GCC unroll 4
            for (int v = 0; v < kSub; ++v) {
              const Batch xv = load_once<Batch, kKernel == 3>(x + j * kB + v * kWidth);
#pragma GCC unroll 8
              for (int kw = 0; kw < kKernel; ++kw)
                if (j - kw >= 0 && j - kw < PX)
                  acc[(j - kw) * kSub + v] = fmadd(wv[kw * kSub + v], xv, acc[(j - kw) * kSub + v]);
            }
          continue;
        }
#pragma GCC unroll 32
        for (int j = 0; j < (PX - 1) * kStride + kKernel; ++j)
#pragma GCC unroll 4
          for (int v = 0; v < kSub; ++v) {
            const Batch xv = load_once<Batch, kKernel == 3>(x + j * kB + v * kWidth);
#pragma GCC unroll 8
            for (int kw = 0; kw < kKernel; ++kw) {
              const int d = j - kw;  // = pixel * kStride for the pixel this tap serves
              if (d >= 0 && d % kStride == 0 && d / kStride < PX)
                acc[d / kStride * kSub + v] = fmadd(wv[kw * kSub + v], xv, acc[d / kStride * kSub + v]);
            }
          }
        continue;
      }
      for (std::int64_t kw = 0; kw < s.kernel_w; ++kw) {
        Batch wv[kSub];
#pragma GCC unroll 4
        for (int v = 0; v < kSub; ++v)
          wv[v] = Batch::load_unaligned(weights + (kh * s.kernel_w + kw) * kB + v * kWidth);
        const std::int64_t tap_col = col0 + kw * s.dilation_w;
        const float* x = x_row + tap_col * kB;
#pragma GCC unroll 16
        for (int p = 0; p < PX; ++p) {
          if (kChecked && (tap_col + p * stride < 0 || tap_col + p * stride >= s.in_w)) continue;
#pragma GCC unroll 4
          for (int v = 0; v < kSub; ++v)
            acc[p * kSub + v] =
                fmadd(wv[v], Batch::load_unaligned(x + p * stride * kB + v * kWidth), acc[p * kSub + v]);
        }
      }
    }
    float* out = job.output + block * job.out_plane + (row * s.out_w + col) * kB;
    store_finished(
        job, acc, [&](int i) { return out + i / kSub * kB + i % kSub * kWidth; },
        [&](int i) { return block * kB + i % kSub * kWidth; });
  }

  template <int kStride, int kKernel = 0>
  static void depthwise_blocks(const NchwcConvJob& job, std::int64_t block_begin, std::int64_t block_end,
                               std::int64_t pixel_begin, std::int64_t pixel_end) {
    constexpr int kPixels = interior_pixels<kStride, kKernel>();
    for (std::int64_t block = block_begin; block < block_end; ++block)
      for_row_segments(job, pixel_begin, pixel_end, [&](std::int64_t row, std::int64_t first, std::int64_t last) {
        Base::template for_columns<kPixels>(
            job, first, last,
            [&](std::int64_t col) { depthwise_interior<kPixels, kStride, kKernel>(job, block, row, col); },
            [&](std::int64_t col, std::int64_t count) {
              depthwise_interior_tail<kStride, kKernel>(job, block, row, col, count);
            },
            [&](std::int64_t col, std::int64_t count) {
              for_tail(col, count, [&](auto px, std::int64_t c) {
                Narrow::template depthwise_tile<decltype(px)::value, true, kStride>(job, block, row, c);
              });
            });
      });
  }

  // Pixels per interior depthwise tile: 8 AVX2 vectors; on AVX-512 at
  // stride 1, 8 vectors of two pixels (tiles of 4 would wait on the FMA
  // latency: 4 sums, each a chain of kernel-area dependent FMAs).
  template <int kStride, int kKernel>
  static constexpr bool pixel_pairs() {
    return kWide && kStride == 1 && kKernel > 0;
  }
  template <int kStride, int kKernel>
  static constexpr int interior_pixels() {
    return pixel_pairs<kStride, kKernel>() ? 16 : 8 / Narrow::kSub;
  }

  // An interior tile of PX pixels (interior_pixels) at columns
  // [col, col + PX) of row `row` whose taps are all inside.
  template <int PX, int kStride, int kKernel>
  static void depthwise_interior(const NchwcConvJob& job, std::int64_t block, std::int64_t row, std::int64_t col) {
    if constexpr (pixel_pairs<kStride, kKernel>())
      depthwise_pairs<PX / 2, kKernel>(job, block, row, col);
    else
      Narrow::template depthwise_tile<PX, false, kStride, kKernel>(job, block, row, col);
  }

  // The interior columns [col, col + count) left after the full tiles
  // (count < interior_pixels). Where pairs apply, 12 to 15 columns take one
  // tile of 6 or 7 pairs (the whole interior of 14x14 planes, 12 of 28x28's:
  // EfficientNet-B0's 14x14 5x5 layers 0.21 -> 0.14 ms, its 28x28 one 0.27
  // -> 0.21, against AVX2 tiles of 8 + 4 + 2), 8 to 11 an AVX2 tile of 8
  // (a tile of 4 pairs waits on the FMA latency: 4 sums of kernel-area
  // dependent FMAs); then tiles of 4, 2 and 1.
  template <int kStride, int kKernel>
  static void depthwise_interior_tail(const NchwcConvJob& job, std::int64_t block, std::int64_t row,
                                      std::int64_t col, std::int64_t count) {
    if constexpr (pixel_pairs<kStride, kKernel>()) {
      if (count >= 12) {
        if (count >= 14)
          depthwise_pairs<7, kKernel>(job, block, row, col);
        else
          depthwise_pairs<6, kKernel>(job, block, row, col);
        const std::int64_t done = count >= 14 ? 14 : 12;
        col += done;
        count -= done;
      } else if (count >= 8) {
        Narrow::template depthwise_tile<8, false, kStride, kKernel>(job, block, row, col);
        col += 8;
        count -= 8;
      }
    }
    for_tail(col, count, [&](auto px, std::int64_t c) {
      Narrow::template depthwise_tile<decltype(px)::value, false, kStride, kKernel>(job, block, row, c);
    });
  }

  // Depthwise tile of PAIRS vectors, each two neighbouring pixels of block
  // `block` (wide vectors, stride 1, dilation 1, a kKernel-wide kernel, all
  // taps inside), from column col. A kernel row's input vectors start at
  // each pixel from col - pad_left on (dilation 1 along the row; any down
  // the column), each loaded once: vector j serves
  // the pair whose first pixel is j - kw for every tap kw with j - kw even.
  template <int PAIRS, int kKernel>
  static void depthwise_pairs(const NchwcConvJob& job, std::int64_t block, std::int64_t row, std::int64_t col) {
    static_assert(kWide && kWidth == 2 * kB, "a vector is two pixels of a block");
    const NchwcConvShape& s = job.shape;
    Batch acc[PAIRS];
#pragma GCC unroll 16
    for (int i = 0; i < PAIRS; ++i) acc[i] = Batch(0.0f);
    const std::int64_t row0 = row * s.stride_h - s.pad_top;
    const float* x0 = job.input + block * job.in_plane + (col - s.pad_left) * kB;
    const float* weights = job.packed + block * job.block_weights;
    for (std::int64_t kh = 0; kh < s.kernel_h; ++kh) {
      const std::int64_t in_row = row0 + kh * s.dilation_h;
      if (in_row < 0 || in_row >= s.in_h) continue;
      Batch wv[kKernel];
#pragma GCC unroll 8
      for (int kw = 0; kw < kKernel; ++kw)
        wv[kw] = NchwcBlockPieces<Arch>::broadcast_block(weights + (kh * kKernel + kw) * kB);
      const float* x = x0 + in_row * s.in_w * kB;
#pragma GCC unroll 32
      for (int j = 0; j < 2 * PAIRS + kKernel - 2; ++j) {
        const Batch xv = load_once<Batch, kKernel == 3>(x + j * kB);
#pragma GCC unroll 8
        for (int kw = 0; kw < kKernel; ++kw) {
          const int d = j - kw;
          if (d >= 0 && d % 2 == 0 && d / 2 < PAIRS) acc[d / 2] = fmadd(wv[kw], xv, acc[d / 2]);
        }
      }
    }
    // Two pixels of one block are contiguous: plain vector stores; the
    // bias is the block's 8 values twice.
    float* out = job.output + block * job.out_plane + (row * s.out_w + col) * kB;
    const Epilogue& e = job.epilogue;
    const Batch bias = e.row_bias ? NchwcBlockPieces<Arch>::broadcast_block(e.row_bias + block * kB) : Batch(0.0f);
    with_activation_simd<Batch>(e.activation, [&](auto activate) {
#pragma GCC unroll 16
      for (int i = 0; i < PAIRS; ++i) {
        float* at = out + i * kWidth;
        Batch v = acc[i] + bias;
        if (e.residual) v += Batch::load_unaligned(e.residual + (at - job.output));
        activate(v).store_unaligned(at);
      }
    });
  }

  // Depthwise layers on narrow planes (7x7 and 14x14) have border columns
  // for an eighth or more of their outputs, and there every tap of every
  // pixel is checked. Instead, each block's input rows are
  // copied into a zero-bordered buffer first, and every tile is an unchecked
  // one that loads each input vector once (micro-benchmarks, 1 thread, with
  // the stride-2 tiles below: EfficientNet-B0's 1152x7x7 5x5 layer 226 ->
  // 96 us, 672x14x14 5x5 stride 2 147 -> 67; MobileNetV2's 960x7x7 86 -> 47,
  // 576x14x14 87 -> 70).
  static constexpr std::int64_t kPaddedPlaneFloats = 8192;  // 32 KiB, on the stack

  // The rows [first_row, last_row) of the zero-padded input, row 0 being the
  // top padding, as this call's output rows read them; empty when the
  // buffer would not hold them or borders are too few to be worth a copy.
  struct PaddedRows {
    std::int64_t first_row = 0, last_row = 0, width = 0;
    bool use() const { return last_row > first_row; }
  };
  static PaddedRows padded_rows(const NchwcConvJob& job, std::int64_t pixel_begin, std::int64_t pixel_end) {
    const NchwcConvShape& s = job.shape;
    PaddedRows rows;
    // The copy moves stride_h x stride_w input pixels per output pixel, so a
    // strided layer needs more border to gain (MobileNetV2's 576x14x14: 87 ->
    // 70 us padded at stride 1, 34 -> 37 us at stride 2 with 1 border column of 7).
    if (!nchwc_depthwise_narrow(s)) return rows;
    rows.width = (s.out_w - 1) * s.stride_w + s.kernel_w;
    rows.first_row = pixel_begin / s.out_w * s.stride_h;
    rows.last_row = (pixel_end - 1) / s.out_w * s.stride_h + s.kernel_h;
    if ((rows.last_row - rows.first_row) * rows.width * kB > kPaddedPlaneFloats) rows.last_row = rows.first_row;
    return rows;
  }

  // Copies block `block`'s rows of `rows` into `buffer`, zero where they
  // fall in the padding. kBlocks 2 (wide vectors only): blocks `block` and
  // `block + 1` interleaved, one vector of both per pixel.
  template <int kBlocks = 1>
  static void copy_padded_rows(const NchwcConvJob& job, const PaddedRows& rows, std::int64_t block, float* buffer) {
    constexpr std::int64_t kPixel = kBlocks * kB;  // floats per pixel in the buffer
    const NchwcConvShape& s = job.shape;
    const float* plane = job.input + block * job.in_plane;
    for (std::int64_t r = rows.first_row; r < rows.last_row; ++r) {
      float* out = buffer + (r - rows.first_row) * rows.width * kPixel;
      const std::int64_t in_row = r - s.pad_top;
      if (in_row < 0 || in_row >= s.in_h) {
        std::fill(out, out + rows.width * kPixel, 0.0f);
        continue;
      }
      const std::int64_t left = std::min(s.pad_left, rows.width);
      const std::int64_t inside = std::clamp<std::int64_t>(rows.width - left, 0, s.in_w);
      std::fill(out, out + left * kPixel, 0.0f);
      const float* in = plane + in_row * s.in_w * kB;
      if constexpr (kBlocks == 1) {
        std::copy(in, in + inside * kB, out + left * kB);
      } else {
        static_assert(kBlocks == 2 && kWidth == 2 * kB, "a vector is one pixel of two blocks");
        for (std::int64_t c = 0; c < inside; ++c)
          NchwcBlockPieces<Arch>::load(in + c * kB, job.in_plane).store_aligned(out + (left + c) * kPixel);
      }
      std::fill(out + (left + inside) * kPixel, out + rows.width * kPixel, 0.0f);
    }
  }

  template <int kStride, int kKernel>
  static void depthwise_padded(const NchwcConvJob& job, const PaddedRows& rows, std::int64_t block_begin,
                               std::int64_t block_end, std::int64_t pixel_begin, std::int64_t pixel_end) {
    constexpr int kPixels = interior_pixels<kStride, kKernel>();
    // The buffer as the input of a layer without padding whose row 0 is
    // padded row first_row: pad_top = first_row keeps the output rows' offsets.
    NchwcConvShape padded = job.shape;
    padded.in_h = rows.last_row - rows.first_row;
    padded.in_w = rows.width;
    padded.pad_top = rows.first_row;
    padded.pad_left = 0;
    alignas(64) float buffer[kPaddedPlaneFloats];
    NchwcConvJob padded_job(padded, buffer, job.packed, job.output, job.epilogue, job.block_weights);
    padded_job.in_plane = 0;  // one block at a time
    for (std::int64_t block = block_begin; block < block_end; ++block) {
      copy_padded_rows(job, rows, block, buffer);
      for_row_segments(padded_job, pixel_begin, pixel_end, [&](std::int64_t row, std::int64_t first, std::int64_t last) {
        std::int64_t col = first;
        for (; col + kPixels <= last; col += kPixels)
          depthwise_interior<kPixels, kStride, kKernel>(padded_job, block, row, col);
        depthwise_interior_tail<kStride, kKernel>(padded_job, block, row, col, last - col);
      });
    }
  }

  // Two blocks at once, where nchwc_depthwise_block_pairs takes the layer
  // and vectors hold two blocks (AVX-512): the zero-bordered copy interleaves blocks `block` and
  // `block + 1` pixel by pixel, so that one aligned vector is one pixel of
  // both (copy_padded_rows<2>), and a tile is a run of up to 8 pixels of
  // one row. Pairs of pixels of one block (depthwise_pairs) leave a 7-wide
  // row's last pixel to a one-pixel tile, a chain of kernel-area dependent
  // FMAs, and at stride 2 only AVX2 tiles apply; here a 7x7 row is one tile
  // of 7 independent sums at either stride. Micro-benchmarks, 1 thread,
  // medians of 5, against the one-block tiles: MobileNetV2's 960x7x7 45.5 ->
  // 20.4 us, 576x14x14 49.7 -> 40.4; EfficientNet-B0's 1152x7x7 5x5 86.0 ->
  // 34.2, 672x14x14 5x5 103 -> 74, the same at stride 2 60.1 -> 30.8.
  //
  // Output columns [col, col + PX) of row `row`, blocks `block` and
  // `block + 1`, from the interleaved copy (padded_job's geometry: row 0 of
  // the copy is padded row pad_top). Each input vector of a kernel row is
  // loaded once and serves every tap that reads it. The sums run over the
  // taps in the order of the one-block tiles, so a block gets the same bits
  // whichever tile computed it.
  template <int PX, int kStride, int kKernel>
  static void depthwise_two_blocks_tile(const NchwcConvJob& padded_job, const float* buffer, std::int64_t block,
                                        std::int64_t row, std::int64_t col) {
    const NchwcConvShape& s = padded_job.shape;
    Batch acc[PX];
#pragma GCC unroll 8
    for (int i = 0; i < PX; ++i) acc[i] = Batch(0.0f);
    const float* weights = padded_job.packed + block * padded_job.block_weights;
    const std::int64_t row0 = row * s.stride_h - s.pad_top;
    for (std::int64_t kh = 0; kh < s.kernel_h; ++kh) {
      const std::int64_t in_row = row0 + kh;
      if (in_row < 0 || in_row >= s.in_h) continue;
      Batch wv[kKernel];
#pragma GCC unroll 8
      for (int kw = 0; kw < kKernel; ++kw)
        wv[kw] = NchwcBlockPieces<Arch>::load(weights + (kh * kKernel + kw) * kB, padded_job.block_weights);
      const float* x = buffer + (in_row * s.in_w + col * kStride) * kWidth;
#pragma GCC unroll 32
      for (int j = 0; j < (PX - 1) * kStride + kKernel; ++j) {
        const Batch xv = load_once<Batch, kKernel == 3>(x + j * kWidth);
#pragma GCC unroll 8
        for (int kw = 0; kw < kKernel; ++kw) {
          const int d = j - kw;  // = pixel * kStride for the pixel this tap serves
          if (d >= 0 && d % kStride == 0 && d / kStride < PX) acc[d / kStride] = fmadd(wv[kw], xv, acc[d / kStride]);
        }
      }
    }
    float* out = padded_job.output + block * padded_job.out_plane + (row * s.out_w + col) * kB;
    store_finished(
        padded_job, acc, [&](int i) { return out + i * kB; }, [&](int) { return block * kB; });
  }

  // A tile of px (1 to 8) columns: the instantiation for that width.
  template <int kStride, int kKernel, int PX = 8>
  static void two_blocks_tile_of(int px, const NchwcConvJob& padded_job, const float* buffer, std::int64_t block,
                                 std::int64_t row, std::int64_t col) {
    if constexpr (PX > 1) {
      if (px < PX) return two_blocks_tile_of<kStride, kKernel, PX - 1>(px, padded_job, buffer, block, row, col);
    }
    depthwise_two_blocks_tile<PX, kStride, kKernel>(padded_job, buffer, block, row, col);
  }

  // Columns [first, last) of a row in the fewest tiles of at most 8, of
  // near-equal widths (14 as 7 + 7, not 8 + 6).
  template <int kStride, int kKernel>
  static void two_block_columns(const NchwcConvJob& padded_job, const float* buffer, std::int64_t block,
                                std::int64_t row, std::int64_t first, std::int64_t last) {
    const std::int64_t count = last - first, tiles = (count + 7) / 8;
    for (std::int64_t t = 0, col = first; t < tiles; ++t) {
      const std::int64_t width = (count - (col - first)) / (tiles - t);
      two_blocks_tile_of<kStride, kKernel>(static_cast<int>(width), padded_job, buffer, block, row, col);
      col += width;
    }
  }

  // Blocks `block` and `block + 1` at output pixels [pixel_begin,
  // pixel_end), in bands of output rows whose zero-bordered input rows fit
  // the buffer of `buffer_floats` (a band at least, which the caller checks).
  template <int kStride, int kKernel>
  static void depthwise_two_blocks(const NchwcConvJob& job, std::int64_t block, std::int64_t pixel_begin,
                                   std::int64_t pixel_end, float* buffer, std::int64_t buffer_floats) {
    const NchwcConvShape& s = job.shape;
    PaddedRows rows;
    rows.width = (s.out_w - 1) * kStride + kKernel;
    const std::int64_t band_rows = (buffer_floats / (rows.width * kWidth) - s.kernel_h) / s.stride_h + 1;
    const std::int64_t row_end = (pixel_end - 1) / s.out_w + 1;
    for (std::int64_t row = pixel_begin / s.out_w; row < row_end; row += band_rows) {
      const std::int64_t band_end = std::min(row_end, row + band_rows);
      rows.first_row = row * s.stride_h;
      rows.last_row = (band_end - 1) * s.stride_h + s.kernel_h;
      copy_padded_rows<2>(job, rows, block, buffer);
      // The copy as the input of a layer without padding whose row 0 is
      // padded row first_row (as in depthwise_padded).
      NchwcConvShape padded = s;
      padded.in_h = rows.last_row - rows.first_row;
      padded.in_w = rows.width;
      padded.pad_top = rows.first_row;
      padded.pad_left = 0;
      const NchwcConvJob padded_job(padded, buffer, job.packed, job.output, job.epilogue, job.block_weights);
      const std::int64_t begin = std::max(pixel_begin, row * s.out_w), end = std::min(pixel_end, band_end * s.out_w);
      for_row_segments(job, begin, end, [&](std::int64_t r, std::int64_t first, std::int64_t last) {
        two_block_columns<kStride, kKernel>(padded_job, buffer, block, r, first, last);
      });
    }
  }

  // Floats of the two-block copy's buffer: 64 KiB on the stack, 17 padded
  // rows of a 56-wide plane (15 output rows per band at 3x3).
  static constexpr std::int64_t kTwoBlockBufferFloats = 16384;

  // Blocks [block_begin, block_end) two at a time where
  // nchwc_depthwise_block_pairs takes the layer and a band of one output
  // row fits the buffer; returns the first block left (an odd last one, or
  // all of them).
  static std::int64_t depthwise_block_pairs(const NchwcConvJob& job, std::int64_t block_begin, std::int64_t block_end,
                                            std::int64_t pixel_begin, std::int64_t pixel_end) {
    const NchwcConvShape& s = job.shape;
    const std::int64_t width = (s.out_w - 1) * s.stride_w + s.kernel_w;
    if (!nchwc_depthwise_block_pairs(s) || s.kernel_h * width * kWidth > kTwoBlockBufferFloats) return block_begin;
    alignas(64) float buffer[kTwoBlockBufferFloats];
    std::int64_t block = block_begin;
    for (; block + 1 < block_end; block += 2) {
      const auto run = [&](auto stride, auto kernel) {
        depthwise_two_blocks<decltype(stride)::value, decltype(kernel)::value>(job, block, pixel_begin, pixel_end,
                                                                              buffer, kTwoBlockBufferFloats);
      };
      using One = std::integral_constant<int, 1>;
      using Two = std::integral_constant<int, 2>;
      using Three = std::integral_constant<int, 3>;
      using Five = std::integral_constant<int, 5>;
      if (s.stride_w == 1)
        s.kernel_w == 3 ? run(One{}, Three{}) : run(One{}, Five{});
      else
        s.kernel_w == 3 ? run(Two{}, Three{}) : run(Two{}, Five{});
    }
    return block;
  }

  template <int kStride>
  static bool try_depthwise_padded(const NchwcConvJob& job, std::int64_t block_begin, std::int64_t block_end,
                                   std::int64_t pixel_begin, std::int64_t pixel_end) {
    const PaddedRows rows = padded_rows(job, pixel_begin, pixel_end);
    if (!rows.use()) return false;
    if (job.shape.kernel_w == 3) depthwise_padded<kStride, 3>(job, rows, block_begin, block_end, pixel_begin, pixel_end);
    else if (job.shape.kernel_w == 5) depthwise_padded<kStride, 5>(job, rows, block_begin, block_end, pixel_begin, pixel_end);
    else return false;
    return true;
  }

  static void depthwise(const NchwcConvShape& shape, const float* input, const float* packed, float* output,
                        const Epilogue& epilogue, std::int64_t block_begin, std::int64_t block_end,
                        std::int64_t pixel_begin, std::int64_t pixel_end) {
    const NchwcConvJob job(shape, input, packed, output, epilogue, shape.kernel_h * shape.kernel_w * kB);
    if constexpr (kWide) {
      block_begin = depthwise_block_pairs(job, block_begin, block_end, pixel_begin, pixel_end);
      if (block_begin == block_end) return;
    }
    if (shape.stride_w == 1 && try_depthwise_padded<1>(job, block_begin, block_end, pixel_begin, pixel_end)) return;
    if (shape.stride_w == 2 && try_depthwise_padded<2>(job, block_begin, block_end, pixel_begin, pixel_end)) return;
    const bool unit = shape.stride_w == 1 && shape.dilation_w == 1;
    const bool half = shape.stride_w == 2 && shape.dilation_w == 1;
    if (unit && shape.kernel_w == 3) return depthwise_blocks<1, 3>(job, block_begin, block_end, pixel_begin, pixel_end);
    if (unit && shape.kernel_w == 5) return depthwise_blocks<1, 5>(job, block_begin, block_end, pixel_begin, pixel_end);
    if (half && shape.kernel_w == 3) return depthwise_blocks<2, 3>(job, block_begin, block_end, pixel_begin, pixel_end);
    if (half && shape.kernel_w == 5) return depthwise_blocks<2, 5>(job, block_begin, block_end, pixel_begin, pixel_end);
    if (shape.stride_w == 1) return depthwise_blocks<1>(job, block_begin, block_end, pixel_begin, pixel_end);
    depthwise_blocks<0>(job, block_begin, block_end, pixel_begin, pixel_end);
  }};

}  // namespace
}  // namespace onnxrun::kernels
