// NCHW8c convolution on AVX-512 machines: the AVX2 code (xsimd::fma3<xsimd::avx2>), since a
// channel block is 8 floats on every instruction set (nchwc_conv.hpp).
#include "ops/kernels/nchwc_conv_impl.hpp"
#include "ops/kernels/nchwc_conv_variants.hpp"

namespace onnxrun::kernels {

using NchwcConvAvx512 = NchwcConvKernel<xsimd::fma3<xsimd::avx2>>;

void nchwc_conv_avx512(const NchwcConvShape& shape, const float* input, const float* packed, float* output,
                     const Epilogue& epilogue, std::int64_t block_begin, std::int64_t block_end,
                     std::int64_t pixel_begin, std::int64_t pixel_end) {
  NchwcConvAvx512::dense(shape, input, packed, output, epilogue, block_begin, block_end, pixel_begin, pixel_end);
}

void nchwc_depthwise_conv_avx512(const NchwcConvShape& shape, const float* input, const float* packed, float* output,
                               const Epilogue& epilogue, std::int64_t block_begin, std::int64_t block_end,
                               std::int64_t pixel_begin, std::int64_t pixel_end) {
  NchwcConvAvx512::depthwise(shape, input, packed, output, epilogue, block_begin, block_end, pixel_begin, pixel_end);
}

}  // namespace onnxrun::kernels
