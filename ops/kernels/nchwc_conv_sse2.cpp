// NCHW8c convolution for xsimd::sse2; this file is compiled with the matching -m flags.
#include "ops/kernels/nchwc_conv_impl.hpp"
#include "ops/kernels/nchwc_depthwise_impl.hpp"
#include "ops/kernels/nchwc_conv_variants.hpp"

namespace onnxrun::kernels {

using NchwcConvSse2 = NchwcConvKernel<xsimd::sse2>;

void nchwc_conv_sse2(const NchwcConvShape& shape, const float* input, const float* packed, float* output,
                     const Epilogue& epilogue, std::int64_t block_begin, std::int64_t block_end,
                     std::int64_t pixel_begin, std::int64_t pixel_end) {
  NchwcConvSse2::dense(shape, input, packed, output, epilogue, block_begin, block_end, pixel_begin, pixel_end);
}

void nchwc_depthwise_conv_sse2(const NchwcConvShape& shape, const float* input, const float* packed, float* output,
                               const Epilogue& epilogue, std::int64_t block_begin, std::int64_t block_end,
                               std::int64_t pixel_begin, std::int64_t pixel_end) {
  NchwcDepthwiseKernel<xsimd::sse2>::depthwise(shape, input, packed, output, epilogue, block_begin, block_end,
                                               pixel_begin, pixel_end);
}

}  // namespace onnxrun::kernels
