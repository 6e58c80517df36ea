// Depthwise convolution for xsimd::fma3<xsimd::avx2>; this file is compiled with the matching -m flags.
#include "ops/kernels/depthwise_conv_impl.hpp"
#include "ops/kernels/depthwise_conv_variants.hpp"

namespace onnxrun::kernels {

void depthwise_conv_avx2(const DepthwiseConvShape& shape, const float* input, const float* weights, float* output,
                         const Epilogue& epilogue, std::int64_t plane_begin, std::int64_t plane_end) {
  DepthwiseConvKernel<xsimd::fma3<xsimd::avx2>>::run(shape, input, weights, output, epilogue, plane_begin, plane_end);
}

}  // namespace onnxrun::kernels
