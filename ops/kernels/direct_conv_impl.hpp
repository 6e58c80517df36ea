#pragma once
// The direct convolution kernel, written once over xsimd batches and
// instantiated per instruction set (direct_conv_<isa>.cpp, each compiled with
// its own flags). Included only by those files.
#include <xsimd/xsimd.hpp>

#include <algorithm>

#include "ops/kernels/direct_conv.hpp"
#include "ops/kernels/epilogue_simd.hpp"

namespace onnxrun::kernels {

template <class Arch>
struct DirectConvKernel {
  using Batch = xsimd::batch<float, Arch>;
  static constexpr std::int64_t kW = static_cast<std::int64_t>(Batch::size);
  static constexpr std::int64_t kOc = kDirectOcBlock;
  // 6 x 2 accumulators, 2 input vectors and a broadcast weight: 15 of the 16
  // AVX2 registers, and per tap 8 loads for 12 FMAs, so the FMAs set the pace.
  static constexpr std::int64_t kColumns = 2 * kW;

  static void run(const DirectConvShape& s, const DirectConvLayout& layout, const float* padded,
                  const float* packed_weights, float* output, const Epilogue& e, std::int64_t task_begin,
                  std::int64_t task_end) {
    const std::int64_t taps = s.kernel_h * s.kernel_w;
    const std::int64_t q = layout.phase_width;
    const std::int64_t* tap_offset = layout.tap_offsets.data();
    const std::int64_t channel_floats = layout.rows * s.stride_w * q;
    const std::int64_t block_weights = s.in_channels * taps * kOc;
    const std::int64_t plane = s.out_h * s.out_w;

    for (std::int64_t task = task_begin; task < task_end; ++task) {
      const std::int64_t block = task / s.out_h, y = task % s.out_h;
      const std::int64_t oc0 = block * kOc, ocs = std::min(kOc, s.out_channels - oc0);
      const float* row_base = padded + y * s.stride_h * s.stride_w * q;
      for (std::int64_t x0 = 0; x0 < s.out_w; x0 += kColumns) {
        Batch acc0[kOc], acc1[kOc];
#pragma GCC unroll 6
        for (std::int64_t o = 0; o < kOc; ++o) acc0[o] = acc1[o] = Batch(0.0f);
        const float* w = packed_weights + block * block_weights;
        for (std::int64_t c = 0; c < s.in_channels; ++c) {
          const float* base = row_base + c * channel_floats + x0;
          for (std::int64_t t = 0; t < taps; ++t) {
            const float* src = base + tap_offset[t];
            const Batch in0 = Batch::load_unaligned(src);
            const Batch in1 = Batch::load_unaligned(src + kW);
#pragma GCC unroll 6
            for (std::int64_t o = 0; o < kOc; ++o) {
              const Batch wo(w[o]);
              acc0[o] = xsimd::fma(wo, in0, acc0[o]);
              acc1[o] = xsimd::fma(wo, in1, acc1[o]);
            }
            w += kOc;
          }
        }
        store(acc0, acc1, s, e, output, plane, oc0, ocs, y, x0);
      }
    }
  }

  static void store(const Batch* acc0, const Batch* acc1, const DirectConvShape& s, const Epilogue& e, float* output,
                    std::int64_t plane, std::int64_t oc0, std::int64_t ocs, std::int64_t y, std::int64_t x0) {
    const std::int64_t cols = std::min(kColumns, s.out_w - x0);
    for (std::int64_t o = 0; o < ocs; ++o) {
      const std::int64_t oc = oc0 + o;
      const std::int64_t offset = oc * plane + y * s.out_w + x0;
      float* dst = output + offset;
      const float* res = e.residual ? e.residual + offset : nullptr;
      if (cols == kColumns) {
        apply_epilogue_simd(acc0[o], e, oc, res).store_unaligned(dst);
        apply_epilogue_simd(acc1[o], e, oc, res ? res + kW : nullptr).store_unaligned(dst + kW);
        continue;
      }
      // The row's last, partial tile: through a buffer, the epilogue on the valid columns.
      alignas(64) float tile[kColumns];
      acc0[o].store_aligned(tile);
      acc1[o].store_aligned(tile + kW);
      std::copy(tile, tile + cols, dst);
      apply_epilogue_row(dst, cols, e, oc, res);
    }
  }
};

}  // namespace onnxrun::kernels
