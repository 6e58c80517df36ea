#pragma once
// The NCHW8c convolution kernels (nchwc_conv.hpp), written once over xsimd
// batches and instantiated per instruction set (nchwc_conv_<isa>.cpp, each
// compiled with its own flags). Included only by those files.
//
// Dense: a tile is OB output blocks x PX output pixels of one row, OB * PX * 8
// sums held in registers (12 AVX2 registers). For each input channel the tile
// loads OB weight vectors and PX broadcast input values and does OB * PX
// vector FMAs: 8 loads per 12 FMAs at OB=2, PX=6, within what two load ports
// sustain beside two FMA pipes. Pixels whose taps reach past the input's
// left or right edge go one at a time through a checked tile; rows whose taps
// fall outside are skipped per kernel row.
//
// The depthwise kernel, built on this one's helpers, is in
// nchwc_depthwise_impl.hpp.
//
// A tile applies the epilogue (bias, residual, activation) as it stores its
// finished sums, once per tile choosing the activation's code.
#include <xsimd/xsimd.hpp>

#include <algorithm>
#include <type_traits>

#include "ops/kernels/epilogue_simd.hpp"
#include "ops/kernels/nchwc_conv.hpp"
#include "ops/kernels/simd_fma.hpp"

namespace onnxrun::kernels {

// In an unnamed namespace: each ISA's file has its own copy. The AVX-512 file
// instantiates NchwcConvKernel<fma3<avx2>> too (its single-block tiles); as
// ordinary inline templates, the linker kept one copy of each function for
// both files, and in the sanitizer build (less inlining) it kept the AVX-512
// file's, compiled with -mavx512f: AVX-512 instructions in the AVX2 kernel,
// which an AVX2-only CPU cannot run.
namespace {

// Asks for the cache line at `at` into L2. The empty asm statement keeps
// the request: without it GCC -O3 dropped the loops that make nothing but
// requests.
[[gnu::always_inline]] inline void ask_for_line(const float* at) {
  __builtin_prefetch(at, 0, 2);
#if defined(__GNUC__)
  asm volatile("");
#endif
}

// What every tile of one call shares (the same at every vector width, so
// that the AVX-512 kernel can hand single blocks to the AVX2 one).
struct NchwcConvJob {
  static constexpr std::int64_t kB = kNchwcBlock;
  const NchwcConvShape& shape;
  const float* input;
  const float* packed;
  float* output;
  const Epilogue& epilogue;
  // Floats per channel block of the input / output (a band's, with
  // out_rows). (An NCHW input is a single block, so in_plane is never used
  // to step between its blocks.)
  std::int64_t in_plane, out_plane;
  std::int64_t out_first_row;  // the output row at the start of each block's plane or band
  std::int64_t block_weights;  // packed floats per output block
  // Output columns [interior_begin, interior_end) read no column outside the input.
  std::int64_t interior_begin, interior_end;
  // The end of the layer's packed weights: no pass asks for weights past it
  // (NchwcConvKernel::NextPass). The last pass of the call's last group asks
  // for the next group's first, which the caller's next call (the same
  // thread's next task) computes.
  const float* weights_end = nullptr;

