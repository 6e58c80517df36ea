#pragma once
// The depthwise convolution kernel, written once over xsimd batches and
// instantiated per instruction set (depthwise_conv_<isa>.cpp, each compiled
// with its own flags). Included only by those files.
//
// Each plane is done in bands of output rows (and, for very wide planes,
// column strips). A band's input is first copied into a zero-padded buffer P
// whose rows are `pitch` floats apart; an output at (row i, column c) then
// sits at flat position q = i * pitch + c, and tap (kh, kw) reads P at q plus a
// constant offset:
//   stride 1: P[q + kh * pitch + kw]
//   stride 2: P is split into four sub-planes by row and column parity (even
//             rows' even columns, even rows' odd columns, ...), each with rows
//             of `pitch` = half the padded width; tap (kh, kw) reads
//             sub-plane (kh % 2, kw % 2) at q + (kh / 2) * pitch + kw / 2.
// So the whole band is one flat loop of whole vectors, with no border cases
// and no per-row bookkeeping (which dominates 7x7 and 14x14 planes); only
// pitch - out_w columns per row are computed in vain. The flat results go to
// a second buffer F and go into the output rows through the epilogue.
#include <xsimd/xsimd.hpp>

#include <algorithm>
#include <utility>

#include "ops/kernels/depthwise_conv.hpp"
#include "ops/kernels/epilogue_simd.hpp"
#include "ops/kernels/simd_fma.hpp"

// The buffers' rows are tens of floats: GCC would otherwise turn the short copy
// and zeroing loops below into memcpy / memset calls (or rep stos), whose
// fixed cost was a third of the time on 7x7 planes.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC push_options
#pragma GCC optimize("no-tree-loop-distribute-patterns")
#endif

namespace onnxrun::kernels {

template <class Arch>
struct DepthwiseConvKernel {
  using Batch = xsimd::batch<float, Arch>;
  static constexpr std::int64_t kWidth = static_cast<std::int64_t>(Batch::size);
  // Flat vectors computed together: 8 independent accumulators keep both FMA
  // pipes busy through the FMA latency (4 cycles on current x86 cores).
  static constexpr int kUnroll = 8;
  // Floats in each of P and F: together 32 KiB of stack, mostly L1-resident.
  static constexpr std::int64_t kBuffer = 4096;
  // Zeros after P's last row: the last vector of a band reads up to a vector
  // plus a kernel width past it (a multiple of the widest vector).
  static constexpr std::int64_t kTail = 32;
  // Output columns per strip: bounds the pitch, so that a band holds at least
  // a few rows (stride 2, 5x5: 4 sub-planes x 7 rows of 130).
  static constexpr std::int64_t kStrip = 128;

  // kAct: the activation fixed at compile time (>= 0), so that
  // apply_activation_simd's switch folds away in the store loop; kAnyActivation
  // keeps the run-time switch (activations mobile nets do not fuse here).
  static constexpr int kAnyActivation = -1;

  static std::int64_t round_up(std::int64_t v, std::int64_t m) { return (v + m - 1) / m * m; }

  // Input column i of `row`, zero outside [0, width).
  static float at(const float* row, std::int64_t width, std::int64_t i) { return i >= 0 && i < width ? row[i] : 0.0f; }

  // dst[j] = row[first + j] for j in [0, count), zero-padded. Vector loops
  // rather than memcpy / memset: rows are short and the calls would dominate.
  // The row's last partial vector is loaded whole when that stays before
  // `end` (the plane's end; the excess is the next row, overwritten by the
  // zeros). Writes zeros up to a vector past count (the next row or P's tail).
  static void fill_stride1(const float* row, std::int64_t width, std::int64_t first, std::int64_t count, float* dst,
                           const float* end) {
    const std::int64_t lo = std::clamp<std::int64_t>(-first, 0, count);
    const std::int64_t hi = std::clamp<std::int64_t>(width - first, lo, count);
    for (std::int64_t j = 0; j < lo; j += kWidth) Batch(0.0f).store_unaligned(dst + j);
    std::int64_t j = lo;
    for (; j + kWidth <= hi; j += kWidth) Batch::load_unaligned(row + first + j).store_unaligned(dst + j);
    if (j < hi && end - (row + first + j) >= kWidth)
      Batch::load_unaligned(row + first + j).store_unaligned(dst + j);
    else
      for (; j < hi; ++j) dst[j] = row[first + j];
    for (j = hi; j < count; j += kWidth) Batch(0.0f).store_unaligned(dst + j);
  }

