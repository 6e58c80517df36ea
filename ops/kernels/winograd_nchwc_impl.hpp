#pragma once
// The NCHW8c Winograd transforms (winograd_nchwc.hpp), written once over
// xsimd batches and instantiated per instruction set
// (winograd_nchwc_<isa>.cpp). Included only by those files.
//
// Lane i of every batch is channel i of a block (an SSE2 block is two
// batches, `part` 0 and 1). The transforms are the same 1D factored ones as
// the NCHW kernel's (winograd_tile_ops.hpp), applied to columns and then
// rows of a tile held in registers.
#include <xsimd/xsimd.hpp>

#include <algorithm>
#include <cstdint>

#include "ops/kernels/epilogue_simd.hpp"
#include "ops/kernels/nchwc_conv.hpp"
#include "ops/kernels/winograd_nchwc.hpp"
#include "ops/kernels/winograd_tile_ops.hpp"

namespace onnxrun::kernels {
namespace {  // per ISA file: see simd_partial.hpp

template <class Arch, class F>
struct WinogradNchwcKernel {
  using Batch = xsimd::batch<float, Arch>;
  static constexpr std::int64_t kB = kNchwcBlock;
  static constexpr std::int64_t kW = static_cast<std::int64_t>(Batch::size);
  static constexpr std::int64_t kParts = kB / kW;  // batches per block
  static_assert(kParts * kW == kB, "a block is a whole number of batches");
  static constexpr int m = F::m, alpha = F::alpha, kPositions = alpha * alpha;

  // Where tile `tile` sits: its image and its first output row and column.
  struct TilePlace {
    std::int64_t image, y, x;
  };
  static TilePlace place(const WinogradLayer& l, std::int64_t tile) {
    const std::int64_t per_image = l.tiles_h * l.tiles_w, in_image = tile % per_image;
    return {tile / per_image, in_image / l.tiles_w * m, in_image % l.tiles_w * m};
  }

  static void input(const WinogradLayer& l, const float* input, std::int64_t tile_begin, std::int64_t count,
                    float* v, std::int64_t v_stride, ChannelRange blocks) {
    const std::int64_t in_blocks = l.in_channels / kB, plane = l.in_h * l.in_w * kB;
    for (std::int64_t cb = blocks.begin; cb < blocks.end; ++cb)
      for (std::int64_t j = 0; j < count; ++j) {
        const TilePlace at = place(l, tile_begin + j);
        const std::int64_t y0 = at.y - l.pad_top, x0 = at.x - l.pad_left;
        const bool interior = y0 >= 0 && x0 >= 0 && y0 + alpha <= l.in_h && x0 + alpha <= l.in_w;
        const float* image_block = input + (at.image * in_blocks + cb) * plane;
        float* out = v + (cb * count + j) * kB;
        for (std::int64_t part = 0; part < kParts; ++part) {
          Batch d[kPositions];
          for (int i = 0; i < alpha; ++i)
            for (int k = 0; k < alpha; ++k) {
              // Indices, not pointers, until inside: a pointer before the input would be undefined.
              const std::int64_t y = y0 + i, x = x0 + k;
              const bool inside = interior || (y >= 0 && y < l.in_h && x >= 0 && x < l.in_w);
              d[i * alpha + k] = inside ? Batch::load_unaligned(image_block + (y * l.in_w + x) * kB + part * kW)
                                        : Batch(0.0f);
            }
          transform_input(d, out + part * kW, v_stride);
        }
      }
  }

  // B^T d B; position t goes to out[t * out_stride].
  static void transform_input(const Batch* d, float* out, std::int64_t out_stride) {
    Batch columns[kPositions], x[alpha], y[alpha];
    for (int k = 0; k < alpha; ++k) {  // columns: B^T d
      for (int i = 0; i < alpha; ++i) x[i] = d[i * alpha + k];
      F::input(x, y);
      for (int i = 0; i < alpha; ++i) columns[i * alpha + k] = y[i];
    }
    for (int i = 0; i < alpha; ++i) {  // rows: (B^T d) B
      F::input(columns + i * alpha, y);
      for (int k = 0; k < alpha; ++k) y[k].store_unaligned(out + (i * alpha + k) * out_stride);
    }
  }

