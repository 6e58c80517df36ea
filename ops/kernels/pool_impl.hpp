#pragma once
// The pooling kernels, written once over xsimd batches and instantiated per
// instruction set (pool_<isa>.cpp, each compiled with its own flags).
// Included only by those files.
//
// A 2D pool computes kWidth outputs of one row at a time, in two passes: the
// window's input rows are first reduced column by column into one row, then
// each tap kw of the outputs is one contiguous vector of that row at stride
// 1, or the even elements of two vectors at stride 2. Outputs whose windows
// reach into the padding, or whose vector loads would run past the input row,
// are computed one at a time, exactly as the reference does. Max pooling
// takes that path only for planes where max_plane notices NaN (or
// infinities of both signs in one column's taps); the others go through
// max_plane, which pads each reduced row with -inf instead.
#include <xsimd/xsimd.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#include "ops/kernels/pool_kernels.hpp"
#include "ops/kernels/simd_evens.hpp"
#include "ops/kernels/simd_load_once.hpp"
#include "ops/kernels/simd_partial.hpp"

namespace onnxrun::kernels {

// For vectors of 16 floats (AVX-512), which hold two pixels of an NCHW8c
// block: load(lo, hi) takes the low 8 floats from lo and the high 8 from hi,
// and pool_blocks_narrow(g, input, output, begin, end) pools blocks
// [begin, end) with the 8-float kernel (window by window where one holds
// NaN). Specialized by pool_avx512.cpp.
template <class Arch>
struct PoolPixelPairs;

template <class Arch>
struct PoolKernel {
  using Batch = xsimd::batch<float, Arch>;
  using Mask = xsimd::batch_bool<float, Arch>;
  static constexpr std::int64_t kWidth = static_cast<std::int64_t>(Batch::size);
  static constexpr float kInf = std::numeric_limits<float>::infinity();
  static constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

  // p[0], p[2], ..., p[2 * kWidth - 2]; reads p[0 .. 2 * kWidth).
  static Batch load_evens(const float* p) {
    return even_lanes<Arch>(Batch::load_unaligned(p), Batch::load_unaligned(p + kWidth));
  }

  template <std::int64_t kStride>
  static Batch load_taps(const float* p) {
    if constexpr (kStride == 1) return Batch::load_unaligned(p);
    else return load_evens(p);
  }

  static std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
  static std::int64_t min(std::int64_t a, std::int64_t b) { return a < b ? a : b; }
  static std::int64_t max(std::int64_t a, std::int64_t b) { return a < b ? b : a; }
  // Taps start, start + 1, ... (kernel of them) below limit.
  static std::int64_t taps_below(std::int64_t start, std::int64_t limit, std::int64_t kernel) {
    return start >= limit ? 0 : min(kernel, limit - start);
  }

  // The max of a window's taps, NaN when any is NaN. xsimd::max alone would not
  // do: it returns its second operand when either is NaN, losing an earlier NaN.
  // (xsimd::isnan, not tap != tap: xsimd 8.1 compares != ordered on AVX and
  // AVX-512, false for NaN.)
  struct MaxWindow {
    Batch best = Batch(-kInf);
    Mask nan = Batch(0.0f) != Batch(0.0f);
    void add(Batch tap) {
      best = xsimd::max(best, tap);
      nan = nan | xsimd::isnan(tap);
    }
    Batch result(float) const { return xsimd::select(nan, Batch(kNaN), best); }
    // Outputs of row oh one at a time, as maxpool_reference computes them.
    static float at(const Pool2dGeometry& g, const float* in, std::int64_t oh, std::int64_t ow) {
      const std::int64_t h0 = oh * g.stride_h - g.pad_top, w0 = ow * g.stride_w - g.pad_left;
      float best = -kInf;
      bool nan = false;
      for (std::int64_t ih = max(h0, 0); ih < min(h0 + g.kernel_h, g.in_h); ++ih)
        for (std::int64_t iw = max(w0, 0); iw < min(w0 + g.kernel_w, g.in_w); ++iw) {
          const float v = in[ih * g.in_w + iw];
          nan = nan || v != v;
          best = v > best ? v : best;
        }
      return nan ? kNaN : best;
    }
    static float scale(const Pool2dGeometry&, std::int64_t, std::int64_t) { return 1.0f; }
  };

