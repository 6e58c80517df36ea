#include "ops/kernels/im2col_pack.hpp"

#include <algorithm>
#include <cstring>

#include "ops/kernels/sgemm.hpp"

namespace onnxrun::kernels {

namespace {

constexpr std::int64_t kMaxNr = 64;  // the widest panel any ISA uses (AVX-512: 32)

// A panel's columns, cut into runs that lie on one output row: each run reads
// one input row at a fixed stride, so it packs with a copy instead of
// per-element index arithmetic. A panel spans at most nr / out_w + 2 runs.
struct PanelRuns {
  struct Run {
    std::int64_t first = 0, count = 0;  // panel columns [first, first + count)
    std::int64_t d = 0, h = 0, w = 0;   // input coordinate of tap (0, 0, 0) for the run's first column
  };
  Run runs[kMaxNr];
  std::int64_t run_count = 0;
};

PanelRuns panel_runs(const Im2colGeometry& g, std::int64_t first_col, std::int64_t valid) {
  PanelRuns r;
  const std::int64_t plane = g.out[1] * g.out[2];
  std::int64_t i = 0;
  while (i < valid) {
    const std::int64_t j = first_col + i;
    const std::int64_t od = j / plane, oh = j % plane / g.out[2], ow = j % g.out[2];
    PanelRuns::Run& run = r.runs[r.run_count++];
    run.first = i;
    run.count = std::min(valid - i, g.out[2] - ow);
    run.d = od * g.stride[0] - g.pad[0];
    run.h = oh * g.stride[1] - g.pad[1];
    run.w = ow * g.stride[2] - g.pad[2];
    i += run.count;
  }
  return r;
}

// One im2col row (one channel, one tap) of one panel into nr floats.
void pack_row(const float* channel, const Im2colGeometry& g, const PanelRuns& runs, std::int64_t kd, std::int64_t kh,
              std::int64_t kw, std::int64_t nr, float* dst) {
  const std::int64_t dd = kd * g.dilation[0], dh = kh * g.dilation[1], dw = kw * g.dilation[2];
  const std::int64_t step = g.stride[2];
  std::int64_t filled = 0;
  for (std::int64_t r = 0; r < runs.run_count; ++r) {
    const PanelRuns::Run& run = runs.runs[r];
    float* out = dst + run.first;
    const std::int64_t id = run.d + dd, ih = run.h + dh;
    filled = run.first + run.count;
    if (id < 0 || id >= g.in[0] || ih < 0 || ih >= g.in[1]) {
      std::fill(out, out + run.count, 0.0f);
      continue;
    }
    const float* row = channel + (id * g.in[1] + ih) * g.in[2];
    const std::int64_t w0 = run.w + dw;
    // Columns left of the input row, the interior, then those right of it.
    std::int64_t i = 0;
    for (; i < run.count && w0 + i * step < 0; ++i) out[i] = 0.0f;
    if (step == 1) {
      const std::int64_t end = std::min(run.count, g.in[2] - w0);
      if (end > i) {
        std::memcpy(out + i, row + w0 + i, static_cast<std::size_t>(end - i) * sizeof(float));
        i = end;
      }
    } else {
      for (; i < run.count && w0 + i * step < g.in[2]; ++i) out[i] = row[w0 + i * step];
    }
    for (; i < run.count; ++i) out[i] = 0.0f;
  }
  std::fill(dst + filled, dst + nr, 0.0f);  // the panel's padding past the last column
}

}  // namespace

void im2col_pack_b(const float* input, const Im2colGeometry& g, std::int64_t col_begin, std::int64_t cols,
                   float* packed) {
  const std::int64_t nr = sgemm_nr();
  const std::int64_t taps = g.kernel[0] * g.kernel[1] * g.kernel[2];
  const std::int64_t K = g.channels * taps;
  const std::int64_t panels = (cols + nr - 1) / nr;
  const std::int64_t in_plane = g.in[0] * g.in[1] * g.in[2];
  for (std::int64_t p = 0; p < panels; ++p) {
    const PanelRuns runs = panel_runs(g, col_begin + p * nr, std::min(nr, cols - p * nr));
    for (std::int64_t k0 = 0; k0 < K; k0 += kSgemmKc) {
      const std::int64_t kc = std::min(kSgemmKc, K - k0);
      float* dst = packed + k0 * panels * nr + p * kc * nr;
      for (std::int64_t k = k0; k < k0 + kc; ++k, dst += nr) {
        const std::int64_t c = k / taps, tap = k % taps;
        const std::int64_t kd = tap / (g.kernel[1] * g.kernel[2]);
        const std::int64_t kh = tap / g.kernel[2] % g.kernel[1], kw = tap % g.kernel[2];
        pack_row(input + c * in_plane, g, runs, kd, kh, kw, nr, dst);
      }
    }
  }
}

}  // namespace onnxrun::kernels