  NchwcConvJob(const NchwcConvShape& s, const float* in, const float* w, float* out, const Epilogue& e,
               std::int64_t weights_per_block)
      : shape(s), input(in), packed(w), output(out), epilogue(e), in_plane(s.in_h * s.in_w * kB),
        out_plane((s.out_rows > 0 ? s.out_rows : s.out_h) * s.out_w * kB), out_first_row(s.out_first_row),
        block_weights(weights_per_block) {
    const NchwcInteriorColumns interior = nchwc_interior_columns(s);
    interior_begin = interior.begin;
    interior_end = interior.end;
  }
};

// Loads and stores of a vector wider than a block: its 8-float pieces belong
// to consecutive blocks, `plane` floats apart in the output. Specialized by
// the instruction sets whose vectors are that wide (nchwc_conv_avx512.cpp).
template <class Arch>
struct NchwcBlockPieces;

// The instruction set whose vectors are at most one block: Arch itself, or
// for wider vectors (specialized with NchwcBlockPieces) the one that runs
// their kernel's single-block groups and depthwise edge tiles.
template <class Arch>
struct NchwcNarrowArch {
  using type = Arch;
};

template <class Arch>
struct NchwcConvKernel {
  using Batch = xsimd::batch<float, Arch>;
  static constexpr int kWidth = static_cast<int>(Batch::size);
  static constexpr std::int64_t kB = kNchwcBlock;
  static constexpr bool kWide = kWidth > kB;  // a vector spans blocks
  static constexpr int kSub = kWide ? 1 : static_cast<int>(kB) / kWidth;  // vectors per channel block
  static_assert(kWide ? kWidth % kB == 0 : kSub * kWidth == kB, "blocks and vectors tile each other");
  // This kernel where its vectors are at most a block wide.
  using Narrow = NchwcConvKernel<typename NchwcNarrowArch<Arch>::type>;

  // The next pass's weights (the next input blocks of the group, or the next
  // group's first ones: the packing makes them the floats that follow),
  // asked for into L2 while a pointwise pass runs, each whole tile its share
  // by its columns' share of the segment. A pass's weights (32 KiB on
  // AVX-512) come from L3 or memory where a model's weights outgrow L2, and
  // the pass's first tile waited on them while the later tiles reuse them:
  // layers of few pixels and many weights (7x7 and 14x14 planes) ran at
  // 75-95 GFLOP/s in the models against 140-160 with their weights in L2.
  // Paired against the kernel without it, 1 thread, AVX-512, each call after
  // a 200 MB write: ResNet-50's 2048>512 and 512>2048 at 7x7 0.74 of its
  // time, MobileNetV2's 320>1280 and 960>320 0.80 and 0.84, EfficientNet's
  // 1152>192 and 192>1152 0.86 and 0.79, ResNet-50's 14x14 ones 0.94; with
  // the operands in cache 0.94-1.04 (MobileNetV2's 24>144 at 56x56: 1.09,
  // as the harness also gave two builds that differ only in how many lines
  // they ask for). In EfficientNet-B0 (1 thread, per-layer medians) its 7x7
  // pointwise layers took 0.67-0.73 of their time. On AVX2 (passes of 16
  // KiB), after the 200 MB write: 0.90-0.94 at 7x7.
  struct NextPass {
    static constexpr std::int64_t kLineFloats = 16;  // a 64-byte cache line
    const float* weights = nullptr;  // the next pass's first weight; nullptr: none to ask for
    std::int64_t lines = 0;          // its cache lines
    std::int64_t first = 0, columns = 1;  // the pass's output columns [first, first + columns)
  };

  // Vectors across OB blocks' channels at one pixel.
  template <int OB>
  static constexpr int vectors() {
    static_assert(OB * kB % kWidth == 0, "a tile's blocks fill whole vectors");
    return static_cast<int>(OB * kB / kWidth);
  }

  // The vector at `at` of an output (or residual) laid out like the output.
  [[gnu::always_inline]] static Batch load_output(const NchwcConvJob& job, const float* at) {
    if constexpr (kWide)
      return NchwcBlockPieces<Arch>::load(at, job.out_plane);
    else
      return Batch::load_unaligned(at);
  }
  [[gnu::always_inline]] static void store_output(const NchwcConvJob& job, const Batch& v, float* at) {
    if constexpr (kWide)
      NchwcBlockPieces<Arch>::store(v, at, job.out_plane);
    else
      v.store_unaligned(at);
  }

