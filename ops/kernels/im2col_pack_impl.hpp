#pragma once
// im2col_pack_b (im2col_pack.hpp) written once over xsimd batches and
// instantiated per instruction set (im2col_pack_<isa>.cpp, each compiled with
// its own flags). Included only by those files.
//
// Each im2col row is built as one contiguous line of up to kLine columns
// (input rows gathered run by run), then copied into its panels. Packing a
// panel row at a time instead (16 columns, a call per channel and tap) spent
// more time on per-call bookkeeping than on the copy: ResNet-50's 3x3
// stride-2 layers took a quarter of their time packing.
//
// A run (one output row's columns) at stride 1 or 2 is copied in whole
// vectors, the last one a masked load, padding columns as zero vectors: the
// scalar copy it replaces branched on each run's length and edges, and
// runs are short (28, 14 or 7 columns on ResNet-50's stride-2 layers), so
// those branches cost more than the copy (a third of the packing time).
#include <xsimd/xsimd.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "ops/kernels/im2col_pack.hpp"
#include "ops/kernels/sgemm.hpp"
#include "ops/kernels/simd_evens.hpp"
#include "ops/kernels/simd_partial.hpp"

namespace onnxrun::kernels {
namespace {  // one copy per ISA file (simd_partial.hpp says why)

// Columns per line: a multiple of every ISA's panel width (8, 16, 32).
constexpr std::int64_t kLine = 256;

// A line's columns cut into runs that lie on one output row: for every im2col
// row, a run reads one input row at a fixed stride.
struct LineRuns {
  struct Run {
    std::int64_t first = 0, count = 0;  // line columns [first, first + count)
    std::int64_t d = 0, h = 0, w = 0;   // input coordinate of tap (0, 0, 0) for the run's first column
  };
  Run runs[kLine];
  std::int64_t run_count = 0;
};

inline void line_runs(const Im2colGeometry& g, std::int64_t first_col, std::int64_t valid, LineRuns& r) {
  const std::int64_t plane = g.out[1] * g.out[2];
  r.run_count = 0;
  for (std::int64_t i = 0; i < valid;) {
    const std::int64_t j = first_col + i;
    const std::int64_t od = j / plane, oh = j % plane / g.out[2], ow = j % g.out[2];
    LineRuns::Run& run = r.runs[r.run_count++];
    run.first = i;
    run.count = std::min(valid - i, g.out[2] - ow);
    run.d = od * g.stride[0] - g.pad[0];
    run.h = oh * g.stride[1] - g.pad[1];
    run.w = ow * g.stride[2] - g.pad[2];
    i += run.count;
  }
}

// ceil(a / step) for a > 0, else 0.
inline std::int64_t ceil_div_positive(std::int64_t a, std::int64_t step) {
  if (a <= 0) return 0;
  if (step == 1) return a;
  if (step == 2) return (a + 1) >> 1;
  return (a + step - 1) / step;
}

template <class Arch>
struct Im2colPacker {
  using Batch = xsimd::batch<float, Arch>;
  static constexpr std::int64_t kWidth = static_cast<std::int64_t>(Batch::size);
  static constexpr std::int64_t kNr = 2 * kWidth;  // the SGEMM's panel width on this set (sgemm_impl.hpp)

  // out[i] = row[w0 + i * step] for i < count, zero where that falls outside
  // the row of `width` values. kStep is the stride when it is 1 or 2: whole
  // vectors are written, up to kWidth - 1 zeros past out + count, which the
  // caller's line has room for and which the next run overwrites. kStep 0
  // reads `step` and copies one float at a time, writing exactly [0, count).
  template <std::int64_t kStep>
  static void gather_run(const float* row, std::int64_t width, std::int64_t w0, std::int64_t step,
                         std::int64_t count, float* out) {
    if constexpr (kStep != 0) step = kStep;
    const std::int64_t lo = std::min(count, ceil_div_positive(-w0, step));
    const std::int64_t hi = std::max(lo, std::min(count, ceil_div_positive(width - w0, step)));
    if constexpr (kStep == 0) {
      std::fill(out, out + lo, 0.0f);
      for (std::int64_t i = lo; i < hi; ++i) out[i] = row[w0 + i * step];
      std::fill(out + hi, out + count, 0.0f);
      return;
    }
    const Batch zero(0.0f);
    for (std::int64_t i = 0; i < lo; i += kWidth) zero.store_unaligned(out + i);
    for (std::int64_t i = lo; i < hi; i += kWidth) {
      const float* src = row + w0 + i * kStep;
      if constexpr (kStep == 1) {
        const std::int64_t n = std::min(kWidth, hi - i);
        (n == kWidth ? Batch::load_unaligned(src) : load_partial<Batch>(src, n)).store_unaligned(out + i);
      } else {
        // The floats from the first output's to the last one's: no read
        // past the row's last needed value (the buffer may end there).
        const std::int64_t span = 2 * std::min(kWidth, hi - i) - 1;
        const Batch first = span >= kWidth ? Batch::load_unaligned(src) : load_partial<Batch>(src, span);
        const Batch second = span >= 2 * kWidth ? Batch::load_unaligned(src + kWidth)
                                                : load_partial<Batch>(src + kWidth, std::max<std::int64_t>(0, span - kWidth));
        even_lanes<Arch>(first, second).store_unaligned(out + i);
      }
    }
    for (std::int64_t i = hi; i < count; i += kWidth) zero.store_unaligned(out + i);
  }

