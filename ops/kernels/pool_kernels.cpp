#include "ops/kernels/pool_kernels.hpp"

#include "ops/kernels/isa.hpp"
#include "ops/kernels/pool_variants.hpp"

namespace onnxrun::kernels {

namespace {

const PoolKernelSet& active_set() {
  switch (active_isa()) {
    case Isa::Sse2: return pool_kernels_sse2();
    case Isa::Avx2Fma: return pool_kernels_avx2();
    case Isa::Avx512: return pool_kernels_avx512();
  }
  return pool_kernels_sse2();
}

}  // namespace

bool pool2d_kernel_supports(const Pool2dGeometry& g) {
  return (g.stride_w == 1 || g.stride_w == 2) && g.stride_h >= 1 && g.kernel_h >= 1 && g.kernel_w >= 1 &&
         g.pad_top >= 0 && g.pad_left >= 0 && g.count_end_h >= g.in_h && g.count_end_w >= g.in_w;
}

void maxpool2d(const Pool2dGeometry& g, const float* input, float* output, std::int64_t plane_begin,
               std::int64_t plane_end) {
  active_set().maxpool2d(g, input, output, plane_begin, plane_end);
}

void avgpool2d(const Pool2dGeometry& g, const float* input, float* output, std::int64_t plane_begin,
               std::int64_t plane_end) {
  active_set().avgpool2d(g, input, output, plane_begin, plane_end);
}

void global_average_pool(const float* input, float* output, std::int64_t plane, std::int64_t plane_begin,
                         std::int64_t plane_end) {
  active_set().global_average(input, output, plane, plane_begin, plane_end);
}

void maxpool2d_nchwc(const Pool2dGeometry& g, const float* input, float* output, std::int64_t block_begin,
                     std::int64_t block_end) {
  active_set().maxpool2d_nchwc(g, input, output, block_begin, block_end);
}

void global_max_pool(const float* input, float* output, std::int64_t plane, std::int64_t plane_begin,
                     std::int64_t plane_end) {
  active_set().global_max(input, output, plane, plane_begin, plane_end);
}

}  // namespace onnxrun::kernels
