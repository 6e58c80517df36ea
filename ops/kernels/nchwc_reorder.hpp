#pragma once
// The reorders between NCHW and NCHW8c (reorder_nchw_to_nchwc and
// reorder_nchwc_to_nchw, declared in nchwc_conv.hpp) per instruction set:
// plain loops (SSE2, and the pixels past the last 8), and 8 x 8 transposes
// in AVX registers (nchwc_reorder_impl.hpp; AVX-512 runs AVX2's).
#include <cstdint>

namespace onnxrun::kernels {

// Blocks [block_begin, block_end) of one image whose planes hold `plane`
// pixels, every pixel.
void reorder_to_nchwc_plain(const float* nchw, float* nchwc, std::int64_t plane, std::int64_t block_begin,
                            std::int64_t block_end);
void reorder_to_nchw_plain(const float* nchwc, float* nchw, std::int64_t plane, std::int64_t block_begin,
                           std::int64_t block_end);

// The same with AVX (nchwc_reorder_avx2.cpp): tiles of 8 pixels as transposes, the rest plain.
void reorder_to_nchwc_avx2(const float* nchw, float* nchwc, std::int64_t plane, std::int64_t block_begin,
                           std::int64_t block_end);
void reorder_to_nchw_avx2(const float* nchwc, float* nchw, std::int64_t plane, std::int64_t block_begin,
                          std::int64_t block_end);

// Pixels [begin, end) of one block, plain loops: the tails of the AVX versions.
void reorder_pixels_to_nchwc(const float* nchw, float* nchwc, std::int64_t plane, std::int64_t begin,
                             std::int64_t end);
void reorder_pixels_to_nchw(const float* nchwc, float* nchw, std::int64_t plane, std::int64_t begin,
                            std::int64_t end);

}  // namespace onnxrun::kernels
