#pragma once
// The Winograd input and output transforms, written once over xsimd batches
// and instantiated per instruction set (winograd_<isa>.cpp). Included only by
// those files.
//
// Vectorized across tiles: lane i of every batch belongs to tile j0 + i. That
// is the layout the GEMMs want (tiles are the N dimension, and the packed-B
// panels hold 2 batches of consecutive tiles per row), so the transformed
// input is stored straight into the panels and the GEMM output is read back
// with plain vector loads. The price is a scalar gather of each tile's input
// patch (tiles overlap and step by m columns, so a tile's elements never sit
// in one vector) and a scatter of its output tile, interleaved in registers
// with swizzles where m divides the vector width (xsimd 8's zip_lo/zip_hi
// would not do: they interleave within 128-bit lanes on AVX/AVX-512).
// Measured on AVX2 (F4, 64 channels, 56x56), before the interleaved scatter:
// input transform ~22%, output ~15%, GEMMs ~63% of the time. Neither AVX2's
// gather instruction nor reordering the scalar gather did better.
#include <xsimd/xsimd.hpp>

#include <algorithm>
#include <cstdint>
#include <utility>

#include "ops/kernels/epilogue_simd.hpp"
#include "ops/kernels/simd_fma.hpp"
#include "ops/kernels/sgemm.hpp"
#include "ops/kernels/winograd.hpp"
#include "ops/kernels/winograd_tile_ops.hpp"

namespace onnxrun::kernels::winograd {

template <class Arch, class F>
struct Kernel {
  using Batch = xsimd::batch<float, Arch>;
  static constexpr std::int64_t kW = static_cast<std::int64_t>(Batch::size);
  static constexpr std::int64_t kNr = 2 * kW;  // the SGEMM panel width for this ISA
  static constexpr int m = F::m, alpha = F::alpha, kPositions = alpha * alpha;

  // sgemm_packed_b_index, here so that each ISA's file inlines its own copy.
  static std::int64_t packed_index(std::int64_t k, std::int64_t n, std::int64_t K, std::int64_t N) {
    const std::int64_t k0 = k - k % kSgemmKc;
    const std::int64_t kc = std::min(kSgemmKc, K - k0);
    return k0 * N + (n / kNr) * kc * kNr + (k - k0) * kNr + n % kNr;
  }

  // Where one lane's input patch starts.
  struct InputLane {
    std::int64_t image = 0;  // n * in_channels * in_h * in_w
    std::int64_t y0 = 0, x0 = 0;
    bool valid = false, interior = false;
  };

  static InputLane input_lane(const WinogradLayer& l, std::int64_t tile) {
    InputLane lane;
    const std::int64_t per_image = l.tiles_h * l.tiles_w;
    const std::int64_t n = tile / per_image, ty = tile % per_image / l.tiles_w, tx = tile % l.tiles_w;
    lane.image = n * l.in_channels * l.in_h * l.in_w;
    lane.y0 = ty * m - l.pad_top;
    lane.x0 = tx * m - l.pad_left;
    lane.valid = true;
    lane.interior = lane.y0 >= 0 && lane.x0 >= 0 && lane.y0 + alpha <= l.in_h && lane.x0 + alpha <= l.in_w;
    return lane;
  }

