#include "ops/kernels/nchwc_reorder.hpp"

#include "ops/kernels/isa.hpp"
#include "ops/kernels/nchwc_conv.hpp"

namespace onnxrun::kernels {

namespace {
constexpr std::int64_t kB = kNchwcBlock;
}  // namespace

// Channel `lane` of pixel p of a block: at lane * plane + p in NCHW, at
// p * 8 + lane blocked.
void reorder_pixels_to_nchwc(const float* nchw, float* nchwc, std::int64_t plane, std::int64_t begin,
                             std::int64_t end) {
  for (std::int64_t p = begin; p < end; ++p)
    for (std::int64_t lane = 0; lane < kB; ++lane) nchwc[p * kB + lane] = nchw[lane * plane + p];
}

void reorder_pixels_to_nchw(const float* nchwc, float* nchw, std::int64_t plane, std::int64_t begin,
                            std::int64_t end) {
  for (std::int64_t p = begin; p < end; ++p)
    for (std::int64_t lane = 0; lane < kB; ++lane) nchw[lane * plane + p] = nchwc[p * kB + lane];
}

void reorder_to_nchwc_plain(const float* nchw, float* nchwc, std::int64_t plane, std::int64_t block_begin,
                            std::int64_t block_end) {
  for (std::int64_t block = block_begin; block < block_end; ++block)
    reorder_pixels_to_nchwc(nchw + block * kB * plane, nchwc + block * kB * plane, plane, 0, plane);
}

void reorder_to_nchw_plain(const float* nchwc, float* nchw, std::int64_t plane, std::int64_t block_begin,
                           std::int64_t block_end) {
  for (std::int64_t block = block_begin; block < block_end; ++block)
    reorder_pixels_to_nchw(nchwc + block * kB * plane, nchw + block * kB * plane, plane, 0, plane);
}

void reorder_nchw_to_nchwc(const float* nchw, float* nchwc, std::int64_t plane, std::int64_t block_begin,
                           std::int64_t block_end) {
  if (active_isa() == Isa::Sse2) return reorder_to_nchwc_plain(nchw, nchwc, plane, block_begin, block_end);
  reorder_to_nchwc_avx2(nchw, nchwc, plane, block_begin, block_end);
}

void reorder_nchwc_to_nchw(const float* nchwc, float* nchw, std::int64_t plane, std::int64_t block_begin,
                           std::int64_t block_end) {
  if (active_isa() == Isa::Sse2) return reorder_to_nchw_plain(nchwc, nchw, plane, block_begin, block_end);
  reorder_to_nchw_avx2(nchwc, nchw, plane, block_begin, block_end);
}

}  // namespace onnxrun::kernels
