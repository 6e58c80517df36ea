#pragma once
// Sigmoid and SiLU on xsimd batches, for the fused epilogues and the
// element-wise ops. Included only by per-ISA kernel files.
//
// Through xsimd::exp, SiLU cost 0.48 ns per value on this machine (AVX2, one
// core, in L1), and EfficientNet-B0's SiLU epilogues took a quarter of the
// model's time (17.5 against 13.2 ms with Relu in their place). Here e^-x is
// built from fewer operations: no range checks (the argument is clamped
// instead) and a degree-5 polynomial: 0.37 ns per value, within 3e-7
// relative error of the double-precision formula
// (tests/unit/test_simd_elementwise.cpp).
#include <xsimd/xsimd.hpp>

#include <cstdint>
#if defined(__AVX512F__) && defined(__AVX512DQ__)
#include <immintrin.h>
#endif

#include "ops/kernels/simd_fma.hpp"

namespace onnxrun::kernels {
namespace {  // per ISA file: see simd_partial.hpp

// e^r with r = -x - n ln 2, the factor left once 2^n is taken out of e^-x.
template <class Batch>
inline Batch exp_reduced_of_negative(Batch x, Batch n) {
  Batch r = fnmsub(n, Batch(0.693359375f), x);  // -x - n ln2_hi
  r = fnmadd(n, Batch(-2.12194442e-4f), r);     // - n ln2_lo
  Batch p(8.37513525e-3f);
  p = fmadd(p, r, Batch(4.19175662e-2f));
  p = fmadd(p, r, Batch(1.66664153e-1f));
  p = fmadd(p, r, Batch(4.99988675e-1f));
  p = fmadd(p, r, Batch(1.0f));
  return fmadd(p, r, Batch(1.00000012f));
}

// e^-x for x in [-87, 87] (clamped there, so never inf or denormal), as
// 2^n * e^r with n = round(-x log2 e) and r = -x - n ln 2 in [-0.35, 0.35].
// ln 2 is split in two (Cody and Waite) so that n * ln2_hi is exact and r
// keeps its precision without fused multiply-adds (SSE2). e^r is a degree-5
// polynomial (least squares on Chebyshev nodes: relative error 1.7e-7 on
// [-0.35, 0.35]); 2^n is added to its exponent bits. Rounding uses the
// 1.5 * 2^23 trick: adding it leaves n in the low mantissa bits.
// NaN in gives an unspecified value: the callers keep NaN through x itself.
template <class Batch>
inline Batch exp_of_negative(Batch x) {
  using Int = xsimd::batch<std::int32_t, typename Batch::arch_type>;
  const Batch round_magic(12582912.0f);  // 1.5 * 2^23
  const Batch clamped = xsimd::min(xsimd::max(x, Batch(-87.0f)), Batch(87.0f));
  const Batch shifted = fmadd(clamped, Batch(-1.44269504088896341f), round_magic);
  const Batch n = shifted - round_magic;
  const Batch p = exp_reduced_of_negative(clamped, n);
  const Int exponent = xsimd::bitwise_cast<Int>(shifted) << 23;
  return xsimd::bitwise_cast<Batch>(xsimd::bitwise_cast<Int>(p) + exponent);
}

// 1 / (1 + e^-x). Below -87 it gives at most 1.7e-38 instead of 0; NaN stays NaN.
template <class Batch>
inline Batch sigmoid_simd(Batch x) {
  const Batch s = Batch(1.0f) / (Batch(1.0f) + exp_of_negative(x));
  return xsimd::select(xsimd::isnan(x), x, s);
}

// x / (1 + e^-x). Below -87 it gives -0 (the exact value is above -1.5e-36),
// and -inf gives NaN, as the formula does (-inf / inf); NaN stays NaN.
template <class Batch>
inline Batch silu_simd(Batch x) {
  const Batch s = x / (Batch(1.0f) + exp_of_negative(x));
  return xsimd::select(x < Batch(-87.0f), x * Batch(0.0f), s);
}

#if defined(__AVX512F__) && defined(__AVX512DQ__)
// AVX-512 (F + DQ, which the dispatcher requires): these activations are
// bound by vector issue, not by the divide, at about 17 operations per 16
// values above (SiLU 0.29 ns per value; a reciprocal estimate plus a Newton
// step in place of the divide was slower, 0.32). Here vrndscaleps rounds n
// and vscalefps applies 2^n, saturating to inf or 0 by itself, so x needs
// no clamp to +-87 and the callers no select: e^-x = inf gives Sigmoid 0 and
// SiLU -0 (NaN for x = -inf, as the formula). Only the infinities are kept
// out of the reduction (inf - inf would be NaN), by bounding |x| to 100.
// SiLU: 13 operations. For x above 87.3, e^-x is subnormal, which at worst
// costs time (a microcode assist), never accuracy.
inline __m512 exp_of_negative_saturating(__m512 bounded) {
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(bounded, _mm512_set1_ps(-1.44269504088896341f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  const Avx512Floats p = exp_reduced_of_negative(Avx512Floats(bounded), Avx512Floats(n));
  return _mm512_scalef_ps(p, n);
}

// Sigmoid must carry NaN through the exponential itself: vminps/vmaxps
// return their second operand when either is NaN, so x goes second.
inline xsimd::batch<float, xsimd::avx512f> sigmoid_simd(xsimd::batch<float, xsimd::avx512f> x) {
  const __m512 bounded = _mm512_max_ps(_mm512_set1_ps(-100.0f), _mm512_min_ps(_mm512_set1_ps(100.0f), x));
  return _mm512_div_ps(_mm512_set1_ps(1.0f), _mm512_add_ps(_mm512_set1_ps(1.0f), exp_of_negative_saturating(bounded)));
}

// SiLU's numerator is x itself, which carries NaN, so one vrangeps bounds
// |x| (it gives 100 for NaN, not NaN).
inline xsimd::batch<float, xsimd::avx512f> silu_simd(xsimd::batch<float, xsimd::avx512f> x) {
  const __m512 bounded = _mm512_range_ps(x, _mm512_set1_ps(100.0f), 0x02);  // min |.|, sign of x
  return _mm512_div_ps(x, _mm512_add_ps(_mm512_set1_ps(1.0f), exp_of_negative_saturating(bounded)));
}
#endif

}  // namespace
}  // namespace onnxrun::kernels