  // d[(i * alpha + j) * kW + lane] = input patch element (i, j) of each lane's tile, channel c.
  static void gather(const WinogradLayer& l, const float* input, const InputLane* lanes, std::int64_t c, float* d) {
    const std::int64_t plane = l.in_h * l.in_w;
    for (std::int64_t q = 0; q < kW; ++q) {
      const InputLane& lane = lanes[q];
      float* dst = d + q;
      if (lane.interior) {
        const float* src = input + lane.image + c * plane + lane.y0 * l.in_w + lane.x0;
        for (int i = 0; i < alpha; ++i)
          for (int j = 0; j < alpha; ++j) dst[(i * alpha + j) * kW] = src[i * l.in_w + j];
        continue;
      }
      for (int i = 0; i < alpha; ++i) {
        const std::int64_t y = lane.y0 + i;
        if (!lane.valid || y < 0 || y >= l.in_h) {
          for (int j = 0; j < alpha; ++j) dst[(i * alpha + j) * kW] = 0.0f;
          continue;
        }
        const float* row = input + lane.image + c * plane + y * l.in_w;
        for (int j = 0; j < alpha; ++j) {
          const std::int64_t x = lane.x0 + j;
          dst[(i * alpha + j) * kW] = x >= 0 && x < l.in_w ? row[x] : 0.0f;
        }
      }
    }
  }

  // B^T d B of kW gathered patches; position t of lane q goes to out[t * out_stride + q].
  static void transform_input(const float* d, float* tmp, float* out, std::int64_t out_stride) {
    Batch x[alpha], y[alpha];
    for (int j = 0; j < alpha; ++j) {  // columns: tmp = B^T d
      for (int i = 0; i < alpha; ++i) x[i] = Batch::load_aligned(d + (i * alpha + j) * kW);
      F::input(x, y);
      for (int k = 0; k < alpha; ++k) y[k].store_aligned(tmp + (k * alpha + j) * kW);
    }
    for (int k = 0; k < alpha; ++k) {  // rows: (B^T d) B
      for (int j = 0; j < alpha; ++j) x[j] = Batch::load_aligned(tmp + (k * alpha + j) * kW);
      F::input(x, y);
      for (int q = 0; q < alpha; ++q) y[q].store_unaligned(out + (k * alpha + q) * out_stride);
    }
  }

  static void input(const WinogradLayer& l, const float* input, std::int64_t tile_begin, std::int64_t count,
                    float* v, std::int64_t v_stride, ChannelRange channels) {
    const std::int64_t n_pad = (count + kNr - 1) / kNr * kNr;
    const std::int64_t K = l.in_channels;
    alignas(64) float d[kPositions * kW];
    alignas(64) float tmp[kPositions * kW];
    InputLane lanes[kNr];
    for (std::int64_t p0 = 0; p0 < n_pad; p0 += kNr) {
      for (std::int64_t q = 0; q < kNr; ++q)
        lanes[q] = p0 + q < count ? input_lane(l, tile_begin + p0 + q) : InputLane{};
      for (std::int64_t c = channels.begin; c < channels.end; ++c) {
        // Both halves of the panel row, so that whole cache lines are written.
        for (std::int64_t half = 0; half < 2; ++half) {
          float* out = v + packed_index(c, p0 + half * kW, K, n_pad);
          if (p0 + half * kW >= count) {
            for (int t = 0; t < kPositions; ++t) Batch(0.0f).store_unaligned(out + t * v_stride);
            continue;
          }
          gather(l, input, lanes + half * kW, c, d);
          transform_input(d, tmp, out, v_stride);
        }
      }
    }
  }

  // A run of lanes whose tiles are neighbours in one tile row of one image:
  // their output rows are contiguous segments.
  struct Run {
    std::int64_t lane_begin = 0, lane_end = 0, image = 0, ty = 0, tx = 0;
  };

  static std::int64_t make_runs(const WinogradLayer& l, std::int64_t first_tile, std::int64_t lanes, Run* runs) {
    const std::int64_t per_image = l.tiles_h * l.tiles_w;
    std::int64_t n_runs = 0;
    for (std::int64_t q = 0; q < lanes;) {
      const std::int64_t tile = first_tile + q;
      Run r;
      r.image = tile / per_image;
      r.ty = tile % per_image / l.tiles_w;
      r.tx = tile % l.tiles_w;
      r.lane_begin = q;
      r.lane_end = std::min(lanes, q + l.tiles_w - r.tx);
      runs[n_runs++] = r;
      q = r.lane_end;
    }
    return n_runs;
  }