  // Row k of the im2col matrix (channel c, tap kd, kh, kw) at the line's
  // columns. kStep is the stride along W when it is 1 or 2, else 0.
  template <std::int64_t kStep>
  static void build_line(const float* channel, const Im2colGeometry& g, const LineRuns& runs, std::int64_t kd,
                         std::int64_t kh, std::int64_t kw, float* line) {
    const std::int64_t dd = kd * g.dilation[0], dh = kh * g.dilation[1], dw = kw * g.dilation[2];
    for (std::int64_t r = 0; r < runs.run_count; ++r) {
      const LineRuns::Run& run = runs.runs[r];
      float* out = line + run.first;
      const std::int64_t id = run.d + dd, ih = run.h + dh;
      if (id < 0 || id >= g.in[0] || ih < 0 || ih >= g.in[1]) {
        std::fill(out, out + run.count, 0.0f);
        continue;
      }
      const float* row = channel + (id * g.in[1] + ih) * g.in[2];
      gather_run<kStep>(row, g.in[2], run.w + dw, g.stride[2], run.count, out);
    }
  }

  template <std::int64_t kStep>
  static void pack_lines(const float* input, const Im2colGeometry& g, std::int64_t col_begin, std::int64_t cols,
                         float* packed, std::int64_t k_begin, std::int64_t k_end) {
    const std::int64_t kernel_hw = g.kernel[1] * g.kernel[2], taps = g.kernel[0] * kernel_hw;
    const std::int64_t K = g.channels * taps;
    if (k_end < 0 || k_end > K) k_end = K;
    const std::int64_t panels = (cols + kNr - 1) / kNr;
    const std::int64_t in_plane = g.in[0] * g.in[1] * g.in[2];
    alignas(64) float line[kLine + kWidth];  // room for gather_run's last vector
    LineRuns runs;
    for (std::int64_t first = 0; first < panels * kNr; first += kLine) {
      const std::int64_t width = std::min(kLine, panels * kNr - first);  // whole panels
      const std::int64_t valid = std::min(width, cols - first);
      line_runs(g, col_begin + first, valid, runs);
      for (std::int64_t k0 = k_begin; k0 < k_end; k0 += kSgemmKc) {
        const std::int64_t kc = std::min(kSgemmKc, K - k0);
        float* dst = packed + k0 * panels * kNr + first / kNr * kc * kNr;
        // Row k is (channel c, tap kd, kh, kw), stepped like an odometer:
        // the divisions that find them cost as much as a short line's copy.
        std::int64_t c = k0 / taps, kd = k0 % taps / kernel_hw, kh = k0 % kernel_hw / g.kernel[2],
                     kw = k0 % g.kernel[2];
        for (std::int64_t k = k0; k < k0 + kc; ++k, dst += kNr) {
          build_line<kStep>(input + c * in_plane, g, runs, kd, kh, kw, line);
          // The last panel's padding columns: zero, whatever the last run's
          // vector left there.
          if (valid < width) std::fill(line + valid, line + width, 0.0f);
          for (std::int64_t p = 0; p < width / kNr; ++p)
            std::memcpy(dst + p * kc * kNr, line + p * kNr, kNr * sizeof(float));
          if (++kw == g.kernel[2]) {
            kw = 0;
            if (++kh == g.kernel[1]) {
              kh = 0;
              if (++kd == g.kernel[0]) {
                kd = 0;
                ++c;
              }
            }
          }
        }
      }
    }
  }

  static void pack(const float* input, const Im2colGeometry& g, std::int64_t col_begin, std::int64_t cols,
                   float* packed, std::int64_t k_begin, std::int64_t k_end) {
    switch (g.stride[2]) {
      case 1: return pack_lines<1>(input, g, col_begin, cols, packed, k_begin, k_end);
      case 2: return pack_lines<2>(input, g, col_begin, cols, packed, k_begin, k_end);
      default: return pack_lines<0>(input, g, col_begin, cols, packed, k_begin, k_end);
    }
  }
};

}  // namespace
}  // namespace onnxrun::kernels
