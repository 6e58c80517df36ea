#pragma once
// NCHW <-> NCHW8c reorders per instruction set (nchwc_reorder_<isa>.cpp, each
// compiled with its own flags). A tile is 8 channels by 8 pixels; with AVX it
// is transposed in registers, 16 shuffles per tile each way, where the plain
// loops (SSE2 code) moved 4 floats at a time: 33 GB/s into blocks and 16 GB/s
// out of them on the AVX-512 machine, at 14x14 to 55x55 planes in L1 and L2.
// Other sets (NEON) run the plain loops.
#include <xsimd/xsimd.hpp>

#include <type_traits>

#if defined(__AVX__)
#include <immintrin.h>
#endif

#include "ops/kernels/nchwc_conv.hpp"
#include "ops/kernels/nchwc_reorder.hpp"

namespace onnxrun::kernels {
namespace {  // each ISA's file has its own copy

template <class Arch>
struct NchwcReorderKernel {
  static constexpr std::int64_t kB = kNchwcBlock;
#if defined(__AVX__)
  static constexpr bool kAvxTiles = std::is_base_of_v<xsimd::avx, Arch> && kB == 8;

  // Two 4 x 4 transposes, one per 128-bit half: rows a, b, c, d of each
  // half become its columns, in the order of the vectors returned.
  struct Quad {
    __m256 v[4];
  };
  static Quad transpose_halves(__m256 a, __m256 b, __m256 c, __m256 d) {
    const __m256 ab_lo = _mm256_unpacklo_ps(a, b), ab_hi = _mm256_unpackhi_ps(a, b);
    const __m256 cd_lo = _mm256_unpacklo_ps(c, d), cd_hi = _mm256_unpackhi_ps(c, d);
    return {{_mm256_shuffle_ps(ab_lo, cd_lo, 0x44), _mm256_shuffle_ps(ab_lo, cd_lo, 0xEE),
             _mm256_shuffle_ps(ab_hi, cd_hi, 0x44), _mm256_shuffle_ps(ab_hi, cd_hi, 0xEE)}};
  }
  // Channels c and c + 4 at 4 pixels from `at`, a channel's plane `plane` floats on.
  static __m256 load_channel_pair(const float* at, std::int64_t plane) {
    return _mm256_insertf128_ps(_mm256_castps128_ps256(_mm_loadu_ps(at)), _mm_loadu_ps(at + 4 * plane), 1);
  }
  // Pixels [p, p + 8) of one block.
  static void tile_to_nchwc(const float* src, float* dst, std::int64_t plane, std::int64_t p) {
    for (std::int64_t half = 0; half < 8; half += 4) {
      // Vector c: channels c | c + 4 at pixels p + half .. + 3; transposed,
      // vector j holds pixel p + half + j's channels 0-3 | 4-7.
      const float* at = src + p + half;
      const Quad q = transpose_halves(load_channel_pair(at, plane), load_channel_pair(at + plane, plane),
                                      load_channel_pair(at + 2 * plane, plane),
                                      load_channel_pair(at + 3 * plane, plane));
      for (int j = 0; j < 4; ++j) _mm256_storeu_ps(dst + (p + half + j) * kB, q.v[j]);
    }
  }
  static void tile_to_nchw(const float* src, float* dst, std::int64_t plane, std::int64_t p) {
    for (std::int64_t half = 0; half < 8; half += 4) {
      // Vector j: pixel p + half + j's channels 0-3 | 4-7; transposed,
      // vector c holds channel c | c + 4 at those 4 pixels.
      const float* at = src + (p + half) * kB;
      const Quad q = transpose_halves(_mm256_loadu_ps(at), _mm256_loadu_ps(at + kB), _mm256_loadu_ps(at + 2 * kB),
                                      _mm256_loadu_ps(at + 3 * kB));
      for (int c = 0; c < 4; ++c) {
        float* to = dst + c * plane + p + half;
        _mm_storeu_ps(to, _mm256_castps256_ps128(q.v[c]));
        _mm_storeu_ps(to + 4 * plane, _mm256_extractf128_ps(q.v[c], 1));
      }
    }
  }
#else
  static constexpr bool kAvxTiles = false;
  static void tile_to_nchwc(const float*, float*, std::int64_t, std::int64_t) {}
  static void tile_to_nchw(const float*, float*, std::int64_t, std::int64_t) {}
#endif

  // Blocks [block_begin, block_end): whole tiles, then the pixels past them.
  template <bool kToBlocked>
  static void reorder(const float* from, float* to, std::int64_t plane, std::int64_t block_begin,
                      std::int64_t block_end) {
    for (std::int64_t block = block_begin; block < block_end; ++block) {
      const float* src = from + block * kB * plane;
      float* dst = to + block * kB * plane;
      std::int64_t p = 0;
      if constexpr (kAvxTiles)
        for (; p + 8 <= plane; p += 8) {
          if constexpr (kToBlocked) tile_to_nchwc(src, dst, plane, p);
          else tile_to_nchw(src, dst, plane, p);
        }
      if constexpr (kToBlocked) reorder_pixels_to_nchwc(src, dst, plane, p, plane);
      else reorder_pixels_to_nchw(src, dst, plane, p, plane);
    }
  }
};

}  // namespace
}  // namespace onnxrun::kernels
