// Pooling kernels for xsimd::avx512f; this file is compiled with the matching -m flags.
#include "ops/kernels/pool_impl.hpp"
#include "ops/kernels/pool_variants.hpp"

namespace onnxrun::kernels {

const PoolKernelSet& pool_kernels_avx512() {
  using Kernel = PoolKernel<xsimd::avx512f>;
  static const PoolKernelSet set{&Kernel::maxpool2d, &Kernel::avgpool2d, &Kernel::global_average,
                                 &Kernel::global_max, nullptr};
  return set;
}

}  // namespace onnxrun::kernels