  // Stores a tile's finished sums through the epilogue: sum i goes to
  // out_of(i) and belongs to channel offset channel_of(i) (for the bias).
  // The activation's switch runs once per tile, not once per vector.
  template <int K, class OutOf, class ChannelOf>
  [[gnu::always_inline]] static void store_finished(const NchwcConvJob& job, const Batch (&sums)[K], OutOf out_of,
                                                    ChannelOf channel_of) {
    const Epilogue& e = job.epilogue;
    with_activation_simd<Batch>(e.activation, [&](auto activate) {
#pragma GCC unroll 24
      for (int i = 0; i < K; ++i) {
        float* out = out_of(i);
        Batch v = sums[i];
        if (e.row_bias) v += Batch::load_unaligned(e.row_bias + channel_of(i));
        if (e.residual) v += load_output(job, e.residual + (out - job.output));
        store_output(job, activate(v), out);
      }
    });
  }

  // What the input of an instantiation is: blocked (kBlockedInput), or NCHW
  // (NchwcConvShape::nchw_in_channels) with that many channels, a constant
  // where it is an RGB image's 3 (the loop over them unrolls), else
  // kNchwAnyChannels.
  static constexpr int kBlockedInput = 0;
  static constexpr int kNchwAnyChannels = -1;
  static constexpr int kNchwRgb = 3;

  // acc += the products of one input block (8 channels at PX pixels, x[p *
  // pixel_step + c]) with its weights w ([8 channels][G blocks][8]). With an
  // NCHW input (kInput), the block is its `channels` channels, channel c at
  // x[c * channel_step].
  template <int G, int OB, int PX, int kInput = kBlockedInput>
  static void accumulate_block(Batch* acc, const float* x, std::int64_t pixel_step, const float* w,
                               std::int64_t channels = kB, std::int64_t channel_step = 1) {
    if constexpr (kInput == kBlockedInput) {  // constants: the loop unrolls
      channels = kB;
      channel_step = 1;
    } else if constexpr (kInput != kNchwAnyChannels) {
      channels = kInput;
    }
    constexpr int kVectors = vectors<OB>();
    constexpr bool kNchwInput = kInput != kBlockedInput;
#pragma GCC unroll 8
    for (int ic = 0; ic < channels; ++ic) {
      // The tile's OB blocks are consecutive in the group: one run of OB * 8 weights.
      Batch wv[kVectors];
#pragma GCC unroll 4
      for (int i = 0; i < kVectors; ++i) wv[i] = Batch::load_unaligned(w + ic * G * kB + i * kWidth);
      // An NCHW input (a first layer): one pointer per channel, opaque to
      // the optimizer. Without the barrier GCC strength-reduced each of the
      // AVX-512 tile's 36 addresses (12 pixels x 3 channels) into an
      // induction variable of its own across the kernel's taps and kept
      // them on the stack: 18 reloads and 16 register moves per tap, beside
      // 72 FMAs. The sums go through fmadd_in_place, which keeps each in
      // its register (with fmadd, GCC rotated them through the registers of
      // dying broadcasts and spilled four). Paired against the kernel with
      // neither change, the first layers of SqueezeNet, MobileNetV2 and
      // ResNet took 0.77-0.81, 0.75-0.88 and 0.88-0.89 of its time on
      // AVX-512; on AVX2 (the barrier alone: an in-place AVX2 FMA made them
      // 1.2x slower) 0.90-0.95, 0.90-0.99 and 0.93; on SSE2 0.97-0.98.
      const float* xc = x + ic * channel_step;
#if defined(__GNUC__)
      if constexpr (kNchwInput) asm("" : "+r"(xc));
#endif
#pragma GCC unroll 16
      for (int p = 0; p < PX; ++p) {
        const Batch xv(xc[p * pixel_step]);
#pragma GCC unroll 4
        for (int i = 0; i < kVectors; ++i) {
          if constexpr (kNchwInput)
            fmadd_in_place(acc[i * PX + p], wv[i], xv);
          else
            acc[i * PX + p] = fmadd(wv[i], xv, acc[i * PX + p]);
        }
      }
    }
  }