  // A^T M A for kW tiles of output channel o; y[(r * m + s) * kW + lane].
  static void transform_output(const float* src, std::int64_t stride, float* tmp, float* y) {
    Batch x[alpha], r[alpha];
    for (int j = 0; j < alpha; ++j) {  // columns: tmp = A^T M
      for (int i = 0; i < alpha; ++i) x[i] = Batch::load_unaligned(src + (i * alpha + j) * stride);
      F::output(x, r);
      for (int k = 0; k < m; ++k) r[k].store_aligned(tmp + (k * alpha + j) * kW);
    }
    for (int k = 0; k < m; ++k) {  // rows: (A^T M) A
      for (int j = 0; j < alpha; ++j) x[j] = Batch::load_aligned(tmp + (k * alpha + j) * kW);
      F::output(x, r);
      for (int s = 0; s < m; ++s) r[s].store_aligned(y + (k * m + s) * kW);
    }
  }

  static void output(const WinogradLayer& l, const float* gemm, std::int64_t gemm_stride, std::int64_t ldm,
                     std::int64_t tile_begin, std::int64_t count, const Epilogue& e, float* out,
                     ChannelRange channels) {
    alignas(64) float tmp[m * alpha * kW];
    alignas(64) float y[m * m * kW];
    Run runs[kW];
    const bool identity = epilogue_is_identity(e);
    // The GEMM wrote only the first `count` columns: a last partial vector
    // of tiles is copied into zeros first (no lanes of stale memory).
    alignas(64) float partial[alpha * alpha * kW];
    for (std::int64_t j0 = 0; j0 < count; j0 += kW) {
      const std::int64_t tiles = std::min(kW, count - j0);
      const std::int64_t n_runs = make_runs(l, tile_begin + j0, tiles, runs);
      for (std::int64_t o = channels.begin; o < channels.end; ++o) {
        if (tiles == kW) {
          transform_output(gemm + o * ldm + j0, gemm_stride, tmp, y);
        } else {
          std::fill(partial, partial + alpha * alpha * kW, 0.0f);
          for (int i = 0; i < alpha * alpha; ++i)
            std::copy_n(gemm + i * gemm_stride + o * ldm + j0, tiles, partial + i * kW);
          transform_output(partial, kW, tmp, y);
        }
        // Bias and activation are lane-wise: apply them on the vectors. A
        // residual is laid out like the output, so it is added after the
        // scatter, on contiguous row segments.
        if (!identity && !e.residual)
          for (int q = 0; q < m * m; ++q)
            apply_epilogue_simd(Batch::load_aligned(y + q * kW), e, o, nullptr).store_aligned(y + q * kW);
        for (std::int64_t ri = 0; ri < n_runs; ++ri) scatter(l, runs[ri], o, y, e, out);
      }
    }
  }

  // Interleaving the m vectors of one tile row (lane q of vector s is output
  // column q * m + s) into m * kW contiguous outputs: chunk j's lane i comes
  // from vector i % m, lane (j * kW + i) / m. One swizzle per vector and a
  // select per vector after the first, instead of m * kW scalar moves. Needs
  // m to divide kW: F(2x2) and F(4x4); F(6x6) scatters one float at a time.
  static constexpr bool kInterleaves = kW % m == 0;
  using Index = xsimd::batch<std::uint32_t, Arch>;
  using Mask = xsimd::batch_bool<float, Arch>;
  template <int kChunk>
  struct ChunkLane {
    static constexpr std::uint32_t get(std::size_t i, std::size_t n) {
      return static_cast<std::uint32_t>((kChunk * n + i) / m);
    }
  };
  template <int kVector>
  struct FromVector {
    static constexpr bool get(std::size_t i, std::size_t) { return static_cast<int>(i % m) == kVector; }
  };

