// Pooling kernels for xsimd::avx512f; this file is compiled with the matching -m flags.
#include "ops/kernels/avx512_halves.hpp"
#include "ops/kernels/pool_impl.hpp"
#include "ops/kernels/pool_variants.hpp"

namespace onnxrun::kernels {

template <>
struct PoolPixelPairs<xsimd::avx512f> {
  static xsimd::batch<float, xsimd::avx512f> load(const float* lo, const float* hi) {
    return load_avx512_halves(lo, hi);
  }
  static void pool_blocks_narrow(const Pool2dGeometry& g, const float* input, float* output, std::int64_t begin,
                                 std::int64_t end) {
    pool_kernels_avx2().maxpool2d_nchwc(g, input, output, begin, end);
  }
};

const PoolKernelSet& pool_kernels_avx512() {
  using Kernel = PoolKernel<xsimd::avx512f>;
  static const PoolKernelSet set{&Kernel::maxpool2d, &Kernel::avgpool2d, &Kernel::global_average,
                                 &Kernel::global_max, &Kernel::maxpool2d_nchwc};
  return set;
}

}  // namespace onnxrun::kernels
