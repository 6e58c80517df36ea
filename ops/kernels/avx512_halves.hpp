#pragma once
// One 16-float AVX-512 vector from two 8-float halves anywhere in memory:
// two NCHW8c blocks' channels at one pixel (the blocked convolution), or two
// pixels of one block (the blocked max pool). Include only from files
// compiled for AVX-512 (*_avx512.cpp).
#include <immintrin.h>

namespace onnxrun::kernels {
namespace {  // each AVX-512 file its own copy, as its kernels

inline __m512 load_avx512_halves(const float* lo, const float* hi) {
  return _mm512_insertf32x8(_mm512_castps256_ps512(_mm256_loadu_ps(lo)), _mm256_loadu_ps(hi), 1);
}

}  // namespace
}  // namespace onnxrun::kernels
