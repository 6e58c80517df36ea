#pragma once
// The element-wise kernels of one instruction set, each set defined in its own
// file compiled with that set's flags (elementwise_sse2.cpp, _avx2, _avx512).
#include "ops/kernels/elementwise_kernels.hpp"

namespace onnxrun::kernels {

struct ElementwiseKernelSet {
  void (*unary)(const UnaryFunction&, const float*, float*, std::int64_t);
  void (*binary)(BinaryArith, const float*, const float*, float*, std::int64_t);
  void (*binary_vs)(BinaryArith, const float*, float, float*, std::int64_t);
  void (*binary_sv)(BinaryArith, float, const float*, float*, std::int64_t);
};

const ElementwiseKernelSet& elementwise_kernels_sse2();
const ElementwiseKernelSet& elementwise_kernels_avx2();
const ElementwiseKernelSet& elementwise_kernels_avx512();

}  // namespace onnxrun::kernels