  template <int kChunk, int... kVectors>
  static Batch interleaved_chunk(const float* ys, std::integer_sequence<int, 0, kVectors...>) {
    constexpr auto lanes = xsimd::make_batch_constant<Index, ChunkLane<kChunk>>();
    Batch v = xsimd::swizzle(Batch::load_aligned(ys), lanes);
    ((v = xsimd::select(Mask(xsimd::make_batch_bool_constant<Batch, FromVector<kVectors>>()),
                        xsimd::swizzle(Batch::load_aligned(ys + kVectors * kW), lanes), v)),
     ...);
    return v;
  }

  // ys: the m vectors of one tile row; dst: its m * kW output columns.
  template <int... kChunks>
  static void store_interleaved(const float* ys, float* dst, std::integer_sequence<int, kChunks...>) {
    (interleaved_chunk<kChunks>(ys, std::make_integer_sequence<int, m>()).store_unaligned(dst + kChunks * kW), ...);
  }

  static void scatter(const WinogradLayer& l, const Run& run, std::int64_t o, const float* y, const Epilogue& e,
                      float* out) {
    const std::int64_t rows = std::min<std::int64_t>(m, l.out_h - run.ty * m);
    const std::int64_t x_begin = run.tx * m;
    const std::int64_t x_end = std::min(l.out_w, (run.tx + run.lane_end - run.lane_begin) * m);
    const bool whole_vectors = run.lane_end - run.lane_begin == kW && x_end - x_begin == m * kW;
    for (std::int64_t r = 0; r < rows; ++r) {
      const std::int64_t row_offset = ((run.image * l.out_channels + o) * l.out_h + run.ty * m + r) * l.out_w;
      float* row = out + row_offset;
      if constexpr (kInterleaves) {
        if (whole_vectors) {
          store_interleaved(y + r * m * kW, row + x_begin, std::make_integer_sequence<int, m>());
          if (e.residual) apply_epilogue_row_simd<Batch>(row + x_begin, m * kW, e, o, e.residual + row_offset + x_begin);
          continue;
        }
      }
      for (std::int64_t q = run.lane_begin; q < run.lane_end; ++q) {
        const std::int64_t x0 = (run.tx + q - run.lane_begin) * m;
        const std::int64_t cols = std::min<std::int64_t>(m, l.out_w - x0);
        for (std::int64_t s = 0; s < cols; ++s) row[x0 + s] = y[(r * m + s) * kW + q];
      }
      if (e.residual)
        apply_epilogue_row_simd<Batch>(row + x_begin, x_end - x_begin, e, o, e.residual + row_offset + x_begin);
    }
  }
};

template <class Arch>
void input_transform(const WinogradLayer& l, const float* input, std::int64_t tile_begin, std::int64_t count,
                     float* v, std::int64_t v_stride, ChannelRange channels) {
  switch (l.m) {
    case 2: return Kernel<Arch, F2Ops>::input(l, input, tile_begin, count, v, v_stride, channels);
    case 4: return Kernel<Arch, F4Ops>::input(l, input, tile_begin, count, v, v_stride, channels);
    case 6: return Kernel<Arch, F6Ops>::input(l, input, tile_begin, count, v, v_stride, channels);
  }
}

template <class Arch>
void output_transform(const WinogradLayer& l, const float* gemm, std::int64_t gemm_stride, std::int64_t ldm,
                      std::int64_t tile_begin, std::int64_t count, const Epilogue& e, float* output,
                      ChannelRange channels) {
  switch (l.m) {
    case 2: return Kernel<Arch, F2Ops>::output(l, gemm, gemm_stride, ldm, tile_begin, count, e, output, channels);
    case 4: return Kernel<Arch, F4Ops>::output(l, gemm, gemm_stride, ldm, tile_begin, count, e, output, channels);
    case 6: return Kernel<Arch, F6Ops>::output(l, gemm, gemm_stride, ldm, tile_begin, count, e, output, channels);
  }
}

}  // namespace onnxrun::kernels::winograd