  struct SumWindow {
    Batch sum = Batch(0.0f);
    void add(Batch tap) { sum += tap; }
    Batch result(float scale) const { return sum * Batch(scale); }
    // One output as averagepool_reference computes it, in double.
    static float at(const Pool2dGeometry& g, const float* in, std::int64_t oh, std::int64_t ow) {
      const std::int64_t h0 = oh * g.stride_h - g.pad_top, w0 = ow * g.stride_w - g.pad_left;
      double sum = 0.0;
      std::int64_t inside = 0;
      for (std::int64_t ih = max(h0, 0); ih < min(h0 + g.kernel_h, g.in_h); ++ih)
        for (std::int64_t iw = max(w0, 0); iw < min(w0 + g.kernel_w, g.in_w); ++iw) {
          sum += in[ih * g.in_w + iw];
          ++inside;
        }
      const std::int64_t count = g.count_include_pad ? taps_below(h0, g.count_end_h, g.kernel_h) *
                                                           taps_below(w0, g.count_end_w, g.kernel_w)
                                                     : inside;
      return count > 0 ? static_cast<float>(sum / static_cast<double>(count)) : kNaN;
    }
    // 1 / divisor for the vector outputs of a row whose window starts at input
    // row h0 and covers `rows` input rows; their columns are all inside the
    // input, and count_end_w >= in_w (pool2d_kernel_supports), so every column
    // tap counts.
    static float scale(const Pool2dGeometry& g, std::int64_t h0, std::int64_t rows) {
      const std::int64_t count_h = g.count_include_pad ? taps_below(h0, g.count_end_h, g.kernel_h) : rows;
      return 1.0f / static_cast<float>(count_h * g.kernel_w);
    }
  };

  // Windows are separable: the window rows of each output row are first
  // reduced column by column into one row (contiguous vector loads), then each
  // output vector reduces kernel_w taps of that row. A vector of outputs costs
  // rows + kernel_w vector taps instead of rows x kernel_w, and only the
  // second pass pays the stride-2 deinterleave (SqueezeNet's three 3x3
  // stride-2 max pools: 0.73 ms window by window, 0.52 ms separable).
  template <class Window, std::int64_t kStride>
  static void plane(const Pool2dGeometry& g, const float* in, float* out, float* reduced) {
    // Vectors may start at ow in [first, last]: from `first` on, windows begin
    // inside the row; up to `last`, every read of the vector (the stride-2 one
    // reads one float past its last tap) stays inside it.
    const std::int64_t reach = (g.kernel_w - 1) + (kStride - 1);
    const std::int64_t first = (g.pad_left + kStride - 1) / kStride;
    const std::int64_t last =
        min(g.out_w - kWidth, floor_div(g.in_w - 1 - reach + g.pad_left, kStride) - (kWidth - 1));
    // Columns [lo, hi) of a row, counted from output column 0's first tap, are
    // what the vectors read: at most in_w of them, all inside the row.
    const std::int64_t lo = first * kStride, hi = (last + kWidth - 1) * kStride + reach + 1;
    for (std::int64_t oh = 0; oh < g.out_h; ++oh) {
      float* out_row = out + oh * g.out_w;
      const std::int64_t h0 = oh * g.stride_h - g.pad_top;
      const std::int64_t kh_begin = max(0, -h0), kh_end = min(g.kernel_h, g.in_h - h0);
      std::int64_t ow = 0;
      if (kh_begin < kh_end && first <= last) {
        const std::int64_t rows = kh_end - kh_begin;
        const float scale = Window::scale(g, h0, rows);
        // Output column 0's top-left tap (before the row with padding;
        // the columns read start at lo, where it is not).
        const float* taps = in + (h0 + kh_begin) * g.in_w - g.pad_left;
        const float* row = taps;  // the reduced row, column o at row[o - shift]
        std::int64_t shift = 0;
        if (rows > 1) {
          // hi - lo >= kWidth: a vector's reads span at least kWidth columns.
          // The last vector overlaps the one before rather than going scalar.
          for (std::int64_t o = lo;; o += kWidth) {
            o = min(o, hi - kWidth);
            Window column;
            for (std::int64_t r = 0; r < rows; ++r) column.add(Batch::load_unaligned(taps + r * g.in_w + o));
            column.result(1.0f).store_unaligned(reduced + (o - lo));
            if (o == hi - kWidth) break;
          }
          row = reduced;
          shift = lo;
        }
        auto vector_at = [&](std::int64_t column) {
          Window window;
          const float* p = row + (column * kStride - shift);
          for (std::int64_t kw = 0; kw < g.kernel_w; ++kw) window.add(load_taps<kStride>(p + kw));
          window.result(scale).store_unaligned(out_row + column);
        };
        for (; ow < first; ++ow) out_row[ow] = Window::at(g, in, oh, ow);
        for (; ow <= last; ow += kWidth) vector_at(ow);
        // One more vector, overlapping the previous one, rather than up to
        // kWidth - 1 outputs one at a time.
        if (ow - kWidth < last) vector_at(last);
        ow = last + kWidth;
      }
      for (; ow < g.out_w; ++ow) out_row[ow] = Window::at(g, in, oh, ow);
    }
  }

  // n floats, all `fill`, in a per-thread buffer kept from call to call, so
  // that pooling does not allocate on the hot path once the buffer has
  // grown. kSlot tells apart the buffers one call uses at once.
  template <int kSlot>
  static float* scratch(std::int64_t n, float fill) {
    thread_local std::vector<float> buffer;
    buffer.assign(static_cast<std::size_t>(n), fill);
    return buffer.data();
  }

