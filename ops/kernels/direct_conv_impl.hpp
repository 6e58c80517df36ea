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

    // The bias seeds the accumulators; residual and activation run once per
    // output row after all its tiles are stored (the row is still in L1), not
    // per vector: with few input channels a tile does only in_channels x taps
    // FMAs per vector, and the per-vector epilogue took about a quarter of the
    // kernel's perf samples on MobileNetV2's stem.
    Epilogue after = e;
    after.row_bias = nullptr;
    const bool row_pass = !epilogue_is_identity(after);

    for (std::int64_t task = task_begin; task < task_end; ++task) {
      const std::int64_t y = task / layout.blocks, block = task % layout.blocks;
      const std::int64_t oc0 = block * kOc, ocs = std::min(kOc, s.out_channels - oc0);
      const float* row_base = padded + y * s.stride_h * s.stride_w * q;
      Batch seed[kOc];
#pragma GCC unroll 6
      for (std::int64_t o = 0; o < kOc; ++o) seed[o] = Batch(e.row_bias && o < ocs ? e.row_bias[oc0 + o] : 0.0f);
      for (std::int64_t x0 = 0; x0 < s.out_w; x0 += kColumns) {
        Batch acc0[kOc], acc1[kOc];
#pragma GCC unroll 6
        for (std::int64_t o = 0; o < kOc; ++o) acc0[o] = acc1[o] = seed[o];
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
        store(acc0, acc1, s, output + oc0 * plane + y * s.out_w + x0, plane, ocs, x0);
      }
      if (!row_pass) continue;
      for (std::int64_t o = 0; o < ocs; ++o) {
        const std::int64_t offset = (oc0 + o) * plane + y * s.out_w;
        apply_epilogue_row_simd<Batch>(output + offset, s.out_w, after, oc0 + o,
                                       after.residual ? after.residual + offset : nullptr);
      }
    }
  }

  // A tile's sums into ocs channels of one output row; dst points at the
  // first channel's first column of the tile.
  static void store(const Batch* acc0, const Batch* acc1, const DirectConvShape& s, float* dst,
                    std::int64_t plane, std::int64_t ocs, std::int64_t x0) {
    const std::int64_t cols = std::min(kColumns, s.out_w - x0);
    if (cols == kColumns) {
      for (std::int64_t o = 0; o < ocs; ++o) {
        acc0[o].store_unaligned(dst + o * plane);
        acc1[o].store_unaligned(dst + o * plane + kW);
      }
      return;
    }
    // The row's last, partial tile, through a buffer.
    for (std::int64_t o = 0; o < ocs; ++o) {
      alignas(64) float tile[kColumns];
      acc0[o].store_aligned(tile);
      acc1[o].store_aligned(tile + kW);
      std::copy(tile, tile + cols, dst + o * plane);
    }
  }
};

}  // namespace onnxrun::kernels
