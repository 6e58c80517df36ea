#include "ops/kernels/im2col_pack.hpp"

#include <algorithm>
#include <cstring>

#include "ops/kernels/sgemm.hpp"

namespace onnxrun::kernels {

namespace {

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

void line_runs(const Im2colGeometry& g, std::int64_t first_col, std::int64_t valid, LineRuns& r) {
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

std::int64_t ceil_div_positive(std::int64_t a, std::int64_t b) { return a <= 0 ? 0 : (a + b - 1) / b; }

// out[i] = row[w0 + i * step] for i < count, zero where that falls outside
// the row of `width` values. Stride 1 and 2 get loops the compiler turns into
// vector copies and deinterleaving shuffles.
void gather_run(const float* row, std::int64_t width, std::int64_t w0, std::int64_t step, std::int64_t count,
                float* out) {
  const std::int64_t lo = std::min(count, ceil_div_positive(-w0, step));
  const std::int64_t hi = std::max(lo, std::min(count, ceil_div_positive(width - w0, step)));
  std::fill(out, out + lo, 0.0f);
  const float* src = row + w0 + lo * step;
  float* dst = out + lo;
  const std::int64_t n = hi - lo;
  if (step == 1) {
    std::memcpy(dst, src, static_cast<std::size_t>(n) * sizeof(float));
  } else if (step == 2) {
    for (std::int64_t i = 0; i < n; ++i) dst[i] = src[2 * i];
  } else {
    for (std::int64_t i = 0; i < n; ++i) dst[i] = src[i * step];
  }
  std::fill(out + hi, out + count, 0.0f);
}

// Row k of the im2col matrix (channel c, tap kd, kh, kw) at the line's columns.
void build_line(const float* channel, const Im2colGeometry& g, const LineRuns& runs, std::int64_t kd,
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
    gather_run(channel + (id * g.in[1] + ih) * g.in[2], g.in[2], run.w + dw, g.stride[2], run.count, out);
  }
}

// Copies a line of `panels` * Nr columns into its panels' row: the panels of
// one K block lie panel_stride floats apart.
template <std::int64_t Nr>
void scatter_line(const float* line, std::int64_t panels, std::int64_t panel_stride, float* dst) {
  for (std::int64_t p = 0; p < panels; ++p, dst += panel_stride)
    std::memcpy(dst, line + p * Nr, Nr * sizeof(float));
}

void scatter_line(const float* line, std::int64_t nr, std::int64_t panels, std::int64_t panel_stride, float* dst) {
  switch (nr) {
    case 8: return scatter_line<8>(line, panels, panel_stride, dst);
    case 16: return scatter_line<16>(line, panels, panel_stride, dst);
    case 32: return scatter_line<32>(line, panels, panel_stride, dst);
    default:
      for (std::int64_t p = 0; p < panels; ++p, dst += panel_stride)
        std::memcpy(dst, line + p * nr, static_cast<std::size_t>(nr) * sizeof(float));
  }
}

}  // namespace

// Each im2col row is built as one contiguous line of up to kLine columns
// (input rows gathered run by run), then copied into its panels. Packing a
// panel row at a time instead (16 columns, a call per channel and tap) spent
// more time on per-call bookkeeping than on the copy: ResNet-50's 3x3
// stride-2 layers took a quarter of their time packing.
void im2col_pack_b(const float* input, const Im2colGeometry& g, std::int64_t col_begin, std::int64_t cols,
                   float* packed, std::int64_t k_begin, std::int64_t k_end) {
  const std::int64_t nr = sgemm_nr();
  const std::int64_t kernel_hw = g.kernel[1] * g.kernel[2], taps = g.kernel[0] * kernel_hw;
  const std::int64_t K = g.channels * taps;
  if (k_end < 0 || k_end > K) k_end = K;
  const std::int64_t panels = (cols + nr - 1) / nr;
  const std::int64_t in_plane = g.in[0] * g.in[1] * g.in[2];
  alignas(64) float line[kLine];
  LineRuns runs;
  for (std::int64_t first = 0; first < panels * nr; first += kLine) {
    const std::int64_t width = std::min(kLine, panels * nr - first);  // whole panels
    const std::int64_t valid = std::min(width, cols - first);
    line_runs(g, col_begin + first, valid, runs);
    std::fill(line + valid, line + width, 0.0f);  // the last panel's padding columns
    for (std::int64_t k0 = k_begin; k0 < k_end; k0 += kSgemmKc) {
      const std::int64_t kc = std::min(kSgemmKc, K - k0);
      float* dst = packed + k0 * panels * nr + first / nr * kc * nr;
      for (std::int64_t k = k0; k < k0 + kc; ++k, dst += nr) {
        const std::int64_t c = k / taps, tap = k % taps;
        build_line(input + c * in_plane, g, runs, tap / kernel_hw, tap / g.kernel[2] % g.kernel[1],
                   tap % g.kernel[2], line);
        scatter_line(line, nr, width / nr, kc * nr, dst);
      }
    }
  }
}

}  // namespace onnxrun::kernels