  // Dense tile: blocks [block, block + OB) of a weight group of G blocks, at
  // columns [col, col + PX) of row `row`, summing input blocks
  // [ib_begin, ib_end) onto zero (the first input block) or onto the partial
  // sums in the output. kChecked skips taps outside the input's columns
  // (border pixels; PX must then be 1); kStride is the column stride where
  // the instantiation has it as a constant (1 or 2: constant offsets), else
  // 0. `weights` points at the tile's first block within the group's
  // weights, where one input channel's G blocks are consecutive.
  // kPointwise: a 1x1 kernel, stride 1, without padding, whose taps are never
  // outside the input: no kernel loops and no checks around the input blocks.
  // kInput: the input's kind (kBlockedInput, or NCHW: accumulate_block).
  template <int G, int OB, int PX, int kStride, bool kChecked, bool kPointwise, int kInput, bool kAsk = false>
  static void dense_tile(const NchwcConvJob& job, const float* weights, std::int64_t block, std::int64_t row, std::int64_t col,
                         std::int64_t ib_begin, std::int64_t ib_end, const NextPass* next = nullptr) {
    // One flat array with every small loop unrolled: GCC kept a 3-D array of
    // sums on the stack (zeroed with rep stos) and folded the weight loads
    // into the FMAs, two loads per FMA.
    constexpr int kSums = vectors<OB>() * PX;
    const NchwcConvShape& s = job.shape;
    const std::int64_t stride = kStride ? kStride : s.stride_w;
    float* out = job.output + block * job.out_plane + ((row - job.out_first_row) * s.out_w + col) * kB;
    // Sum i = v * PX + p: vector v of the tile's channels (from channel v *
    // kWidth) at pixel p.
    const auto channel_at = [](int i) { return i / PX * kWidth; };
    const auto out_at = [&](int i) {
      const int c = channel_at(i);
      return out + c / kB * job.out_plane + i % PX * kB + c % kB;
    };
    Batch acc[kSums];
#pragma GCC unroll 24
    for (int i = 0; i < kSums; ++i) acc[i] = ib_begin == 0 ? Batch(0.0f) : load_output(job, out_at(i));
    const std::int64_t row0 = row * s.stride_h - s.pad_top, col0 = col * stride - s.pad_left;
    // Floats per input pixel and channels per input block.
    constexpr bool kNchwInput = kInput != kBlockedInput;
    constexpr std::int64_t kPixelFloats = kNchwInput ? 1 : kB;
    const std::int64_t block_channels = kNchwInput ? s.nchw_in_channels : kB;
    const std::int64_t pixel_step = stride * kPixelFloats;
    static_assert(kPointwise || !kAsk, "only pointwise tiles ask for the next pass's weights");
    if constexpr (kPointwise) {
      // kAsk: this tile's share of the next pass's lines [lo, hi), a few
      // before each input block's sums. (A variant of its own: the
      // bookkeeping in the tile every other segment runs cost it 1.12x on
      // MobileNetV2's 144>24 at 56x56.)
      [[maybe_unused]] std::int64_t lo = 0, hi = 0, per_block = 0;
      if constexpr (kAsk) {
        lo = next->lines * (col - next->first) / next->columns;
        // The segment's last whole tile also takes the share of the narrower
        // tiles after it, which do not ask.
        const bool last_whole = col + 2 * PX > next->first + next->columns;
        hi = last_whole ? next->lines : next->lines * (col + PX - next->first) / next->columns;
        per_block = (hi - lo + (ib_end - ib_begin) - 1) / (ib_end - ib_begin);
      }
      const float* x = job.input + (row0 * s.in_w + col0) * kB;
      for (std::int64_t ib = ib_begin; ib < ib_end; ++ib) {
        if constexpr (kAsk) {
          const std::int64_t from = lo + (ib - ib_begin) * per_block, to = std::min(hi, from + per_block);
          for (std::int64_t line = from; line < to; ++line)
            ask_for_line(next->weights + line * NextPass::kLineFloats);
        }
        accumulate_block<G, OB, PX>(acc, x + ib * job.in_plane, pixel_step, weights + ib * kB * kB * G);
      }
    } else {
      for (std::int64_t ib = ib_begin; ib < ib_end; ++ib) {
        const float* plane = job.input + ib * job.in_plane;
        for (std::int64_t kh = 0; kh < s.kernel_h; ++kh) {
          const std::int64_t in_row = row0 + kh * s.dilation_h;
          if (in_row < 0 || in_row >= s.in_h) continue;
          for (std::int64_t kw = 0; kw < s.kernel_w; ++kw) {
            const std::int64_t in_col = col0 + kw * s.dilation_w;
            if (kChecked && (in_col < 0 || in_col >= s.in_w)) continue;
            accumulate_block<G, OB, PX, kInput>(
                acc, plane + (in_row * s.in_w + in_col) * kPixelFloats, pixel_step,
                weights + ((ib * s.kernel_h + kh) * s.kernel_w + kw) * block_channels * kB * G, block_channels,
                s.in_h * s.in_w);
          }
        }
      }
    }
    if (ib_end == s.in_blocks) {
      store_finished(job, acc, out_at, [&](int i) { return block * kB + channel_at(i); });
    } else {
#pragma GCC unroll 24
      for (int i = 0; i < kSums; ++i) store_output(job, acc[i], out_at(i));
    }
  }

