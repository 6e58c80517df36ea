#pragma once
// The direct convolution kernel, written once over xsimd batches and
// instantiated per instruction set (direct_conv_<isa>.cpp, each compiled with
// its own flags). Included only by those files.
#include <xsimd/xsimd.hpp>

#include <algorithm>
#include <type_traits>

#include "ops/kernels/direct_conv.hpp"
#include "ops/kernels/epilogue_simd.hpp"
#include "ops/kernels/simd_fma.hpp"
#include "ops/kernels/simd_partial.hpp"

namespace onnxrun::kernels {

template <class Arch>
struct DirectConvKernel {
  using Batch = xsimd::batch<float, Arch>;
  static constexpr std::int64_t kW = static_cast<std::int64_t>(Batch::size);
  static constexpr std::int64_t kOc = kDirectOcBlock;
  // Tiles of kOc (6) output channels by up to kMaxVectors vectors of
  // columns. AVX2: 6 x 2 accumulators, 2 input vectors and a broadcast
  // weight, 15 of its 16 registers; per tap 8 loads for 12 FMAs, so the FMAs
  // set the pace. AVX-512 (32 registers): up to 6 x 4, 10 loads for 24 FMAs.
  // A row's last tile takes only the vectors its columns need: the 224x224
  // first layers' 112 and 111 columns run as 64 + 48 on AVX-512, not as
  // 4 x 32 (a seventh more work), and as 3 x 32 + 16 on AVX2.
  static constexpr int kMaxVectors = kW == 16 ? 4 : 2;

  static void run(const DirectConvShape& s, const DirectConvLayout& layout, const float* padded,
                  const float* packed_weights, const DirectConvOutput& output, const Epilogue& e,
                  std::int64_t task_begin, std::int64_t task_end) {
    const std::int64_t taps = s.kernel_h * s.kernel_w;
    const std::int64_t q = layout.phase_width;
    const std::int64_t* tap_offset = layout.tap_offsets.data();
    const std::int64_t channel_floats = layout.rows * s.stride_w * q;
    const std::int64_t block_weights = s.in_channels * taps * kOc;
    const std::int64_t plane = output.plane;

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
      const float* w = packed_weights + block * block_weights;
      const std::int64_t row_offset = oc0 * plane + (y - output.first_row) * s.out_w;
      for (std::int64_t x0 = 0; x0 < s.out_w;) {
        const std::int64_t offset = row_offset + x0;
        float* dst = output.data + offset;
        const float* residual = e.residual ? e.residual + offset : nullptr;
        const float* base = row_base + x0;
        const std::int64_t vectors = std::min<std::int64_t>(kMaxVectors, (s.out_w - x0 + kW - 1) / kW);
        const auto run_tile = [&](auto v) {
          tile<decltype(v)::value>(s, base, channel_floats, tap_offset, taps, w, seed, dst, residual, e.activation,
                                   plane, ocs, x0);
        };
        switch (vectors) {
          case 1: run_tile(std::integral_constant<int, 1>{}); break;
          case 2: run_tile(std::integral_constant<int, 2>{}); break;
          case 3: if constexpr (kMaxVectors >= 3) run_tile(std::integral_constant<int, 3>{}); break;
          default: if constexpr (kMaxVectors >= 4) run_tile(std::integral_constant<int, 4>{}); break;
        }
        x0 += vectors * kW;
      }
    }
  }

  // One tile: ocs (up to kOc) output channels by V vectors of columns from
  // x0, all input channels and taps; base points at the first input channel's
  // padded row for column x0.
  template <int V>
  static void tile(const DirectConvShape& s, const float* base, std::int64_t channel_floats,
                   const std::int64_t* tap_offset, std::int64_t taps, const float* w, const Batch* seed, float* dst,
                   const float* residual, const ActivationParams& activation, std::int64_t plane, std::int64_t ocs,
                   std::int64_t x0) {
    Batch acc[V][kOc];
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v)
#pragma GCC unroll 6
      for (std::int64_t o = 0; o < kOc; ++o) acc[v][o] = seed[o];
    for (std::int64_t c = 0; c < s.in_channels; ++c, base += channel_floats) {
      for (std::int64_t t = 0; t < taps; ++t) {
        const float* src = base + tap_offset[t];
        Batch in[V];
#pragma GCC unroll 4
        for (int v = 0; v < V; ++v) in[v] = Batch::load_unaligned(src + v * kW);
#pragma GCC unroll 6
        for (std::int64_t o = 0; o < kOc; ++o) {
          const Batch wo(w[o]);
#pragma GCC unroll 4
          for (int v = 0; v < V; ++v) acc[v][o] = fmadd(wo, in[v], acc[v][o]);
        }
        w += kOc;
      }
    }
    store<V>(acc, s, dst, residual, activation, plane, ocs, x0);
  }

  // A tile's sums into ocs channels of one output row, plus the residual
  // (laid out like the output) and through the activation; dst and residual
  // point at the first channel's first column of the tile.
  template <int V>
  static void store(const Batch (*acc)[kOc], const DirectConvShape& s, float* dst, const float* residual,
                    const ActivationParams& activation, std::int64_t plane, std::int64_t ocs, std::int64_t x0) {
    const std::int64_t cols = std::min(V * kW, s.out_w - x0);
    // Whole vectors go straight to the row; a last partial one (111 columns
    // leave 15) through store_partial.
    const int whole = static_cast<int>(cols / kW);
    with_activation_simd<Batch>(activation, [&](auto activate) {
      for (std::int64_t o = 0; o < ocs; ++o) {
        float* row = dst + o * plane;
        const float* residual_row = residual ? residual + o * plane : nullptr;
#pragma GCC unroll 4
        for (int v = 0; v < V; ++v) {  // unrolled: acc is indexed by constants only
          if (v < whole) {
            Batch sum = acc[v][o];
            if (residual_row) sum += Batch::load_unaligned(residual_row + v * kW);
            activate(sum).store_unaligned(row + v * kW);
          } else if (v == whole) {
            const std::int64_t at = v * kW, rest = cols - at;
            Batch sum = acc[v][o];
            if (residual_row) sum += load_partial<Batch>(residual_row + at, rest);
            store_partial(activate(sum), row + at, rest);
          }
        }
      }
    });
  }
};

}  // namespace onnxrun::kernels
