#pragma once
// The direct convolution kernel, written once over xsimd batches and
// instantiated per instruction set (direct_conv_<isa>.cpp, each compiled with
// its own flags). Included only by those files.
#include <xsimd/xsimd.hpp>

#include <algorithm>

#include "ops/kernels/direct_conv.hpp"
#include "ops/kernels/epilogue_simd.hpp"
#include "ops/kernels/simd_fma.hpp"

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

    // The bias seeds the accumulators; residual and activation are applied as
    // each tile's vectors are stored, the activation's switch taken once per
    // tile (with_activation_simd), not per vector. Applied per vector through
    // apply_epilogue_simd's switch, the epilogue once took about a quarter of
    // the kernel's perf samples on MobileNetV2's stem; as a second pass over
    // each finished row, 17% on SqueezeNet's (3 input channels: a tile does
    // only 27 FMAs per vector).
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
              acc0[o] = fmadd(wo, in0, acc0[o]);
              acc1[o] = fmadd(wo, in1, acc1[o]);
            }
            w += kOc;
          }
        }
        const std::int64_t offset = oc0 * plane + y * s.out_w + x0;
        store(acc0, acc1, s, output + offset, e.residual ? e.residual + offset : nullptr, e.activation, plane, ocs,
              x0);
      }
    }
  }

  // A tile's sums into ocs channels of one output row, plus the residual
  // (laid out like the output) and through the activation; dst and residual
  // point at the first channel's first column of the tile.
  static void store(const Batch* acc0, const Batch* acc1, const DirectConvShape& s, float* dst, const float* residual,
                    const ActivationParams& activation, std::int64_t plane, std::int64_t ocs, std::int64_t x0) {
    const std::int64_t cols = std::min(kColumns, s.out_w - x0);
    with_activation_simd<Batch>(activation, [&](auto activate) {
      if (cols == kColumns) {
        for (std::int64_t o = 0; o < ocs; ++o) {
          Batch v0 = acc0[o], v1 = acc1[o];
          if (residual) {
            v0 += Batch::load_unaligned(residual + o * plane);
            v1 += Batch::load_unaligned(residual + o * plane + kW);
          }
          activate(v0).store_unaligned(dst + o * plane);
          activate(v1).store_unaligned(dst + o * plane + kW);
        }
        return;
      }
      // The row's last, partial tile, through a buffer.
      for (std::int64_t o = 0; o < ocs; ++o) {
        alignas(64) float tile[kColumns] = {};
        if (residual) std::copy(residual + o * plane, residual + o * plane + cols, tile);
        (activate(acc0[o] + Batch::load_aligned(tile))).store_aligned(tile);
        (activate(acc1[o] + Batch::load_aligned(tile + kW))).store_aligned(tile + kW);
        std::copy(tile, tile + cols, dst + o * plane);
      }
    });
  }
};

}  // namespace onnxrun::kernels