  template <class Window>
  static void planes(const Pool2dGeometry& g, const float* input, float* output, std::int64_t begin,
                     std::int64_t end) {
    const std::int64_t in_plane = g.in_plane_stride(), out_plane = g.out_plane_stride();
    float* reduced = scratch<0>(g.in_w, 0.0f);
    for (std::int64_t p = begin; p < end; ++p) {
      if (g.stride_w == 1) plane<Window, 1>(g, input + p * in_plane, output + p * out_plane, reduced);
      else plane<Window, 2>(g, input + p * in_plane, output + p * out_plane, reduced);
    }
  }

  // 0, 1, ..., kWidth - 1.
  static Batch lane_indexes() {
    alignas(64) float lanes[kWidth];
    for (std::int64_t i = 0; i < kWidth; ++i) lanes[i] = static_cast<float>(i);
    return Batch::load_aligned(lanes);
  }

  // The count (< kWidth) floats at p, then zeros.
  static Batch load_zero_padded(const float* p, std::int64_t count) {
    alignas(64) float lanes[kWidth] = {};
    std::copy(p, p + count, lanes);
    return Batch::load_aligned(lanes);
  }

  // Floats of max_plane's row buffer: the left padding, the input row, and
  // whatever the output vectors read past it (the last vector may start
  // before out_w - kWidth only when out_w < kWidth, and covers kWidth outputs;
  // the stride-2 loads read one float past their last tap).
  static std::int64_t max_row_floats(const Pool2dGeometry& g) {
    return max(g.pad_left + g.in_w, max(g.out_w, kWidth) * g.stride_w + g.kernel_w) + kWidth;
  }

  // Max pooling of a plane, any padding: each output row's window rows are
  // reduced into `row` at its padded position, whose other entries stay -inf
  // (the padding, and columns past the input), so that every output, border
  // and ceil-mode ones included, is a whole vector of plain max taps. Plain
  // max loses NaN, so the taps of each column vector are also summed, and a
  // NaN sum (a NaN tap, or infinities of both signs) is remembered: then it
  // returns false, and the caller pools the plane again window by window.
  // The sums are independent of each other, and only the 1-cycle mask OR
  // chains (one running sum over the plane, a chain of dependent adds, took
  // SqueezeNet's 64x111x111 pool 197 us instead of 179, ResNet-18's 202
  // instead of 183).
  // MaxWindow's per-tap NaN tracking and one-at-a-time border outputs took
  // SqueezeNet's 256x27x27 pool 119 us, GoogLeNet's 512x14x14 175 us.
  template <std::int64_t kStride>
  static bool max_plane(const Pool2dGeometry& g, const float* in, float* out, float* row) {
    float* interior = row + g.pad_left;
    const float* plane_end = in + g.in_h * g.in_w;
    const Mask inside_row = lane_indexes() < Batch(static_cast<float>(g.in_w));
    Mask nan_seen = Batch(0.0f) != Batch(0.0f);
    auto output_vector = [&](std::int64_t ow) {
      const float* taps = row + ow * kStride;
      Batch best = load_taps<kStride>(taps);
      for (std::int64_t kw = 1; kw < g.kernel_w; ++kw) best = xsimd::max(best, load_taps<kStride>(taps + kw));
      return best;
    };
    for (std::int64_t oh = 0; oh < g.out_h; ++oh) {
      float* out_row = out + oh * g.out_w;
      const std::int64_t h0 = oh * g.stride_h - g.pad_top;
      const std::int64_t kh_begin = max(0, -h0), kh_end = min(g.kernel_h, g.in_h - h0);
      if (kh_begin >= kh_end) {  // a window all in the padding
        std::fill(out_row, out_row + g.out_w, -kInf);
        continue;
      }
      const float* first = in + (h0 + kh_begin) * g.in_w;
      const std::int64_t rows = kh_end - kh_begin;
      if (g.in_w >= kWidth) {
        // The last vector overlaps the one before rather than going scalar.
        for (std::int64_t c = 0;; c += kWidth) {
          c = min(c, g.in_w - kWidth);
          Batch best = Batch::load_unaligned(first + c), sum = best;
          for (std::int64_t r = 1; r < rows; ++r) {
            const Batch tap = Batch::load_unaligned(first + r * g.in_w + c);
            sum += tap;
            best = xsimd::max(best, tap);
          }
          nan_seen = nan_seen | xsimd::isnan(sum);
          best.store_unaligned(interior + c);
          if (c == g.in_w - kWidth) break;
        }
      } else {
        // Rows narrower than a vector (7x7 planes): whole vectors still, the
        // lanes past the row (the next row's values, or zeros past the
        // plane) masked back to -inf before the store.
        Batch best(-kInf), sum(0.0f);
        for (std::int64_t r = 0; r < rows; ++r) {
          const float* p = first + r * g.in_w;
          const Batch tap = plane_end - p >= kWidth ? Batch::load_unaligned(p) : load_zero_padded(p, plane_end - p);
          sum += tap;
          best = xsimd::max(best, tap);
        }
        nan_seen = nan_seen | xsimd::isnan(sum);
        xsimd::select(inside_row, best, Batch(-kInf)).store_unaligned(interior);
      }
      std::int64_t ow = 0;
      for (; ow + kWidth <= g.out_w; ow += kWidth) output_vector(ow).store_unaligned(out_row + ow);
      if (ow < g.out_w) {
        if (g.out_w >= kWidth) {
          output_vector(g.out_w - kWidth).store_unaligned(out_row + g.out_w - kWidth);
        } else {
          alignas(64) float lanes[kWidth];
          output_vector(0).store_aligned(lanes);
          std::copy(lanes, lanes + g.out_w, out_row);
        }
      }
    }
    return !xsimd::any(nan_seen);
  }

