// Direct convolution for xsimd::sse2; this file is compiled with the matching -m flags.
#include "ops/kernels/direct_conv_impl.hpp"
#include "ops/kernels/direct_conv_variants.hpp"

namespace onnxrun::kernels {

void direct_conv_sse2(const DirectConvShape& shape, const DirectConvLayout& layout, const float* padded,
                      const float* packed_weights, const DirectConvOutput& output, const Epilogue& epilogue,
                      std::int64_t task_begin, std::int64_t task_end) {
  DirectConvKernel<xsimd::sse2>::run(shape, layout, padded, packed_weights, output, epilogue, task_begin, task_end);
}

}  // namespace onnxrun::kernels
