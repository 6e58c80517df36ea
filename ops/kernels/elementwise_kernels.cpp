#include "ops/kernels/elementwise_kernels.hpp"

#include "ops/kernels/elementwise_variants.hpp"
#include "ops/kernels/isa.hpp"

namespace onnxrun::kernels {

namespace {

const ElementwiseKernelSet& active_set() {
  switch (active_isa()) {
    case Isa::Sse2: return elementwise_kernels_sse2();
    case Isa::Avx2Fma: return elementwise_kernels_avx2();
    case Isa::Avx512: return elementwise_kernels_avx512();
  }
  return elementwise_kernels_sse2();
}

}  // namespace

void elementwise_unary(const UnaryFunction& f, const float* x, float* y, std::int64_t n) {
  if (n > 0) active_set().unary(f, x, y, n);
}

void elementwise_binary(BinaryArith op, const float* a, const float* b, float* out, std::int64_t n) {
  if (n > 0) active_set().binary(op, a, b, out, n);
}

void elementwise_binary_vs(BinaryArith op, const float* a, float b, float* out, std::int64_t n) {
  if (n > 0) active_set().binary_vs(op, a, b, out, n);
}

void elementwise_binary_sv(BinaryArith op, float a, const float* b, float* out, std::int64_t n) {
  if (n > 0) active_set().binary_sv(op, a, b, out, n);
}

}  // namespace onnxrun::kernels