  // Small planes at strides (1, 1) and (2, 2): max_plane's per-row work
  // (the column pass, the deinterleave, a partial output vector) outweighed
  // the taps on 7x7 to 28x28 planes (GoogLeNet's 832x7x7 pool: 163 us, 4 ns
  // per output; SqueezeNet's 256x27x27 at stride 2: 88 us). Instead each
  // pass runs over the whole plane as one flat array:
  //   - V holds, for each output row r, the max over kh of its input rows,
  //     at padded columns (-inf in the padding and past the input, which
  //     covers ceil mode), in rows of S * pitch floats;
  //   - O = the max over kw of V at S * q + kw, for every flat position q:
  //     q = r * pitch + c is output (r, c) for c < out_w (the pitch - out_w
  //     others per row are computed in vain), and at stride 2 the taps are
  //     V's even or odd floats, one deinterleave per vector of outputs.
  // At stride 1, V comes from a padded copy P of the plane, as one more flat
  // pass (V[q] = the max over kh of P[q + kh * pitch]): cheaper than
  // building V row by row (GoogLeNet's 512x14x14: 54 against 67 us). At
  // stride 2, V is built row by row, and only for rows of at most 32
  // outputs: on wider planes the deinterleave of whole V rows cost more than
  // max_plane's (ResNet's 64x112x112: 158 against 257 us).
  // Micro-benchmarks, 1 thread, medians of 3, max_plane -> flat: GoogLeNet's
  // 832x7x7 163 -> 47 us, 512x14x14 167 -> 54; SqueezeNet's 256x27x27 at
  // stride 2 88 -> 46, 128x55x55 105 -> 89. Return false when the plane
  // holds NaN (the caller pools it window by window).
  struct FlatLayout {
    std::int64_t pitch = 0, flat = 0, padded_floats = 0, v_floats = 0;
    std::int64_t floats() const { return padded_floats + v_floats + flat + kWidth; }
  };
  template <std::int64_t S>
  static FlatLayout flat_layout(const Pool2dGeometry& g) {
    FlatLayout l;
    // Output column c's taps are V columns S * c + kw < S * pitch.
    l.pitch = g.out_w + (g.kernel_w - 1) / S;
    l.flat = (g.out_h * l.pitch + kWidth - 1) / kWidth * kWidth;
    // O's last vector reads V up to S * flat + kernel_w - 1 + (S - 1) * kWidth.
    l.v_floats = S * l.flat + g.kernel_w + S * kWidth;
    // Stride 1: P's rows, and a vector past V's last read (flat + (kernel_h - 1) rows).
    if constexpr (S == 1) l.padded_floats = (g.out_h + g.kernel_h - 1) * l.pitch + 2 * kWidth;
    return l;
  }
  // Buffers of the flat path: planes whose P, V and O need more go through max_plane.
  static constexpr std::int64_t kFlatFloats = 16384;
  static constexpr std::int64_t kFlatMaxStride2Columns = 32;

  // Stride 1: P from the plane, then V = the max over kh of P's rows.
  static bool flat_rows_stride1(const Pool2dGeometry& g, const FlatLayout& l, const float* in, float* padded,
                                float* v) {
    Mask nan_seen = Batch(0.0f) != Batch(0.0f);
    const std::int64_t left = std::min(g.pad_left, l.pitch);
    const std::int64_t columns = std::clamp<std::int64_t>(l.pitch - left, 0, g.in_w);
    const std::int64_t rows = std::min(g.in_h, g.out_h + g.kernel_h - 1 - g.pad_top);
    for (std::int64_t ir = 0; ir < rows; ++ir) {
      const float* src = in + ir * g.in_w;
      float* dst = padded + (ir + g.pad_top) * l.pitch + left;
      for (std::int64_t c = 0; c < columns; c += kWidth) {
        const std::int64_t n = min(kWidth, columns - c);
        const Batch x = n == kWidth ? Batch::load_unaligned(src + c) : load_partial<Batch>(src + c, n);
        nan_seen = nan_seen | xsimd::isnan(x);
        store_partial(x, dst + c, n);
      }
    }
    if (xsimd::any(nan_seen)) return false;
    for (std::int64_t q = 0; q < l.flat; q += kWidth) {
      Batch best = Batch::load_unaligned(padded + q);
      for (std::int64_t kh = 1; kh < g.kernel_h; ++kh)
        best = xsimd::max(best, Batch::load_unaligned(padded + q + kh * l.pitch));
      best.store_unaligned(v + q);
    }
    return true;
  }

