// Pooling kernels for xsimd::sse2; this file is compiled with the matching -m flags.
#include "ops/kernels/pool_impl.hpp"
#include "ops/kernels/pool_variants.hpp"

namespace onnxrun::kernels {

const PoolKernelSet& pool_kernels_sse2() {
  using Kernel = PoolKernel<xsimd::sse2>;
  static const PoolKernelSet set{&Kernel::maxpool2d, &Kernel::avgpool2d, &Kernel::global_average,
                                 &Kernel::global_max, &Kernel::maxpool2d_nchwc};
  return set;
}

}  // namespace onnxrun::kernels
