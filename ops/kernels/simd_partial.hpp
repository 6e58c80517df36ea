#pragma once
// The first `count` lanes (0 <= count <= lanes) of a vector from or to memory
// that may end right after them: a row's last, partial vector.
//
// AVX-512 and AVX2 use masked loads and stores, which touch no memory past
// the mask. The portable path goes through a buffer and memcpy, which GCC
// inlines as `rep movs` for a runtime count: its start-up cost made the
// partial stores of SqueezeNet's first layer (111 columns, 15 past the last
// whole vector) a third of that layer's kernel time on AVX-512.
#include <xsimd/xsimd.hpp>

#include <cstdint>
#include <cstring>
#if defined(__AVX2__) || defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace onnxrun::kernels {
// The SIMD helpers are in an unnamed namespace, so that each ISA's file keeps
// its own copy: an inline function or template instantiated by two of them
// (AVX-512 files run AVX2 tiles too) is otherwise one copy for the whole
// program, compiled with whichever file's -m flags the linker kept.
namespace {

template <class Batch>
Batch load_partial(const float* p, std::int64_t count) {
  alignas(64) float buffer[Batch::size] = {};
  std::memcpy(buffer, p, static_cast<std::size_t>(count) * sizeof(float));
  return Batch::load_aligned(buffer);
}

template <class Batch>
void store_partial(const Batch& v, float* p, std::int64_t count) {
  alignas(64) float buffer[Batch::size];
  v.store_aligned(buffer);
  std::memcpy(p, buffer, static_cast<std::size_t>(count) * sizeof(float));
}

#if defined(__AVX2__)
// Lane i is on when i < count: the sign bits maskload and maskstore read.
inline __m256i avx2_lane_mask(std::int64_t count) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(count)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
template <>
inline xsimd::batch<float, xsimd::fma3<xsimd::avx2>> load_partial(const float* p, std::int64_t count) {
  return _mm256_maskload_ps(p, avx2_lane_mask(count));
}
template <>
inline void store_partial(const xsimd::batch<float, xsimd::fma3<xsimd::avx2>>& v, float* p, std::int64_t count) {
  _mm256_maskstore_ps(p, avx2_lane_mask(count), v);
}
#endif

#if defined(__AVX512F__)
inline __mmask16 avx512_lane_mask(std::int64_t count) {
  return static_cast<__mmask16>((1u << count) - 1u);
}
template <>
inline xsimd::batch<float, xsimd::avx512f> load_partial(const float* p, std::int64_t count) {
  return _mm512_maskz_loadu_ps(avx512_lane_mask(count), p);
}
template <>
inline void store_partial(const xsimd::batch<float, xsimd::avx512f>& v, float* p, std::int64_t count) {
  _mm512_mask_storeu_ps(p, avx512_lane_mask(count), v);
}
#endif

}  // namespace
}  // namespace onnxrun::kernels