  // Stride 2: V row by row, the max over kh of the input rows.
  static bool flat_rows_stride2(const Pool2dGeometry& g, const FlatLayout& l, const float* in, float* v) {
    Mask nan_seen = Batch(0.0f) != Batch(0.0f);
    const std::int64_t v_pitch = 2 * l.pitch;
    const std::int64_t left = std::min(g.pad_left, v_pitch);
    const std::int64_t columns = std::clamp<std::int64_t>(v_pitch - left, 0, g.in_w);
    for (std::int64_t r = 0; r < g.out_h; ++r) {
      const std::int64_t h0 = r * g.stride_h - g.pad_top;
      const std::int64_t kh_begin = max(0, -h0), kh_end = min(g.kernel_h, g.in_h - h0);
      if (kh_begin >= kh_end) continue;  // a row of windows all in the padding
      const float* first = in + (h0 + kh_begin) * g.in_w;
      float* dst = v + r * v_pitch + left;
      for (std::int64_t c = 0; c < columns; c += kWidth) {
        const std::int64_t n = min(kWidth, columns - c);
        Batch best(-kInf);
        for (std::int64_t kh = kh_begin; kh < kh_end; ++kh) {
          const float* src = first + (kh - kh_begin) * g.in_w + c;
          const Batch tap = n == kWidth ? Batch::load_unaligned(src) : load_partial<Batch>(src, n);
          nan_seen = nan_seen | xsimd::isnan(tap);
          best = xsimd::max(best, tap);
        }
        store_partial(best, dst + c, n);
      }
    }
    return !xsimd::any(nan_seen);
  }

  // The buffer: P (stride 1), V, O. The padding columns and rows of P and V
  // stay -inf from the caller's fill: every plane writes the same columns of
  // the same rows.
  template <std::int64_t S>
  static bool max_plane_flat(const Pool2dGeometry& g, const FlatLayout& l, const float* in, float* out,
                             float* buffer) {
    float* padded = buffer;
    float* v = padded + l.padded_floats;
    float* o = v + l.v_floats;
    if constexpr (S == 1) {
      if (!flat_rows_stride1(g, l, in, padded, v)) return false;
    } else {
      if (!flat_rows_stride2(g, l, in, v)) return false;
    }
    for (std::int64_t q = 0; q < l.flat; q += kWidth) {
      Batch best = load_taps<S>(v + S * q);
      for (std::int64_t kw = 1; kw < g.kernel_w; ++kw) best = xsimd::max(best, load_taps<S>(v + S * q + kw));
      best.store_unaligned(o + q);
    }
    for (std::int64_t r = 0; r < g.out_h; ++r) {
      const float* src = o + r * l.pitch;
      float* dst = out + r * g.out_w;
      for (std::int64_t c = 0; c < g.out_w; c += kWidth)
        store_partial(Batch::load_unaligned(src + c), dst + c, min(kWidth, g.out_w - c));
    }
    return true;
  }

  // NCHW8c (nchwc_conv.hpp): blocks [block_begin, block_end) of planes
  // [in_h][in_w][8]. A vector (two on SSE2) holds one pixel's 8 channels, so
  // a window is plain vector maxes at any stride. Each block goes through
  // max_block_nchwc_three_wide (windows 3 wide, column stride 1 or 2: every
  // CNN's 3x3 pool) or else max_block_nchwc; a block with NaN in it (or
  // infinities of both signs) is pooled again window by window, NaN exactly
  // where a window holds one. AVX-512 hands three-wide pools whole to AVX2's
  // kernel, and runs the others with two pixels per vector (kPixelPairs),
  // handing the blocks that take the window-by-window path to AVX2's kernel.
  static void maxpool2d_nchwc(const Pool2dGeometry& g, const float* input, float* output, std::int64_t block_begin,
                              std::int64_t block_end) {
    static_assert(kPixelPairs || kNchwcLanes % kWidth == 0, "a block is whole vectors");
    const bool three_wide = g.kernel_w == 3 && g.kernel_h <= 3 && (g.stride_w == 1 || g.stride_w == 2);
    if constexpr (kPixelPairs)
      if (three_wide) return PoolPixelPairs<Arch>::pool_blocks_narrow(g, input, output, block_begin, block_end);
    float* row = three_wide ? nullptr : scratch<0>(nchwc_row_pixels(g) * kNchwcLanes, -kInf);
    for (std::int64_t b = block_begin; b < block_end; ++b) {
      const float* in = input + b * g.in_plane_stride() * kNchwcLanes;
      float* out = output + b * g.out_plane_stride() * kNchwcLanes;
      bool pooled = false;
      if constexpr (kPixelPairs)
        pooled = max_block_nchwc(g, in, out, row);
      else
        pooled = !three_wide                ? max_block_nchwc(g, in, out, row)
                 : g.stride_w == 1 ? max_block_nchwc_three_wide<1>(g, in, out)
                                   : max_block_nchwc_three_wide<2>(g, in, out);
      if (pooled) continue;
      if constexpr (kPixelPairs)
        PoolPixelPairs<Arch>::pool_blocks_narrow(g, input, output, b, b + 1);
      else
        max_block_nchwc_windows(g, in, out);
    }
  }