  // A^T s A into y[r * m + c].
  static void transform_output(const Batch* s, Batch* y) {
    Batch columns[m * alpha], x[alpha], r[alpha];
    for (int k = 0; k < alpha; ++k) {  // columns: A^T s
      for (int i = 0; i < alpha; ++i) x[i] = s[i * alpha + k];
      F::output(x, r);
      for (int i = 0; i < m; ++i) columns[i * alpha + k] = r[i];
    }
    for (int i = 0; i < m; ++i) {  // rows: (A^T s) A
      F::output(columns + i * alpha, r);
      for (int c = 0; c < m; ++c) y[i * m + c] = r[c];
    }
  }

  static void output(const WinogradLayer& l, const float* gemm, std::int64_t gemm_stride, std::int64_t tile_begin,
                     std::int64_t count, const Epilogue& e, float* out, ChannelRange blocks) {
    const std::int64_t out_blocks = l.out_channels / kB, plane = l.out_h * l.out_w * kB;
    with_activation_simd<Batch>(e.activation, [&](auto activate) {
      for (std::int64_t ob = blocks.begin; ob < blocks.end; ++ob)
        for (std::int64_t part = 0; part < kParts; ++part) {
          const Batch bias = e.row_bias ? Batch::load_unaligned(e.row_bias + ob * kB + part * kW) : Batch(0.0f);
          for (std::int64_t j = 0; j < count; ++j) {
            const float* src = gemm + (ob * count + j) * kB + part * kW;
            Batch s[kPositions], y[m * m];
            for (int t = 0; t < kPositions; ++t) s[t] = Batch::load_unaligned(src + t * gemm_stride);
            transform_output(s, y);
            const TilePlace at = place(l, tile_begin + j);
            const std::int64_t rows = std::min<std::int64_t>(m, l.out_h - at.y);
            const std::int64_t cols = std::min<std::int64_t>(m, l.out_w - at.x);
            const std::int64_t offset = (at.image * out_blocks + ob) * plane + (at.y * l.out_w + at.x) * kB + part * kW;
            for (std::int64_t r = 0; r < rows; ++r)
              for (std::int64_t c = 0; c < cols; ++c) {
                const std::int64_t o = offset + (r * l.out_w + c) * kB;
                Batch value = y[r * m + c] + bias;
                if (e.residual) value += Batch::load_unaligned(e.residual + o);
                activate(value).store_unaligned(out + o);
              }
          }
        }
    });
  }
};

template <class Arch>
void winograd_nchwc_input(const WinogradLayer& l, const float* input, std::int64_t tile_begin, std::int64_t count,
                          float* v, std::int64_t v_stride, ChannelRange blocks) {
  switch (l.m) {
    case 2: return WinogradNchwcKernel<Arch, winograd::F2Ops>::input(l, input, tile_begin, count, v, v_stride, blocks);
    case 4: return WinogradNchwcKernel<Arch, winograd::F4Ops>::input(l, input, tile_begin, count, v, v_stride, blocks);
    case 6: return WinogradNchwcKernel<Arch, winograd::F6Ops>::input(l, input, tile_begin, count, v, v_stride, blocks);
  }
}

template <class Arch>
void winograd_nchwc_output(const WinogradLayer& l, const float* gemm, std::int64_t gemm_stride,
                           std::int64_t tile_begin, std::int64_t count, const Epilogue& e, float* output,
                           ChannelRange blocks) {
  switch (l.m) {
    case 2:
      return WinogradNchwcKernel<Arch, winograd::F2Ops>::output(l, gemm, gemm_stride, tile_begin, count, e, output,
                                                                blocks);
    case 4:
      return WinogradNchwcKernel<Arch, winograd::F4Ops>::output(l, gemm, gemm_stride, tile_begin, count, e, output,
                                                                blocks);
    case 6:
      return WinogradNchwcKernel<Arch, winograd::F6Ops>::output(l, gemm, gemm_stride, tile_begin, count, e, output,
                                                                blocks);
  }
}

}  // namespace
}  // namespace onnxrun::kernels