  // Lane k of the within-128-bit-lane step of a deinterleave: each 4-float lane
  // gathers a's even (Off 0) or odd (Off 1) pair, then b's.
  template <std::size_t K, std::size_t Off>
  static constexpr int lane_pick() {
    constexpr std::size_t lane = K / 4, m = K % 4;
    return static_cast<int>(m < 2 ? 4 * lane + 2 * m + Off : kWidth + 4 * lane + 2 * (m - 2) + Off);
  }
  // Lane k of the cross-lane step: 64-bit chunks from a (the even-numbered ones) first.
  template <std::size_t K>
  static constexpr int chunk_pick() {
    constexpr std::size_t c = K / 2, half = kWidth / 4, src = c < half ? 2 * c : 2 * (c - half) + 1;
    return static_cast<int>(2 * src + K % 2);
  }

  // even[0, kWidth) = src[0, 2, 4, ...], odd[0, kWidth) = src[1, 3, 5, ...].
  // Written with GCC's generic vector shuffles on xsimd's register type so
  // that each instruction set gets its best sequence (shufps, then one
  // 64-bit-chunk permute: 4 shuffles per 2 vectors on AVX2, where GCC's own
  // vectorization of the scalar loop used 4 permutes and 2 blends).
  template <std::size_t... I>
  static void deinterleave(const float* src, float* even, float* odd, std::index_sequence<I...>) {
    using Register = typename Batch::register_type;
    const Register a = Batch::load_unaligned(src), b = Batch::load_unaligned(src + kWidth);
    const Register e = __builtin_shufflevector(a, b, lane_pick<I, 0>()...);
    const Register o = __builtin_shufflevector(a, b, lane_pick<I, 1>()...);
    Batch(__builtin_shufflevector(e, e, chunk_pick<I>()...)).store_unaligned(even);
    Batch(__builtin_shufflevector(o, o, chunk_pick<I>()...)).store_unaligned(odd);
  }

  // even[j] = row[first + 2j], odd[j] = row[first + 2j + 1] for j in [0, count),
  // zero-padded; reads and writes past the row as fill_stride1 does.
  static void fill_stride2(const float* row, std::int64_t width, std::int64_t first, std::int64_t count, float* even,
                           float* odd, const float* end) {
    constexpr auto lanes = std::make_index_sequence<kWidth>{};
    // j in [lo, hi) has both columns inside the row.
    const std::int64_t lo = std::clamp<std::int64_t>((-first + 1) / 2, 0, count);
    const std::int64_t hi = std::clamp<std::int64_t>(first < width ? (width - first) / 2 : 0, lo, count);
    for (std::int64_t j = 0; j < lo; ++j) {
      even[j] = at(row, width, first + 2 * j);
      odd[j] = at(row, width, first + 2 * j + 1);
    }
    std::int64_t j = lo;
    for (; j + kWidth <= hi; j += kWidth) deinterleave(row + first + 2 * j, even + j, odd + j, lanes);
    if (j < hi && end - (row + first + 2 * j) >= 2 * kWidth) {
      deinterleave(row + first + 2 * j, even + j, odd + j, lanes);
    } else {
      for (; j < hi; ++j) {
        even[j] = row[first + 2 * j];
        odd[j] = row[first + 2 * j + 1];
      }
    }
    for (j = hi; j < count; j += kWidth) {
      Batch(0.0f).store_unaligned(even + j);
      Batch(0.0f).store_unaligned(odd + j);
    }
    if (hi < count) {  // the column pair that straddles the row's end
      even[hi] = at(row, width, first + 2 * hi);
      odd[hi] = at(row, width, first + 2 * hi + 1);
    }
  }

  // Where one band lives in P: `pitch` floats per row, `sub` floats per
  // stride-2 sub-plane.
  struct Band {
    std::int64_t pitch, sub, rows;  // rows: output rows in the band
  };