  // Output pixels per segment: a pass's partial sums stay in L1 (60 pixels x
  // 4 blocks: 7.5 KiB). 60 is a multiple of the dense tile widths (6 and 12).
  static constexpr std::int64_t kSegment = 60;

  // Calls segment(row, first, last) for runs [first, last) of at most
  // kSegment columns of one row covering the output pixels
  // [pixel_begin, pixel_end) (row-major over the plane).
  template <class Segment>
  static void for_row_segments(const NchwcConvJob& job, std::int64_t pixel_begin, std::int64_t pixel_end, Segment segment) {
    const std::int64_t out_w = job.shape.out_w;
    for (std::int64_t pixel = pixel_begin; pixel < pixel_end;) {
      const std::int64_t row = pixel / out_w, first = pixel % out_w;
      const std::int64_t last = std::min({out_w, first + (pixel_end - pixel), first + kSegment});
      segment(row, first, last);
      pixel += last - first;
    }
  }

  // Columns [first, last) of a row: the interior in tiles of PX, then its
  // remaining columns through tail(col, count) (count < PX), and each run of
  // border columns through border(col, count), whose tiles check every tap.
  template <int PX, class Interior, class Tail, class Border>
  static void for_columns(const NchwcConvJob& job, std::int64_t first, std::int64_t last, Interior interior, Tail tail,
                          Border border) {
    const std::int64_t lo = std::clamp(job.interior_begin, first, last);
    const std::int64_t hi = std::clamp(job.interior_end, lo, last);
    if (first < lo) border(first, lo - first);
    std::int64_t col = lo;
    for (; col + PX <= hi; col += PX) interior(col);
    if (col < hi) tail(col, hi - col);
    if (hi < last) border(hi, last - hi);
  }

  // A run of count columns in tiles of 4, 2 and 1 pixels (few widths: each
  // is an instantiation, and the sanitizer build compiles them slowly): as
  // many independent sums as the run allows (single-pixel tiles of one block
  // wait on the FMA latency).
  template <class Tile>
  static void for_tail(std::int64_t col, std::int64_t count, Tile tile) {
    for (; count >= 4; col += 4, count -= 4) tile(std::integral_constant<int, 4>{}, col);
    if (count >= 2) {
      tile(std::integral_constant<int, 2>{}, col);
      col += 2;
      count -= 2;
    }
    if (count == 1) tile(std::integral_constant<int, 1>{}, col);
  }

