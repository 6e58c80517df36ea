// Depthwise convolution for xsimd::avx512f; this file is compiled with the matching -m flags.
#include "ops/kernels/depthwise_conv_impl.hpp"
#include "ops/kernels/depthwise_conv_variants.hpp"

namespace onnxrun::kernels {

void depthwise_conv_avx512(const DepthwiseConvShape& shape, const float* input, const float* weights, float* output,
                           const Epilogue& epilogue, std::int64_t plane_begin, std::int64_t plane_end) {
  DepthwiseConvKernel<xsimd::avx512f>::run(shape, input, weights, output, epilogue, plane_begin, plane_end);
}

}  // namespace onnxrun::kernels