  // Copies the input of output rows [oh0, oh0 + b.rows), columns [o0, o0 + pitch), into P.
  template <int K, int S>
  [[gnu::noinline]] static void fill_band(const DepthwiseConvShape& s, const float* in, std::int64_t oh0, std::int64_t o0,
                        const Band& b, float* p) {
    const float* end = in + s.in_h * s.in_w;
    const std::int64_t first_row = oh0 * S - s.pad_top, first_col = o0 * S - s.pad_left;
    if constexpr (S == 1) {
      const std::int64_t rows = b.rows + K - 1;
      for (std::int64_t r = 0; r < rows; ++r) {
        const std::int64_t ih = first_row + r;
        float* dst = p + r * b.pitch;
        if (ih >= 0 && ih < s.in_h)
          fill_stride1(in + ih * s.in_w, s.in_w, first_col, b.pitch, dst, end);
        else
          for (std::int64_t j = 0; j < b.pitch; j += kWidth) Batch(0.0f).store_unaligned(dst + j);
      }
      for (std::int64_t j = 0; j < kTail; j += kWidth) Batch(0.0f).store_unaligned(p + rows * b.pitch + j);
    } else {
      const std::int64_t sub_rows = b.rows + (K - 1) / 2;
      for (std::int64_t r = 0; r < 2 * sub_rows; ++r) {
        const std::int64_t ih = first_row + r;
        float* even = p + (r % 2) * 2 * b.sub + (r / 2) * b.pitch;
        float* odd = even + b.sub;
        if (ih >= 0 && ih < s.in_h) {
          fill_stride2(in + ih * s.in_w, s.in_w, first_col, b.pitch, even, odd, end);
        } else {
          std::fill(even, even + b.pitch, 0.0f);
          std::fill(odd, odd + b.pitch, 0.0f);
        }
      }
      for (int q = 0; q < 4; ++q) std::fill(p + q * b.sub + sub_rows * b.pitch, p + (q + 1) * b.sub, 0.0f);
    }
  }

  // acc[u] = the taps' sum at flat positions q + u * kWidth.
  template <int K, int S, int U>
  static void accumulate(const float* p, const Band& b, const Batch* w, std::int64_t q, Batch (&acc)[U]) {
#pragma GCC unroll 16
    for (int u = 0; u < U; ++u) acc[u] = Batch(0.0f);
#pragma GCC unroll 7
    for (int kh = 0; kh < K; ++kh) {
#pragma GCC unroll 7
      for (int kw = 0; kw < K; ++kw) {
        const float* src = S == 1 ? p + kh * b.pitch + kw
                                  : p + ((kh % 2) * 2 + kw % 2) * b.sub + (kh / 2) * b.pitch + kw / 2;
        const Batch tap = w[kh * K + kw];
#pragma GCC unroll 16
        for (int u = 0; u < U; ++u) acc[u] = fmadd(Batch::load_unaligned(src + q + u * kWidth), tap, acc[u]);
      }
    }
  }

  // F[q] = the bare sums for q in [0, b.rows * b.pitch), rounded up to whole
  // vectors. Not inlined, and free of the epilogue, so that the unrolled loop
  // exists once per (K, S) and not once per activation as well: that kept
  // sanitizer builds of these files to minutes.
  template <int K, int S>
  [[gnu::noinline]] static void compute_band(const float* p, const Band& b, const Batch* w, float* f) {
    const std::int64_t count = b.rows * b.pitch;
    std::int64_t q = 0;
    for (; q + kUnroll * kWidth <= count; q += kUnroll * kWidth) {
      Batch acc[kUnroll];
      accumulate<K, S, kUnroll>(p, b, w, q, acc);
#pragma GCC unroll 16
      for (int u = 0; u < kUnroll; ++u) acc[u].store_aligned(f + q + u * kWidth);
    }
    for (; q < count; q += kWidth) {
      Batch acc[1];
      accumulate<K, S, 1>(p, b, w, q, acc);
      acc[0].store_aligned(f + q);
    }
  }

  // Stores the band's n columns per row from F into the output rows, through
  // the epilogue (residual laid out like the output). When a row is the whole
  // plane width, its last partial vector is stored whole: the excess lands in
  // the rows after it, which are written afterwards, as long as it stays
  // within the plane's `room` floats from `out` (the residual is read as far).
  template <int kAct>
  static void store_band(const float* f, const Band& b, float* out, const float* residual, std::int64_t out_w,
                         std::int64_t n, std::int64_t room, const Epilogue& epilogue, std::int64_t channel) {
    Epilogue e = epilogue;
    if constexpr (kAct >= 0) e.activation.kind = static_cast<Activation>(kAct);
    for (std::int64_t i = 0; i < b.rows; ++i) {
      const float* src = f + i * b.pitch;
      float* dst = out + i * out_w;
      const float* res = residual ? residual + i * out_w : nullptr;
      std::int64_t j = 0;
      for (; j + kWidth <= n; j += kWidth)
        apply_epilogue_simd(Batch::load_unaligned(src + j), e, channel, res ? res + j : nullptr).store_unaligned(dst + j);
      if (j == n) continue;
      if (n == out_w && i * out_w + j + kWidth <= room) {
        apply_epilogue_simd(Batch::load_unaligned(src + j), e, channel, res ? res + j : nullptr).store_unaligned(dst + j);
      } else {
        for (std::int64_t k = j; k < n; ++k) dst[k] = src[k];
        apply_epilogue_row(dst + j, n - j, e, channel, res ? res + j : nullptr);
      }
    }
  }

