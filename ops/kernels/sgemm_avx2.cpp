// SGEMM for xsimd::fma3<xsimd::avx2>; this file is compiled with the matching -m flags.
#include "ops/kernels/sgemm_impl.hpp"
#include "ops/kernels/sgemm_variants.hpp"

namespace onnxrun::kernels {

std::int64_t sgemm_nr_avx2() { return SgemmKernel<xsimd::fma3<xsimd::avx2>>::kNr; }

void sgemm_run_avx2(std::int64_t M, std::int64_t N, std::int64_t K, const float* packed_a, const float* packed_b,
                    float* c, std::int64_t ldc, const Epilogue& epilogue, std::int64_t panel_begin,
                    std::int64_t panel_end) {
  SgemmKernel<xsimd::fma3<xsimd::avx2>>::run(M, N, K, packed_a, packed_b, c, ldc, epilogue, panel_begin, panel_end);
}

void sgemm_rows_b_avx2(std::int64_t M, std::int64_t N, std::int64_t K, const float* packed_a, const float* b,
                       std::int64_t ldb, float* c, std::int64_t ldc, const Epilogue& epilogue, std::int64_t panel_begin,
                       std::int64_t panel_end) {
  SgemmKernel<xsimd::fma3<xsimd::avx2>>::run_rows_b(M, N, K, packed_a, b, ldb, c, ldc, epilogue, panel_begin,
                                                    panel_end);
}

}  // namespace onnxrun::kernels
