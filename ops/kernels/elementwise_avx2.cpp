// Element-wise kernels for xsimd::fma3<xsimd::avx2>; this file is compiled with the matching -m flags.
#include "ops/kernels/elementwise_impl.hpp"
#include "ops/kernels/elementwise_variants.hpp"

namespace onnxrun::kernels {

const ElementwiseKernelSet& elementwise_kernels_avx2() {
  using Kernel = ElementwiseKernel<xsimd::fma3<xsimd::avx2>>;
  static const ElementwiseKernelSet set{&Kernel::unary, &Kernel::binary, &Kernel::binary_vs, &Kernel::binary_sv};
  return set;
}

}  // namespace onnxrun::kernels
