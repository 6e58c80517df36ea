// NCHW <-> NCHW8c reorders for xsimd::fma3<xsimd::avx2>; this file is compiled with the matching -m flags.
#include "ops/kernels/nchwc_reorder_impl.hpp"

namespace onnxrun::kernels {

void reorder_to_nchwc_avx2(const float* nchw, float* nchwc, std::int64_t plane, std::int64_t block_begin,
                           std::int64_t block_end) {
  NchwcReorderKernel<xsimd::fma3<xsimd::avx2>>::reorder<true>(nchw, nchwc, plane, block_begin, block_end);
}

void reorder_to_nchw_avx2(const float* nchwc, float* nchw, std::int64_t plane, std::int64_t block_begin,
                          std::int64_t block_end) {
  NchwcReorderKernel<xsimd::fma3<xsimd::avx2>>::reorder<false>(nchwc, nchw, plane, block_begin, block_end);
}

}  // namespace onnxrun::kernels
