#include "ops/kernels/winograd.hpp"

#include <algorithm>

#include "ops/kernels/isa.hpp"
#include "ops/kernels/sgemm.hpp"
#include "ops/kernels/winograd_matrices.hpp"
#include "ops/kernels/winograd_variants.hpp"

namespace onnxrun::kernels {

namespace {

// The matrices of one tile size as plain pointers (row-major).
struct Matrices {
  int m = 0, alpha = 0;
  const double* bt = nullptr;  // alpha x alpha
  const double* g = nullptr;   // alpha x 3
  const double* at = nullptr;  // m x alpha
};

template <class F>
Matrices matrices_of() {
  return {F::m, F::alpha, &F::bt[0][0], &F::g[0][0], &F::at[0][0]};
}

Matrices matrices(std::int64_t m) {
  switch (m) {
    case 2: return matrices_of<winograd::F2>();
    case 6: return matrices_of<winograd::F6>();
    default: return matrices_of<winograd::F4>();
  }
}

// out (rows x cols) = left (rows x inner) * right (inner x cols), all row-major; right_t reads right transposed.
void multiply(const double* left, const double* right, double* out, int rows, int inner, int cols, bool right_t) {
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) {
      double sum = 0;
      for (int k = 0; k < inner; ++k) sum += left[i * inner + k] * (right_t ? right[j * inner + k] : right[k * cols + j]);
      out[i * cols + j] = sum;
    }
}

constexpr int kMaxAlpha = 8;

}  // namespace

std::int64_t sgemm_packed_b_index(std::int64_t k, std::int64_t n, std::int64_t K, std::int64_t N, std::int64_t nr) {
  const std::int64_t k0 = k - k % kSgemmKc;
  const std::int64_t kc = std::min(kSgemmKc, K - k0);
  return k0 * N + (n / nr) * kc * nr + (k - k0) * nr + n % nr;
}

void winograd_weight_transform(std::int64_t m, const float* filter, float* u) {
  const Matrices w = matrices(m);
  double g[9], gg[kMaxAlpha * 3], ggg[kMaxAlpha * kMaxAlpha];
  std::copy(filter, filter + 9, g);
  multiply(w.g, g, gg, w.alpha, 3, 3, false);          // G g
  multiply(gg, w.g, ggg, w.alpha, 3, w.alpha, true);   // (G g) G^T
  for (int i = 0; i < w.alpha * w.alpha; ++i) u[i] = static_cast<float>(ggg[i]);
}

void winograd_input_transform(const WinogradLayer& l, const float* input, std::int64_t tile_begin,
                              std::int64_t count, float* v, std::int64_t v_stride, ChannelRange channels) {
  channels = clamp_channel_range(channels, l.in_channels);
  switch (active_isa()) {
    case Isa::Sse2: return winograd_input_sse2(l, input, tile_begin, count, v, v_stride, channels);
    case Isa::Avx2Fma: return winograd_input_avx2(l, input, tile_begin, count, v, v_stride, channels);
    case Isa::Avx512: return winograd_input_avx512(l, input, tile_begin, count, v, v_stride, channels);
  }
}

void winograd_output_transform(const WinogradLayer& l, const float* gemm, std::int64_t gemm_stride,
                               std::int64_t ldm, std::int64_t tile_begin, std::int64_t count, const Epilogue& epilogue,
                               float* output, ChannelRange channels) {
  channels = clamp_channel_range(channels, l.out_channels);
  switch (active_isa()) {
    case Isa::Sse2: return winograd_output_sse2(l, gemm, gemm_stride, ldm, tile_begin, count, epilogue, output,
                                              channels);
    case Isa::Avx2Fma: return winograd_output_avx2(l, gemm, gemm_stride, ldm, tile_begin, count, epilogue, output,
                                              channels);
    case Isa::Avx512: return winograd_output_avx512(l, gemm, gemm_stride, ldm, tile_begin, count, epilogue, output,
                                              channels);
  }
}

void winograd_input_transform_reference(const WinogradLayer& l, const float* input, std::int64_t tile_begin,
                                        std::int64_t count, float* v, std::int64_t v_stride) {
  const Matrices w = matrices(l.m);
  const std::int64_t nr = sgemm_nr();
  const std::int64_t n_pad = (count + nr - 1) / nr * nr;
  const std::int64_t per_image = l.tiles_h * l.tiles_w, plane = l.in_h * l.in_w;
  double d[kMaxAlpha * kMaxAlpha], bd[kMaxAlpha * kMaxAlpha], bdb[kMaxAlpha * kMaxAlpha];
  for (std::int64_t j = 0; j < n_pad; ++j) {
    const std::int64_t tile = tile_begin + j;
    const std::int64_t n = tile / per_image, ty = tile % per_image / l.tiles_w, tx = tile % l.tiles_w;
    for (std::int64_t c = 0; c < l.in_channels; ++c) {
      for (int y = 0; y < w.alpha; ++y)
        for (int x = 0; x < w.alpha; ++x) {
          const std::int64_t iy = ty * l.m - l.pad_top + y, ix = tx * l.m - l.pad_left + x;
          const bool inside = j < count && iy >= 0 && iy < l.in_h && ix >= 0 && ix < l.in_w;
          d[y * w.alpha + x] = inside ? input[(n * l.in_channels + c) * plane + iy * l.in_w + ix] : 0.0;
        }
      multiply(w.bt, d, bd, w.alpha, w.alpha, w.alpha, false);    // B^T d
      multiply(bd, w.bt, bdb, w.alpha, w.alpha, w.alpha, true);   // (B^T d) B
      const std::int64_t index = sgemm_packed_b_index(c, j, l.in_channels, n_pad, nr);
      for (int t = 0; t < w.alpha * w.alpha; ++t) v[t * v_stride + index] = static_cast<float>(bdb[t]);
    }
  }
}

void winograd_output_transform_reference(const WinogradLayer& l, const float* gemm, std::int64_t gemm_stride,
                                         std::int64_t ldm, std::int64_t tile_begin, std::int64_t count,
                                         const Epilogue& epilogue, float* output) {
  const Matrices w = matrices(l.m);
  const std::int64_t per_image = l.tiles_h * l.tiles_w;
  double s[kMaxAlpha * kMaxAlpha], as[kMaxAlpha * kMaxAlpha], y[kMaxAlpha * kMaxAlpha];
  for (std::int64_t j = 0; j < count; ++j) {
    const std::int64_t tile = tile_begin + j;
    const std::int64_t n = tile / per_image, ty = tile % per_image / l.tiles_w, tx = tile % l.tiles_w;
    for (std::int64_t o = 0; o < l.out_channels; ++o) {
      for (int t = 0; t < w.alpha * w.alpha; ++t) s[t] = gemm[t * gemm_stride + o * ldm + j];
      multiply(w.at, s, as, w.m, w.alpha, w.alpha, false);  // A^T M
      multiply(as, w.at, y, w.m, w.alpha, w.m, true);       // (A^T M) A
      for (int r = 0; r < w.m && ty * l.m + r < l.out_h; ++r) {
        const std::int64_t offset = ((n * l.out_channels + o) * l.out_h + ty * l.m + r) * l.out_w + tx * l.m;
        const std::int64_t cols = std::min<std::int64_t>(l.m, l.out_w - tx * l.m);
        for (std::int64_t x = 0; x < cols; ++x) output[offset + x] = static_cast<float>(y[r * w.m + x]);
        apply_epilogue_row(output + offset, cols, epilogue, o, epilogue.residual ? epilogue.residual + offset : nullptr);
      }
    }
  }
}

}  // namespace onnxrun::kernels
