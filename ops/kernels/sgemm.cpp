#include "ops/kernels/sgemm.hpp"

#include <algorithm>

#include "ops/kernels/isa.hpp"
#include "ops/kernels/sgemm_variants.hpp"

namespace onnxrun::kernels {

namespace {

std::int64_t round_up(std::int64_t value, std::int64_t multiple) { return (value + multiple - 1) / multiple * multiple; }

// Packs a K x (panels * width) operand into width-wide panels per K block;
// element(i, k) reads the unpacked value at panel row i, depth k.
template <class Element>
void pack_panels(std::int64_t rows, std::int64_t K, std::int64_t width, float* packed, Element element) {
  const std::int64_t panels = (rows + width - 1) / width;
  for (std::int64_t k0 = 0; k0 < K; k0 += kSgemmKc) {
    const std::int64_t kc = std::min(kSgemmKc, K - k0);
    for (std::int64_t p = 0; p < panels; ++p) {
      const std::int64_t valid = std::min(width, rows - p * width);
      for (std::int64_t k = 0; k < kc; ++k) {
        std::int64_t i = 0;
        for (; i < valid; ++i) packed[i] = element(p * width + i, k0 + k);
        for (; i < width; ++i) packed[i] = 0.0f;
        packed += width;
      }
    }
  }
}

}  // namespace

std::int64_t sgemm_nr() {
  switch (active_isa()) {
    case Isa::Sse2: return sgemm_nr_sse2();
    case Isa::Avx2Fma: return sgemm_nr_avx2();
    case Isa::Avx512: return sgemm_nr_avx512();
  }
  return sgemm_nr_sse2();
}

const char* sgemm_isa() { return isa_name(active_isa()); }

std::size_t sgemm_packed_a_floats(std::int64_t M, std::int64_t K) {
  return static_cast<std::size_t>(round_up(M, kSgemmMr) * K);
}

std::size_t sgemm_packed_b_floats(std::int64_t K, std::int64_t N) {
  return static_cast<std::size_t>(round_up(N, sgemm_nr()) * K);
}

void sgemm_pack_a(const float* a, std::int64_t row_stride, std::int64_t col_stride, std::int64_t M, std::int64_t K,
                  float* packed) {
  pack_panels(M, K, kSgemmMr, packed, [&](std::int64_t i, std::int64_t k) { return a[i * row_stride + k * col_stride]; });
}

void sgemm_pack_b(const float* b, std::int64_t row_stride, std::int64_t col_stride, std::int64_t K, std::int64_t N,
                  float* packed) {
  pack_panels(N, K, sgemm_nr(), packed, [&](std::int64_t n, std::int64_t k) { return b[k * row_stride + n * col_stride]; });
}

void sgemm_packed(std::int64_t M, std::int64_t N, std::int64_t K, const float* packed_a, const float* packed_b,
                  float* c, std::int64_t ldc, const Epilogue& epilogue, std::int64_t panel_begin,
                  std::int64_t panel_end) {
  if (K == 0) {
    // No products: C is the epilogue applied to zero (to the residual already
    // in C when the residual is C).
    const std::int64_t nr = sgemm_nr();
    const std::int64_t j0 = panel_begin * nr, j1 = std::min(N, panel_end * nr);
    const bool in_c = epilogue.residual == c;
    for (std::int64_t i = 0; i < M && j0 < j1; ++i) {
      if (!in_c) std::fill(c + i * ldc + j0, c + i * ldc + j1, 0.0f);
      apply_epilogue_row(c + i * ldc + j0, j1 - j0, epilogue, i,
                         epilogue.residual && !in_c ? epilogue.residual + i * ldc + j0 : nullptr);
    }
    return;
  }
  switch (active_isa()) {
    case Isa::Sse2: return sgemm_run_sse2(M, N, K, packed_a, packed_b, c, ldc, epilogue, panel_begin, panel_end);
    case Isa::Avx2Fma: return sgemm_run_avx2(M, N, K, packed_a, packed_b, c, ldc, epilogue, panel_begin, panel_end);
    case Isa::Avx512: return sgemm_run_avx512(M, N, K, packed_a, packed_b, c, ldc, epilogue, panel_begin, panel_end);
  }
}

void sgemm_rows_b(std::int64_t M, std::int64_t N, std::int64_t K, const float* packed_a, const float* b,
                  std::int64_t ldb, float* c, std::int64_t ldc, const Epilogue& epilogue, std::int64_t panel_begin,
                  std::int64_t panel_end) {
  if (K == 0) return sgemm_packed(M, N, K, packed_a, b, c, ldc, epilogue, panel_begin, panel_end);
  switch (active_isa()) {
    case Isa::Sse2: return sgemm_rows_b_sse2(M, N, K, packed_a, b, ldb, c, ldc, epilogue, panel_begin, panel_end);
    case Isa::Avx2Fma: return sgemm_rows_b_avx2(M, N, K, packed_a, b, ldb, c, ldc, epilogue, panel_begin, panel_end);
    case Isa::Avx512:
      return sgemm_rows_b_avx512(M, N, K, packed_a, b, ldb, c, ldc, epilogue, panel_begin, panel_end);
  }
}

}  // namespace onnxrun::kernels