  static constexpr std::int64_t kNchwcLanes = 8;
  static constexpr bool kPixelPairs = kWidth == 2 * kNchwcLanes;
  // Pixels of max_block_nchwc's row buffer: the left padding, the input row,
  // and the taps of the last window past it (the right padding, ceil mode).
  static std::int64_t nchwc_row_pixels(const Pool2dGeometry& g) {
    return max(g.pad_left + g.in_w, (g.out_w - 1) * g.stride_w + g.kernel_w);
  }

  // The input rows of output row oh's windows in an NCHW8c block: the first
  // and how many; none (count 0) where the windows are all in the padding,
  // whose output row this fills with -inf.
  struct WindowRows {
    const float* first;
    std::int64_t count;
  };
  static WindowRows nchwc_window_rows(const Pool2dGeometry& g, const float* in, float* out_row, std::int64_t oh) {
    const std::int64_t h0 = oh * g.stride_h - g.pad_top;
    const std::int64_t kh_begin = max(0, -h0), kh_end = min(g.kernel_h, g.in_h - h0);
    if (kh_begin >= kh_end) {
      std::fill(out_row, out_row + g.out_w * kNchwcLanes, -kInf);
      return {nullptr, 0};
    }
    return {in + (h0 + kh_begin) * g.in_w * kNchwcLanes, kh_end - kh_begin};
  }

  // One block, max_plane's way: for each output row, the max over its window
  // rows of every input pixel goes into `row` at its padded position (whose
  // other pixels stay -inf), then each output pixel is the max of kernel_w
  // pixels of `row`, with no border cases left. 2 + 2 maxes per output of a
  // 3x3 window at stride 1 instead of 8 and per-tap NaN tracking: GoogLeNet's
  // 192x28x28 pool took 162 us window by window, 2.2x the NCHW kernel on the
  // AVX-512 machine. NaN shows in the taps' sums, one per column vector;
  // then this returns false. With pixel pairs (AVX-512) a vector holds two
  // pixels: the rows' maxes run 16 floats at a time and each output vector
  // is two output pixels (an odd last one goes with the one before it again,
  // as does an odd last input pixel); rows or outputs of a single pixel
  // return false too.
  static bool max_block_nchwc(const Pool2dGeometry& g, const float* in, float* out, float* row) {
    constexpr std::int64_t kL = kNchwcLanes;
    if (kPixelPairs && (g.in_w < 2 || g.out_w < 2)) return false;
    float* interior = row + g.pad_left * kL;
    const std::int64_t row_floats = g.in_w * kL;
    Mask nan_seen = Batch(0.0f) != Batch(0.0f);
    for (std::int64_t oh = 0; oh < g.out_h; ++oh) {
      float* out_row = out + oh * g.out_w * kL;
      const WindowRows window = nchwc_window_rows(g, in, out_row, oh);
      if (window.count == 0) continue;
      const float* first = window.first;
      const std::int64_t rows = window.count;
      for (std::int64_t step = 0; step < row_floats; step += kWidth) {
        const std::int64_t c = min(step, row_floats - kWidth);
        Batch best = Batch::load_unaligned(first + c), sum = best;
        for (std::int64_t r = 1; r < rows; ++r) {
          const Batch tap = Batch::load_unaligned(first + r * row_floats + c);
          sum += tap;
          best = xsimd::max(best, tap);
        }
        nan_seen = nan_seen | xsimd::isnan(sum);
        best.store_unaligned(interior + c);
      }
      if (xsimd::any(nan_seen)) return false;  // the block is redone window by window anyway
      if constexpr (kPixelPairs) {
        const std::int64_t next = g.stride_w * kL;  // from one output pixel's taps to the next one's
        for (std::int64_t pair = 0; pair < g.out_w; pair += 2) {
          const std::int64_t ow = min(pair, g.out_w - 2);
          const float* taps = row + ow * next;
          Batch best = PoolPixelPairs<Arch>::load(taps, taps + next);
          for (std::int64_t kw = 1; kw < g.kernel_w; ++kw)
            best = xsimd::max(best, PoolPixelPairs<Arch>::load(taps + kw * kL, taps + next + kw * kL));
          best.store_unaligned(out_row + ow * kL);
        }
        continue;
      }
      for (std::int64_t ow = 0; ow < g.out_w; ++ow) {
        const float* taps = row + ow * g.stride_w * kL;
        for (std::int64_t part = 0; part < kL; part += kWidth) {
          Batch best = Batch::load_unaligned(taps + part);
          for (std::int64_t kw = 1; kw < g.kernel_w; ++kw)
            best = xsimd::max(best, Batch::load_unaligned(taps + kw * kL + part));
          best.store_unaligned(out_row + ow * kL + part);
        }
      }
    }
    return true;
  }

