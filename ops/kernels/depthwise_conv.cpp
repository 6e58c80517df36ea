#include "ops/kernels/depthwise_conv.hpp"

#include "ops/kernels/depthwise_conv_variants.hpp"
#include "ops/kernels/isa.hpp"

namespace onnxrun::kernels {

bool depthwise_conv_supported(int kernel, int stride) {
  return (kernel == 3 || kernel == 5 || kernel == 7) && (stride == 1 || stride == 2);
}

const char* depthwise_conv_isa() { return isa_name(active_isa()); }

void depthwise_conv(const DepthwiseConvShape& shape, const float* input, const float* weights, float* output,
                    const Epilogue& epilogue, std::int64_t plane_begin, std::int64_t plane_end) {
  if (plane_begin >= plane_end || shape.out_h <= 0 || shape.out_w <= 0) return;
  switch (active_isa()) {
    case Isa::Sse2: return depthwise_conv_sse2(shape, input, weights, output, epilogue, plane_begin, plane_end);
    case Isa::Avx2Fma: return depthwise_conv_avx2(shape, input, weights, output, epilogue, plane_begin, plane_end);
    case Isa::Avx512: return depthwise_conv_avx512(shape, input, weights, output, epilogue, plane_begin, plane_end);
  }
}

}  // namespace onnxrun::kernels