  // Blocks [block, block + OB) of a group of G at columns [first, last) of
  // one row, for one pass over the input blocks.
  // kAsk: the whole tiles ask for their shares of *next (pointwise only).
  template <int G, int OB, int PX, int kStride, bool kPointwise, int kInput, bool kAsk = false>
  static void dense_columns(const NchwcConvJob& job, const float* weights, std::int64_t block, std::int64_t row,
                            std::int64_t first, std::int64_t last, std::int64_t ib, std::int64_t ib_end,
                            const NextPass* next = nullptr) {
    for_columns<PX>(
        job, first, last,
        [&](std::int64_t col) {
          dense_tile<G, OB, PX, kStride, false, kPointwise, kInput, kAsk>(job, weights, block, row, col, ib, ib_end,
                                                                          next);
        },
        [&](std::int64_t col, std::int64_t count) {
          for_tail(col, count, [&](auto px, std::int64_t c) {
            dense_tile<G, OB, decltype(px)::value, kStride, false, kPointwise, kInput>(job, weights, block, row, c,
                                                                                         ib, ib_end);
          });
        },
        [&](std::int64_t col, std::int64_t count) {  // checked tiles are one pixel wide (the check is per tap)
          if constexpr (!kPointwise)  // a pointwise layer has no border columns
            for (std::int64_t c = col; c < col + count; ++c)
              dense_tile<G, OB, 1, kStride, true, false, kInput>(job, weights, block, row, c, ib, ib_end);
        });
  }

  // Pixels per tile of a group of G blocks. AVX2: two blocks by six pixels
  // (12 sums, 2 weight vectors and a broadcast: 15 of the 16 registers) or
  // one block by twelve. AVX-512: twelve pixels, four blocks in 24 sums
  // (of 32 registers; 14 loads per 24 FMAs) or two in 12.
  template <int G>
  static constexpr int tile_pixels() {
    return kWide || G == 1 ? 12 : 6;
  }

  // One row segment of a weight group of G blocks starting at `block`.
  template <int G, int kStride, bool kPointwise, int kInput>
  static void dense_segment(const NchwcConvJob& job, std::int64_t block, std::int64_t row, std::int64_t first,
                            std::int64_t last, bool ask_next) {
    const std::int64_t in_blocks = job.shape.in_blocks, per_pass = nchwc_input_blocks_per_pass(job.shape);
    const float* weights = job.packed + block * job.block_weights;
    constexpr int PX = tile_pixels<G>();
    for (std::int64_t ib = 0; ib < in_blocks; ib += per_pass) {
      const std::int64_t ib_end = std::min(in_blocks, ib + per_pass);
      if constexpr (kPointwise) {
        if (ask_next) {
          // A pointwise pass's floats per input block; the next pass has at
          // most per_pass of them, and at most in_blocks (a group's only pass).
          const std::int64_t input_block_weights = kB * kB * G;
          NextPass next;
          next.weights = weights + ib_end * input_block_weights;
          const std::int64_t floats =
              std::min(std::min(per_pass, in_blocks) * input_block_weights, job.weights_end - next.weights);
          next.lines = floats / NextPass::kLineFloats;
          next.first = first;
          next.columns = last - first;
          if (next.lines > 0) {
            dense_columns<G, G, PX, kStride, true, kInput, true>(job, weights, block, row, first, last, ib, ib_end,
                                                                 &next);
            continue;
          }
        }
      }
      dense_columns<G, G, PX, kStride, kPointwise, kInput>(job, weights, block, row, first, last, ib, ib_end);
    }
  }

  // One row segment of the group of `group` blocks starting at `block`.
  // Groups of 4 blocks come only to the wide kernel (nchwc_conv.cpp's
  // dispatch); its single blocks run at NchwcNarrowArch's width.
  template <int kStride, bool kPointwise, int kInput>
  static void dense_group(const NchwcConvJob& job, std::int64_t group, std::int64_t block, std::int64_t row,
                          std::int64_t first, std::int64_t last, bool ask_next) {
    if constexpr (kWide) {
      if (group == 4) return dense_segment<4, kStride, kPointwise, kInput>(job, block, row, first, last, ask_next);
      if (group == 2) return dense_segment<2, kStride, kPointwise, kInput>(job, block, row, first, last, ask_next);
      Narrow::template dense_segment<1, kStride, kPointwise, kInput>(job, block, row, first, last, ask_next);
    } else {
      if (group == 2) return dense_segment<2, kStride, kPointwise, kInput>(job, block, row, first, last, ask_next);
      dense_segment<1, kStride, kPointwise, kInput>(job, block, row, first, last, ask_next);
    }
  }

