// NCHW8c convolution for xsimd::avx512f; this file is compiled with the matching -m flags.
// Dense: a 16-float vector holds two consecutive output blocks' channels at
// one pixel; the packed weights of one input channel for a group of 4 blocks
// are two vectors, and each broadcast input value feeds both.
// Depthwise: a vector holds two neighbouring pixels of one block (stride 1;
// other strides and the edge tiles run at AVX2's width).
#include <immintrin.h>

#include "ops/kernels/avx512_halves.hpp"
#include "ops/kernels/nchwc_conv_impl.hpp"
#include "ops/kernels/nchwc_depthwise_impl.hpp"
#include "ops/kernels/nchwc_conv_variants.hpp"

namespace onnxrun::kernels {
namespace {  // where nchwc_conv_impl.hpp's templates are

template <>
struct NchwcBlockPieces<xsimd::avx512f> {
  using Batch = xsimd::batch<float, xsimd::avx512f>;
  // The low 8 floats from at, the high 8 from at + plane (the next block).
  static Batch load(const float* at, std::int64_t plane) {
    return load_avx512_halves(at, at + plane);
  }
  static void store(const Batch& v, float* at, std::int64_t plane) {
    const __m512 r = v;
    _mm256_storeu_ps(at, _mm512_castps512_ps256(r));
    _mm256_storeu_ps(at + plane, _mm512_extractf32x8_ps(r, 1));
  }
  // One block's 8 floats at p, in both halves.
  static Batch broadcast_block(const float* p) { return _mm512_broadcast_f32x8(_mm256_loadu_ps(p)); }
};

template <>
struct NchwcNarrowArch<xsimd::avx512f> {
  using type = xsimd::fma3<xsimd::avx2>;
};

}  // namespace

using NchwcConvAvx512 = NchwcConvKernel<xsimd::avx512f>;

void nchwc_conv_avx512(const NchwcConvShape& shape, const float* input, const float* packed, float* output,
                       const Epilogue& epilogue, std::int64_t block_begin, std::int64_t block_end,
                       std::int64_t pixel_begin, std::int64_t pixel_end) {
  NchwcConvAvx512::dense(shape, input, packed, output, epilogue, block_begin, block_end, pixel_begin, pixel_end);
}

void nchwc_depthwise_conv_avx512(const NchwcConvShape& shape, const float* input, const float* packed,
                                 float* output, const Epilogue& epilogue, std::int64_t block_begin,
                                 std::int64_t block_end, std::int64_t pixel_begin, std::int64_t pixel_end) {
  NchwcDepthwiseKernel<xsimd::avx512f>::depthwise(shape, input, packed, output, epilogue, block_begin, block_end,
                                                  pixel_begin, pixel_end);
}

}  // namespace onnxrun::kernels
