#pragma once
// Fused multiply-adds for the kernels' batches, one rounding each on every
// instruction set that has the instruction.
//
// xsimd 8 has no AVX-512 kernel for fma, fnma or fnms: for avx512f batches
// they fall back to x * y + z, which GCC fuses only where it contracts
// expressions (at -O2, not at the sanitizer build's -O1). Tiles of one
// layer run at different widths (AVX-512 tiles beside AVX2 tiles, whose
// fma3 kernels are intrinsics), so a pixel's bits then depended on which
// tile computed it, in the -O1 build only. Here AVX-512 calls the instruction.
#include <xsimd/xsimd.hpp>
#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace onnxrun::kernels {
namespace {  // per ISA file: see simd_partial.hpp

// x * y + z
template <class Batch>
Batch fmadd(const Batch& x, const Batch& y, const Batch& z) {
  return xsimd::fma(x, y, z);
}
// z - x * y
template <class Batch>
Batch fnmadd(const Batch& x, const Batch& y, const Batch& z) {
  return xsimd::fnma(x, y, z);
}
// -(x * y) - z
template <class Batch>
Batch fnmsub(const Batch& x, const Batch& y, const Batch& z) {
  return xsimd::fnms(x, y, z);
}

// acc += x * y, the sum kept in acc's register where an overload below can
// say so (AVX-512: vfmadd231ps, the form that writes its addend).
template <class Batch>
void fmadd_in_place(Batch& acc, const Batch& x, const Batch& y) {
  acc = fmadd(x, y, acc);
}

#if defined(__AVX512F__)
// Only the files compiled for AVX-512 see (and use) these overloads.
using Avx512Floats = xsimd::batch<float, xsimd::avx512f>;
inline Avx512Floats fmadd(const Avx512Floats& x, const Avx512Floats& y, const Avx512Floats& z) {
  return _mm512_fmadd_ps(x, y, z);
}
inline Avx512Floats fnmadd(const Avx512Floats& x, const Avx512Floats& y, const Avx512Floats& z) {
  return _mm512_fnmadd_ps(x, y, z);
}
inline Avx512Floats fnmsub(const Avx512Floats& x, const Avx512Floats& y, const Avx512Floats& z) {
  return _mm512_fnmsub_ps(x, y, z);
}
// The same fused operation as fmadd (every form rounds once), so the same
// bits; written as assembly so that the sum stays in one register. Given
// the choice of forms, GCC may write a product's sum over the broadcast
// operand that dies there (vfmadd132ps or 213ps), and across an unrolled
// loop its sums then move between registers, which costs moves and spills
// (nchwc_conv_impl.hpp). Both assembler syntaxes: AT&T | Intel.
inline void fmadd_in_place(Avx512Floats& acc, const Avx512Floats& x, const Avx512Floats& y) {
  __m512 sum = acc;
  asm("vfmadd231ps {%2, %1, %0|%0, %1, %2}"
      : "+v"(sum)
      : "v"(static_cast<__m512>(x)), "v"(static_cast<__m512>(y)));
  acc = sum;
}
#endif

}  // namespace
}  // namespace onnxrun::kernels
