#include "ops/kernels/im2col_pack.hpp"

#include <algorithm>
#include <cstring>

#include "ops/kernels/sgemm.hpp"

namespace onnxrun::kernels {

namespace {

constexpr std::int64_t kMaxNr = 64;  // the widest panel any ISA uses (AVX-512: 32)

// Where one panel's columns start reading: the input coordinate of kernel tap
// (0, 0, 0) for each output position in the panel.
struct PanelOrigins {
  std::int64_t d[kMaxNr], h[kMaxNr], w[kMaxNr];
  std::int64_t valid = 0;      // columns of the panel inside the matrix
  bool one_row = false;        // all valid columns share (od, oh): a contiguous output row
};

PanelOrigins panel_origins(const Im2colGeometry& g, std::int64_t first_col, std::int64_t valid) {
  PanelOrigins o;
  o.valid = valid;
  const std::int64_t plane = g.out[1] * g.out[2];
  for (std::int64_t i = 0; i < valid; ++i) {
    const std::int64_t j = first_col + i;
    const std::int64_t od = j / plane, oh = j % plane / g.out[2], ow = j % g.out[2];
    o.d[i] = od * g.stride[0] - g.pad[0];
    o.h[i] = oh * g.stride[1] - g.pad[1];
    o.w[i] = ow * g.stride[2] - g.pad[2];
  }
  o.one_row = valid > 0 && o.d[0] == o.d[valid - 1] && o.h[0] == o.h[valid - 1];
  return o;
}

// One im2col row (channel c, tap kd/kh/kw) of one panel into nr floats.
void pack_row(const float* channel, const Im2colGeometry& g, const PanelOrigins& o, std::int64_t kd, std::int64_t kh,
              std::int64_t kw, std::int64_t nr, float* dst) {
  const std::int64_t dd = kd * g.dilation[0], dh = kh * g.dilation[1], dw = kw * g.dilation[2];
  if (o.one_row) {
    // The common case: one output row, so one input row, read at a fixed stride.
    const std::int64_t id = o.d[0] + dd, ih = o.h[0] + dh;
    if (id < 0 || id >= g.in[0] || ih < 0 || ih >= g.in[1]) {
      std::fill(dst, dst + nr, 0.0f);
      return;
    }
    const float* row = channel + (id * g.in[1] + ih) * g.in[2];
    const std::int64_t w0 = o.w[0] + dw, step = g.stride[2];
    std::int64_t i = 0;
    // Columns left of the input row, the interior, then the right edge and panel padding.
    for (; i < o.valid && w0 + i * step < 0; ++i) dst[i] = 0.0f;
    if (step == 1) {
      const std::int64_t end = std::min(o.valid, g.in[2] - w0);
      if (end > i) {
        std::memcpy(dst + i, row + w0 + i, static_cast<std::size_t>(end - i) * sizeof(float));
        i = end;
      }
    } else {
      for (; i < o.valid && w0 + i * step < g.in[2]; ++i) dst[i] = row[w0 + i * step];
    }
    for (; i < nr; ++i) dst[i] = 0.0f;
    return;
  }
  std::int64_t i = 0;
  for (; i < o.valid; ++i) {
    const std::int64_t id = o.d[i] + dd, ih = o.h[i] + dh, iw = o.w[i] + dw;
    const bool inside = id >= 0 && id < g.in[0] && ih >= 0 && ih < g.in[1] && iw >= 0 && iw < g.in[2];
    dst[i] = inside ? channel[(id * g.in[1] + ih) * g.in[2] + iw] : 0.0f;
  }
  for (; i < nr; ++i) dst[i] = 0.0f;
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
    const PanelOrigins origins = panel_origins(g, col_begin + p * nr, std::min(nr, cols - p * nr));
    for (std::int64_t k0 = 0; k0 < K; k0 += kSgemmKc) {
      const std::int64_t kc = std::min(kSgemmKc, K - k0);
      float* dst = packed + k0 * panels * nr + p * kc * nr;
      for (std::int64_t k = k0; k < k0 + kc; ++k, dst += nr) {
        const std::int64_t c = k / taps, tap = k % taps;
        const std::int64_t kd = tap / (g.kernel[1] * g.kernel[2]);
        const std::int64_t kh = tap / g.kernel[2] % g.kernel[1], kw = tap % g.kernel[2];
        pack_row(input + c * in_plane, g, origins, kd, kh, kw, nr, dst);
      }
    }
  }
}

}  // namespace onnxrun::kernels