  // One block of windows 3 wide and at most 3 tall (the 3x3 MaxPools of
  // ResNet, SqueezeNet, GoogLeNet) at a column stride of kStride (1 or 2),
  // streamed through registers: each input column's max over the window's
  // rows is taken once, from loads, and each output pixel is the max of
  // three of them, the previous pixel's last column carried over. No row
  // buffer: 6 loads and 6 maxes per output pixel at stride 2. Paired
  // against max_block_nchwc (a row buffer; pixel pairs on AVX-512) on the
  // pools of ResNet, SqueezeNet and GoogLeNet, same bits: 0.39-0.80 of its
  // time on AVX2, 0.37-0.72 on SSE2, 0.55-0.95 on AVX-512 (which runs this
  // at AVX2's width: stride 2 splits a pixel pair's taps).
  // Window rows outside the input repeat one inside it, as do columns at
  // the edges (clamped): a repeated tap changes neither the max nor whether
  // NaN shows in the taps' sums. Returns false on NaN, as max_block_nchwc.
  template <std::int64_t kStride>
  static bool max_block_nchwc_three_wide(const Pool2dGeometry& g, const float* in, float* out) {
    constexpr std::int64_t kL = kNchwcLanes;
    const std::int64_t row_floats = g.in_w * kL;
    Mask nan_seen = Batch(0.0f) != Batch(0.0f);
    // Output columns [lo, hi) read only columns inside the input.
    const std::int64_t lo = min(g.out_w, (g.pad_left + kStride - 1) / kStride);
    const std::int64_t span = g.in_w - 3 + g.pad_left;  // the last first column of an interior window
    const std::int64_t hi = span < 0 ? lo : max(lo, min(g.out_w, span / kStride + 1));
    for (std::int64_t oh = 0; oh < g.out_h; ++oh) {
      float* out_row = out + oh * g.out_w * kL;
      const WindowRows window = nchwc_window_rows(g, in, out_row, oh);
      if (window.count == 0) continue;
      const float* r0 = window.first;
      const float* r1 = window.count > 1 ? r0 + row_floats : r0;
      const float* r2 = window.count > 2 ? r1 + row_floats : r1;
      for (std::int64_t part = 0; part < kL; part += kWidth) {
        // The max over the window's rows of the input column at float `at`; NaN noted.
        const auto column = [&](std::int64_t at) {
          // Loaded once each (load_once): GCC folded each load into both the
          // add and the max, 12 loads per output pixel instead of 6.
          const Batch a = load_once<Batch>(r0 + at), b = load_once<Batch>(r1 + at), d = load_once<Batch>(r2 + at);
          nan_seen = nan_seen | xsimd::isnan(a + b + d);
          return xsimd::max(xsimd::max(a, b), d);
        };
        // Border pixels: their taps clamped to the input, or -inf with none in it.
        const auto border = [&](std::int64_t ow) {
          const std::int64_t c = ow * kStride - g.pad_left;
          const auto tap = [&](std::int64_t column_index) {
            return column(min(max(column_index, 0), g.in_w - 1) * kL + part);
          };
          Batch best(-kInf);
          if (c < g.in_w && c + 2 >= 0) best = xsimd::max(xsimd::max(tap(c), tap(c + 1)), tap(c + 2));
          best.store_unaligned(out_row + ow * kL + part);
        };
        for (std::int64_t ow = 0; ow < lo; ++ow) border(ow);
        if (lo < hi) {
          std::int64_t at = (lo * kStride - g.pad_left) * kL + part;  // the window's first column
          float* to = out_row + lo * kL + part;
          // At stride 1 a window shares two columns with the next, at stride 2 one.
          Batch first = column(at), second = kStride == 1 ? column(at + kL) : first;
          for (std::int64_t ow = lo; ow < hi; ++ow, at += kStride * kL, to += kL) {
            if constexpr (kStride == 2) second = column(at + kL);
            const Batch third = column(at + 2 * kL);
            xsimd::max(xsimd::max(first, second), third).store_unaligned(to);
            first = kStride == 1 ? second : third;
            second = third;
          }
        }
        for (std::int64_t ow = hi; ow < g.out_w; ++ow) border(ow);
      }
    }
    return !xsimd::any(nan_seen);
  }

  // One block window by window, each tap's NaN tracked (MaxWindow).
  static void max_block_nchwc_windows(const Pool2dGeometry& g, const float* in, float* out) {
    constexpr std::int64_t kL = kNchwcLanes;
    for (std::int64_t oh = 0; oh < g.out_h; ++oh) {
      const std::int64_t h0 = oh * g.stride_h - g.pad_top;
      const std::int64_t i0 = max(0, -h0), i1 = min(g.kernel_h, g.in_h - h0);
      for (std::int64_t ow = 0; ow < g.out_w; ++ow) {
        const std::int64_t w0 = ow * g.stride_w - g.pad_left;
        const std::int64_t j0 = max(0, -w0), j1 = min(g.kernel_w, g.in_w - w0);
        for (std::int64_t part = 0; part < kL; part += kWidth) {
          MaxWindow window;
          for (std::int64_t i = i0; i < i1; ++i)
            for (std::int64_t j = j0; j < j1; ++j)
              window.add(Batch::load_unaligned(in + ((h0 + i) * g.in_w + w0 + j) * kL + part));
          window.result(0.0f).store_unaligned(out + (oh * g.out_w + ow) * kL + part);
        }
      }
    }
  }