  // Segment by segment, so that the groups of the range reuse the segment's
  // input from L1. The first segment reads the weights from wherever they
  // are, the next ones from the caches, so only the first asks for the next
  // pass's: asked for again, the lines would already be in the caches.
  template <int kStride, bool kPointwise, int kInput>
  static void dense_strided(const NchwcConvJob& job, std::int64_t block_begin, std::int64_t block_end, std::int64_t pixel_begin,
                            std::int64_t pixel_end) {
    for_row_segments(job, pixel_begin, pixel_end, [&](std::int64_t row, std::int64_t first, std::int64_t last) {
      const bool ask_next = row * job.shape.out_w + first == pixel_begin;
      std::int64_t block = block_begin;
      while (block < block_end) {
        const std::int64_t blocks = nchwc_group_at(job.shape, block);
        dense_group<kStride, kPointwise, kInput>(job, blocks, block, row, first, last, ask_next);
        block += blocks;
      }
    });
  }

  static void dense(const NchwcConvShape& shape, const float* input, const float* packed, float* output,
                    const Epilogue& epilogue, std::int64_t block_begin, std::int64_t block_end,
                    std::int64_t pixel_begin, std::int64_t pixel_end) {
    // Packed floats per output block; a group of blocks starts at its first block times that.
    const std::int64_t block_channels = shape.nchw_in_channels > 0 ? shape.nchw_in_channels : kB;
    NchwcConvJob job(shape, input, packed, output, epilogue,
                     shape.in_blocks * shape.kernel_h * shape.kernel_w * block_channels * kB);
    job.weights_end = packed + shape.out_blocks * job.block_weights;
    // An NCHW input (a first layer): an RGB image at stride 2 (the stems of
    // ResNet, MobileNet, SqueezeNet, EfficientNet) with constant offsets for
    // its 12 pixels and its 3 channels, anything else on the general path.
    if (shape.nchw_in_channels == kNchwRgb && shape.stride_w == 2)
      return dense_strided<2, false, kNchwRgb>(job, block_begin, block_end, pixel_begin, pixel_end);
    if (shape.nchw_in_channels > 0)
      return dense_strided<0, false, kNchwAnyChannels>(job, block_begin, block_end, pixel_begin, pixel_end);
    const bool pointwise = shape.kernel_h == 1 && shape.kernel_w == 1 && shape.pad_top == 0 && shape.pad_left == 0;
    // Strided pointwise layers (ResNet's downsample) take the general path:
    // one instantiation fewer. Stride 2 gets its own: with the stride a
    // constant, a tile's 12 pixels are constant offsets from one pointer; a
    // run-time stride took ResNet-18's 3x3 and 1x1 stride-2 layers 1.7-2.8x
    // the time of im2col + GEMM.
    if (pointwise && shape.stride_w == 1)
      dense_strided<1, true, kBlockedInput>(job, block_begin, block_end, pixel_begin, pixel_end);
    else if (shape.stride_w == 1)
      dense_strided<1, false, kBlockedInput>(job, block_begin, block_end, pixel_begin, pixel_end);
    else if (shape.stride_w == 2)
      dense_strided<2, false, kBlockedInput>(job, block_begin, block_end, pixel_begin, pixel_end);
    else
      dense_strided<0, false, kBlockedInput>(job, block_begin, block_end, pixel_begin, pixel_end);
  }

};

}  // namespace
}  // namespace onnxrun::kernels
