#pragma once
// The pooling kernels of one instruction set, each set defined in its own file
// compiled with that set's flags (pool_sse2.cpp, pool_avx2.cpp, pool_avx512.cpp).
#include "ops/kernels/pool_kernels.hpp"

namespace onnxrun::kernels {

struct PoolKernelSet {
  void (*maxpool2d)(const Pool2dGeometry&, const float*, float*, std::int64_t, std::int64_t);
  void (*avgpool2d)(const Pool2dGeometry&, const float*, float*, std::int64_t, std::int64_t);
  void (*global_average)(const float*, float*, std::int64_t, std::int64_t, std::int64_t);
  void (*global_max)(const float*, float*, std::int64_t, std::int64_t, std::int64_t);
  // AVX-512's holds two pixels of an NCHW8c block per vector (pool_impl.hpp).
  void (*maxpool2d_nchwc)(const Pool2dGeometry&, const float*, float*, std::int64_t, std::int64_t);
};

const PoolKernelSet& pool_kernels_sse2();
const PoolKernelSet& pool_kernels_avx2();
const PoolKernelSet& pool_kernels_avx512();

}  // namespace onnxrun::kernels
