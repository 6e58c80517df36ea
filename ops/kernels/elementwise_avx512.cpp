// Element-wise kernels for xsimd::avx512f; this file is compiled with the matching -m flags.
#include "ops/kernels/elementwise_impl.hpp"
#include "ops/kernels/elementwise_variants.hpp"

namespace onnxrun::kernels {

const ElementwiseKernelSet& elementwise_kernels_avx512() {
  using Kernel = ElementwiseKernel<xsimd::avx512f>;
  static const ElementwiseKernelSet set{&Kernel::unary, &Kernel::binary, &Kernel::binary_vs, &Kernel::binary_sv};
  return set;
}

}  // namespace onnxrun::kernels