  template <int K, int S, int kAct>
  static void planes(const DepthwiseConvShape& s, const float* input, const float* weights, float* output,
                     const Epilogue& e, std::int64_t plane_begin, std::int64_t plane_end) {
    alignas(64) float p[kBuffer];
    alignas(64) float f[kBuffer];
    const std::int64_t in_plane = s.in_h * s.in_w, out_plane = s.out_h * s.out_w;
    for (std::int64_t plane = plane_begin; plane < plane_end; ++plane) {
      const std::int64_t channel = plane % s.channels;
      Batch w[K * K];
      for (int t = 0; t < K * K; ++t) w[t] = Batch(weights[channel * K * K + t]);
      const float* in = input + plane * in_plane;
      float* out = output + plane * out_plane;
      const float* residual = e.residual ? e.residual + plane * out_plane : nullptr;
      for (std::int64_t o0 = 0; o0 < s.out_w; o0 += kStrip) {
        const std::int64_t n = std::min(kStrip, s.out_w - o0);
        Band b;
        b.pitch = S == 1 ? n + K - 1 : n + (K - 1) / 2;
        std::int64_t max_rows;
        if constexpr (S == 1) {
          max_rows = (kBuffer - kTail) / b.pitch - (K - 1);
        } else {
          max_rows = (kBuffer / 4 - kTail) / b.pitch - (K - 1) / 2;
        }
        // Equal bands: no short last band to pay the fill overhead for.
        const std::int64_t bands = (s.out_h + max_rows - 1) / max_rows;
        const std::int64_t band_rows = (s.out_h + bands - 1) / bands;
        for (std::int64_t oh0 = 0; oh0 < s.out_h; oh0 += band_rows) {
          b.rows = std::min(band_rows, s.out_h - oh0);
          b.sub = round_up((b.rows + (K - 1) / 2) * b.pitch + kTail, 16);
          fill_band<K, S>(s, in, oh0, o0, b, p);
          compute_band<K, S>(p, b, w, f);
          const std::int64_t at = oh0 * s.out_w + o0;
          store_band<kAct>(f, b, out + at, residual ? residual + at : nullptr, s.out_w, n, out_plane - at, e,
                           channel);
        }
      }
    }
  }

  template <int K, int S>
  static void with_activation(const DepthwiseConvShape& s, const float* input, const float* weights, float* output,
                              const Epilogue& e, std::int64_t plane_begin, std::int64_t plane_end) {
    constexpr auto kind = [](Activation a) { return static_cast<int>(a); };
    switch (e.activation.kind) {
      case Activation::None:
        return planes<K, S, kind(Activation::None)>(s, input, weights, output, e, plane_begin, plane_end);
      case Activation::Relu:
        return planes<K, S, kind(Activation::Relu)>(s, input, weights, output, e, plane_begin, plane_end);
      case Activation::Clip:
        return planes<K, S, kind(Activation::Clip)>(s, input, weights, output, e, plane_begin, plane_end);
      case Activation::HardSwish:
        return planes<K, S, kind(Activation::HardSwish)>(s, input, weights, output, e, plane_begin, plane_end);
      case Activation::Silu:  // EfficientNet's
        return planes<K, S, kind(Activation::Silu)>(s, input, weights, output, e, plane_begin, plane_end);
      default:
        return planes<K, S, kAnyActivation>(s, input, weights, output, e, plane_begin, plane_end);
    }
  }

  static void run(const DepthwiseConvShape& s, const float* input, const float* weights, float* output,
                  const Epilogue& e, std::int64_t plane_begin, std::int64_t plane_end) {
    if (s.kernel == 3 && s.stride == 1) return with_activation<3, 1>(s, input, weights, output, e, plane_begin, plane_end);
    if (s.kernel == 3 && s.stride == 2) return with_activation<3, 2>(s, input, weights, output, e, plane_begin, plane_end);
    if (s.kernel == 5 && s.stride == 1) return with_activation<5, 1>(s, input, weights, output, e, plane_begin, plane_end);
    if (s.kernel == 5 && s.stride == 2) return with_activation<5, 2>(s, input, weights, output, e, plane_begin, plane_end);
    if (s.kernel == 7 && s.stride == 1) return with_activation<7, 1>(s, input, weights, output, e, plane_begin, plane_end);
    if (s.kernel == 7 && s.stride == 2) return with_activation<7, 2>(s, input, weights, output, e, plane_begin, plane_end);
  }
};

}  // namespace onnxrun::kernels

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC pop_options
#endif