  static void maxpool2d(const Pool2dGeometry& g, const float* input, float* output, std::int64_t begin,
                        std::int64_t end) {
    const std::int64_t in_plane = g.in_plane_stride(), out_plane = g.out_plane_stride();
    float* row = scratch<0>(max_row_floats(g), -kInf);
    // The flat path at equal strides of 1 or 2 (the latter on short rows) where its buffers fit.
    const std::int64_t stride = g.stride_h != g.stride_w                                 ? 0
                                : g.stride_w == 1                                        ? 1
                                : g.stride_w == 2 && g.out_w <= kFlatMaxStride2Columns ? 2
                                                                                         : 0;
    const FlatLayout layout = stride == 2 ? flat_layout<2>(g) : flat_layout<1>(g);
    const bool flat = stride > 0 && layout.floats() <= kFlatFloats;
    float* flat_buffer = scratch<1>(flat ? layout.floats() : 0, -kInf);
    for (std::int64_t p = begin; p < end; ++p) {
      const float* in = input + p * in_plane;
      float* out = output + p * out_plane;
      if (flat) {
        if (stride == 1 ? max_plane_flat<1>(g, layout, in, out, flat_buffer)
                        : max_plane_flat<2>(g, layout, in, out, flat_buffer))
          continue;
      } else if (g.stride_w == 1 ? max_plane<1>(g, in, out, row) : max_plane<2>(g, in, out, row)) {
        continue;
      }
      // NaN in the plane: window by window, NaN exactly where a window holds one.
      float* reduced = scratch<2>(g.in_w, 0.0f);
      if (g.stride_w == 1) plane<MaxWindow, 1>(g, in, out, reduced);
      else plane<MaxWindow, 2>(g, in, out, reduced);
    }
  }

  static void avgpool2d(const Pool2dGeometry& g, const float* input, float* output, std::int64_t begin,
                        std::int64_t end) {
    planes<SumWindow>(g, input, output, begin, end);
  }

  // xsimd 8.1's float hadd for avx512f uses an AVX512DQ instruction
  // (_mm512_extractf32x8_ps), which -mavx512f alone does not allow: that
  // variant adds the lanes through memory instead.
  static float horizontal_sum(Batch v) {
    if constexpr (!std::is_base_of_v<xsimd::avx512f, Arch>) return xsimd::hadd(v);
    alignas(64) float lanes[kWidth];
    v.store_aligned(lanes);
    for (std::int64_t half = kWidth / 2; half > 0; half /= 2)
      for (std::int64_t lane = 0; lane < half; ++lane) lanes[lane] += lanes[lane + half];
    return lanes[0];
  }

  // Four accumulators: the adds of one plane overlap instead of waiting on each
  // other. Float sums: a plane of n values loses about sqrt(n) ulps at worst
  // relative to the sum of magnitudes, far inside the tolerance for any image.
  static void global_average(const float* input, float* output, std::int64_t plane, std::int64_t begin,
                             std::int64_t end) {
    for (std::int64_t p = begin; p < end; ++p) {
      const float* x = input + p * plane;
      Batch s0(0.0f), s1(0.0f), s2(0.0f), s3(0.0f);
      std::int64_t i = 0;
      for (; i + 4 * kWidth <= plane; i += 4 * kWidth) {
        s0 += Batch::load_unaligned(x + i);
        s1 += Batch::load_unaligned(x + i + kWidth);
        s2 += Batch::load_unaligned(x + i + 2 * kWidth);
        s3 += Batch::load_unaligned(x + i + 3 * kWidth);
      }
      for (; i + kWidth <= plane; i += kWidth) s0 += Batch::load_unaligned(x + i);
      float tail = 0.0f;
      for (; i < plane; ++i) tail += x[i];
      output[p] = (horizontal_sum((s0 + s1) + (s2 + s3)) + tail) / static_cast<float>(plane);
    }
  }

  static void global_max(const float* input, float* output, std::int64_t plane, std::int64_t begin,
                         std::int64_t end) {
    for (std::int64_t p = begin; p < end; ++p) {
      const float* x = input + p * plane;
      MaxWindow w0, w1;
      std::int64_t i = 0;
      for (; i + 2 * kWidth <= plane; i += 2 * kWidth) {
        w0.add(Batch::load_unaligned(x + i));
        w1.add(Batch::load_unaligned(x + i + kWidth));
      }
      for (; i + kWidth <= plane; i += kWidth) w0.add(Batch::load_unaligned(x + i));
      alignas(64) float lanes[kWidth];
      xsimd::max(w0.result(1.0f), w1.result(1.0f)).store_aligned(lanes);
      bool nan = xsimd::any(w0.nan | w1.nan);
      float best = -kInf;
      for (std::int64_t lane = 0; lane < kWidth; ++lane) best = lanes[lane] > best ? lanes[lane] : best;
      for (; i < plane; ++i) {
        nan = nan || x[i] != x[i];
        best = x[i] > best ? x[i] : best;
      }
      output[p] = nan ? kNaN : best;
    }
  }
};

}  // namespace onnxrun::kernels
