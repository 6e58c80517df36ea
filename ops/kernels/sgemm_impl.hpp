#pragma once
// The SGEMM micro-kernel and loop nest, written once over xsimd batches and
// instantiated per instruction set (sgemm_<isa>.cpp, each compiled with its
// own flags). Included only by those files.
#include <xsimd/xsimd.hpp>

#include <algorithm>

#include "ops/kernels/epilogue_simd.hpp"
#include "ops/kernels/simd_fma.hpp"
#include "ops/kernels/sgemm.hpp"

namespace onnxrun::kernels {

template <class Arch>
struct SgemmKernel {
  using Batch = xsimd::batch<float, Arch>;
  static constexpr std::int64_t kWidth = static_cast<std::int64_t>(Batch::size);
  static constexpr std::int64_t kNr = 2 * kWidth;
  static constexpr std::int64_t kMr = kSgemmMr;

  // Adds (accumulate) or writes one partial tile of C, applying the epilogue on
  // the last K block. `tile` holds the kMr x kNr sums, row-major.
  static void store_partial(const float* tile, float* c, std::int64_t ldc, std::int64_t rows, std::int64_t cols,
                            bool accumulate, bool last, const Epilogue& epilogue, std::int64_t row0,
                            const float* residual) {
    for (std::int64_t r = 0; r < rows; ++r) {
      float* row = c + r * ldc;
      for (std::int64_t j = 0; j < cols; ++j) row[j] = tile[r * kNr + j] + (accumulate ? row[j] : 0.0f);
      if (last) apply_epilogue_row(row, cols, epilogue, row0 + r, residual ? residual + r * ldc : nullptr);
    }
  }

  // The register tile: RP consecutive row panels of A (RP * kMr rows of C)
  // by V vectors of columns, kc steps of K. b_step: floats from one row of
  // the B panel to the next (kNr when packed). rows counts the tile's rows
  // inside M.
  //   1 x 2: the tile of AVX2, whose 16 registers hold 12 sums;
  //   2 x 2: AVX-512's (24 of its 32 registers): per step 2 loads of B and
  //          12 broadcasts of A feed 24 FMAs, against 2 and 6 for 12;
  //   2 x 1: a last column panel of at most kWidth columns (N = 49 at 7x7
  //          leaves one of 16), so that no FMA is spent on an empty vector.
  // Every path sums a C element's products in the order of k onto zero, so
  // its bits do not depend on the tile that computed it.
  // A's panels (the weights) come from L3 or memory the first time a call
  // reads them, when a model's weights outgrow L2 (ResNet's Winograd layers:
  // 16.7 MB per 7x7 layer), at ~10 GB/s on one core of the AVX-512 Xeon,
  // where its FMAs could take 24. The hardware prefetcher stops at each 4 KiB
  // page, so an asking tile (kAskA) asks for the line 8 KiB ahead into L2.
  // On the Xeon, with every tile asking, run medians at 1 thread against an
  // L1 prefetch 768 bytes ahead: ResNet-18 21.9 -> 19.1 ms, ResNet-50 55.9
  // -> 52.6, GoogLeNet 18.3 -> 16.7, SqueezeNet 5.37 -> 5.25; 4 KiB ahead:
  // ResNet-18 1.5 ms slower than 8; 16 KiB: no better; an L1 prefetch 3 KiB
  // ahead: slower.
  // Only the first column panel of an L2 block of A asks (loop_nest): the
  // later ones find the block in L2, and on the AVX2 EPYC (Zen 3) the
  // requests cost the 6 x 16 tile 10-16% with A in cache (in-process pairs,
  // M 96-1024, K 256-2048); without any, NCHW Winograd layers (one column
  // panel, A read once) took 1.1-1.24x as long. The asking tile asks every
  // k-step, though a line holds 2.7 of them: a parity test per step cost
  // more than the request. (This rule is measured on the EPYC only.)
  static constexpr std::int64_t kPrefetchFloats = 2048;
  // B read in place (a 1x1 convolution's input rows, sgemm_rows_b) steps a
  // whole image row per k, 12 KiB at 55x55: each k starts a new page, which
  // no hardware prefetcher follows, so the tile asks for B's row 8 k-steps
  // ahead into L1 (only rows inside this K block: beyond them a K = 16
  // layer's prefetches cost it 1.8x). Per layer, 1 thread: ResNet-50's
  // 56x56 1x1 layers 6.5 -> 6.1 ms in all, SqueezeNet's 128>16 squeeze
  // 0.16 -> 0.145 ms; the 28x28, 14x14 and 7x7 layers within noise.
  static constexpr std::int64_t kPrefetchRowsB = 8;
  template <int RP, int V, bool kBInPlace, bool kAskA>
  static void tile_kernel(std::int64_t kc, const float* a, const float* b, std::int64_t b_step, float* c,
                          std::int64_t ldc, std::int64_t rows, std::int64_t cols, bool accumulate, bool last,
                          const Epilogue& epilogue, std::int64_t row0, const float* residual) {
    constexpr int kRows = RP * static_cast<int>(kMr);
    const std::int64_t panel_step = kc * kMr;  // floats from one packed A panel to the next
    // What the store phase will read besides the sums: C itself (an earlier
    // K block's sums, or the residual C holds) and a separate residual. Its
    // rows are a plane apart, which no hardware prefetcher follows, and a
    // residual comes from layers back, out of L2: asked for now, it arrives
    // while the k loop runs.
    if (accumulate || (last && residual)) {
      const float* extra = accumulate ? c : residual;
#pragma GCC unroll 12
      for (int r = 0; r < kRows; ++r) {
        if (r >= rows) break;
#pragma GCC unroll 2
        for (int v = 0; v < V; ++v) __builtin_prefetch(extra + r * ldc + v * kWidth, 0, 3);
      }
    }
    Batch acc[kRows][V];
#pragma GCC unroll 12
    for (int r = 0; r < kRows; ++r)
#pragma GCC unroll 2
      for (int v = 0; v < V; ++v) acc[r][v] = Batch(0.0f);
    // Unrolled: the loop's own adds and branch would otherwise take a fifth
    // of the front end's slots next to the 1 x 2 tile's 12 FMAs and 8 loads.
    // One pointer per A panel, and packed B's step a constant (kBInPlace
    // false): with A's second panel as an offset computed per row, GCC kept
    // the offsets of the 2 x 2 tile in vector registers and moved three of
    // them back per k (vmovq, which issues on an FMA port).
    const float* a_rows[RP];
#pragma GCC unroll 2
    for (int q = 0; q < RP; ++q) a_rows[q] = a + q * panel_step;
    const std::int64_t step = kBInPlace ? b_step : kNr;
#pragma GCC unroll 4
    for (std::int64_t k = 0; k < kc; ++k) {
      if constexpr (kAskA) {
#pragma GCC unroll 2
        for (int q = 0; q < RP; ++q) __builtin_prefetch(a_rows[q] + kPrefetchFloats, 0, 1);
      }
      if constexpr (kBInPlace) {
        if (k + kPrefetchRowsB < kc) {
#pragma GCC unroll 2
          for (int v = 0; v < V; ++v) __builtin_prefetch(b + kPrefetchRowsB * step + v * kWidth, 0, 3);
        }
      }
      Batch bv[V];
#pragma GCC unroll 2
      for (int v = 0; v < V; ++v) bv[v] = Batch::load_unaligned(b + v * kWidth);
#pragma GCC unroll 12
      for (int r = 0; r < kRows; ++r) {
        const Batch ar(a_rows[r / kMr][r % kMr]);
#pragma GCC unroll 2
        for (int v = 0; v < V; ++v) acc[r][v] = fmadd(ar, bv[v], acc[r][v]);
      }
#pragma GCC unroll 2
      for (int q = 0; q < RP; ++q) a_rows[q] += kMr;
      b += step;
    }
    // Whole rows of the tile go through vectors, also in the last row panel
    // of an M that is not a multiple of kMr (MobileNet's 16 and 24 channels:
    // a third of their tiles); only a partial column panel takes the scalar path.
    if (cols == V * kWidth) {
      // The activation's switch is taken once per tile, outside the loop
      // over its rows (with_activation_simd), not once per vector.
      const auto store_rows = [&](auto activate) {
#pragma GCC unroll 12
        for (int r = 0; r < kRows; ++r) {
          if (r >= rows) break;
          float* row = c + r * ldc;
#pragma GCC unroll 2
          for (int v = 0; v < V; ++v) {
            Batch sum = acc[r][v];
            if (accumulate) sum += Batch::load_unaligned(row + v * kWidth);
            if (last) {
              if (epilogue.row_bias) sum += Batch(epilogue.row_bias[row0 + r]);
              if (residual) sum += Batch::load_unaligned(residual + r * ldc + v * kWidth);
              sum = activate(sum);
            }
            sum.store_unaligned(row + v * kWidth);
          }
        }
      };
      if (last)
        with_activation_simd<Batch>(epilogue.activation, store_rows);
      else
        store_rows([](Batch v) { return v; });
      return;
    }
    alignas(64) float tile[kRows * kNr];  // store_partial's layout: row r, column j at r * kNr + j
#pragma GCC unroll 12
    for (int r = 0; r < kRows; ++r)
#pragma GCC unroll 2
      for (int v = 0; v < V; ++v) acc[r][v].store_aligned(tile + r * kNr + v * kWidth);
    store_partial(tile, c, ldc, rows, cols, accumulate, last, epilogue, row0, residual);
  }

  using TileKernel = void(std::int64_t kc, const float* a, const float* b, std::int64_t b_step, float* c,
                          std::int64_t ldc, std::int64_t rows, std::int64_t cols, bool accumulate, bool last,
                          const Epilogue& epilogue, std::int64_t row0, const float* residual);

  // Tiles of two row panels by two vectors: 24 sums, for 32 vector registers.
  static constexpr bool kTwoPanelTiles = kWidth == 16;
  // The tile for vector_cols columns (of one or two vectors) and one or two
  // row panels, reading B packed or in place (b_step other than kNr), asking
  // for A's lines ahead or not.
  static constexpr TileKernel* choose_tile(std::int64_t vector_cols, bool two_panels, bool b_in_place, bool ask_a) {
    if (b_in_place) return ask_a ? choose_tile_for<true, true>(vector_cols, two_panels)
                                 : choose_tile_for<true, false>(vector_cols, two_panels);
    return ask_a ? choose_tile_for<false, true>(vector_cols, two_panels)
                 : choose_tile_for<false, false>(vector_cols, two_panels);
  }
  template <bool kBInPlace, bool kAskA>
  static constexpr TileKernel* choose_tile_for(std::int64_t vector_cols, bool two_panels) {
    if (vector_cols <= kWidth)
      return two_panels ? &tile_kernel<2, 1, kBInPlace, kAskA> : &tile_kernel<1, 1, kBInPlace, kAskA>;
    if constexpr (kTwoPanelTiles) {
      if (two_panels) return &tile_kernel<2, 2, kBInPlace, kAskA>;
    }
    return &tile_kernel<1, 2, kBInPlace, kAskA>;
  }

  // The last column panel when it has at most kMaxColumns columns (N = 49 at
  // 7x7 leaves one): vectors run down the rows instead, one vector per k
  // holding the panel's kMr rows of A (and, in the lanes past them, the next
  // k's, whose sums are dropped) times each column's broadcast B value.
  // tile_kernel<2, 1> spends 12 FMAs per k on 12 rows x 8 columns, here it
  // is one per column per 6 rows.
  static constexpr int kMaxColumns = 4;
  template <int C>
  static void micro_kernel_columns(std::int64_t kc, const float* a, const float* b, std::int64_t b_step, float* c,
                                   std::int64_t ldc, std::int64_t rows, bool accumulate, bool last,
                                   const Epilogue& epilogue, std::int64_t row0, const float* residual) {
    static_assert(kWidth >= kMr);
    // Consecutive k go to separate sums (kChains per column), so that the
    // FMAs do not wait on each other's latency.
    constexpr int kChains = C == 1 ? 4 : 2;
    Batch acc[C * kChains];
#pragma GCC unroll 8
    for (int i = 0; i < C * kChains; ++i) acc[i] = Batch(0.0f);
    const auto step = [&](const Batch& ak, int chain) {
#pragma GCC unroll 4
      for (int j = 0; j < C; ++j) acc[j * kChains + chain] = fmadd(ak, Batch(b[j]), acc[j * kChains + chain]);
      b += b_step;
    };
    // The vectors of the last k's would read past the panel (past the
    // buffer, for the last panel): one k on AVX2 (8 lanes, 6 rows), two on
    // AVX-512 (16 lanes). Their rows go through a zeroed copy.
    constexpr std::int64_t kTailSteps = (kWidth + kMr - 1) / kMr - 1;
    const std::int64_t tail = std::min<std::int64_t>(kc, kTailSteps), body = kc - tail;
    std::int64_t k = 0;
    for (; k + kChains <= body; k += kChains) {
#pragma GCC unroll 4
      for (int chain = 0; chain < kChains; ++chain) step(Batch::load_unaligned(a + (k + chain) * kMr), chain);
    }
    for (; k < body; ++k) step(Batch::load_unaligned(a + k * kMr), 0);
    alignas(64) float last_rows[kTailSteps * kMr + kWidth] = {};
    std::copy(a + body * kMr, a + kc * kMr, last_rows);
    for (; k < kc; ++k) step(Batch::load_unaligned(last_rows + (k - body) * kMr), 0);
    alignas(64) float sums[C * kWidth];
#pragma GCC unroll 4
    for (int j = 0; j < C; ++j) {
      Batch total = acc[j * kChains];
#pragma GCC unroll 4
      for (int chain = 1; chain < kChains; ++chain) total += acc[j * kChains + chain];
      total.store_aligned(sums + j * kWidth);
    }
    alignas(64) float tile[kMr * kNr];  // store_partial's layout: row r, column j at r * kNr + j
    for (std::int64_t r = 0; r < kMr; ++r)
      for (int j = 0; j < C; ++j) tile[r * kNr + j] = sums[j * kWidth + r];
    store_partial(tile, c, ldc, rows, C, accumulate, last, epilogue, row0, residual);
  }

  static void micro_kernel_columns(std::int64_t cols, std::int64_t kc, const float* a, const float* b,
                                   std::int64_t b_step, float* c, std::int64_t ldc, std::int64_t rows,
                                   bool accumulate, bool last, const Epilogue& epilogue, std::int64_t row0,
                                   const float* residual) {
    switch (cols) {
      case 1: return micro_kernel_columns<1>(kc, a, b, b_step, c, ldc, rows, accumulate, last, epilogue, row0, residual);
      case 2: return micro_kernel_columns<2>(kc, a, b, b_step, c, ldc, rows, accumulate, last, epilogue, row0, residual);
      case 3: return micro_kernel_columns<3>(kc, a, b, b_step, c, ldc, rows, accumulate, last, epilogue, row0, residual);
      default:
        return micro_kernel_columns<4>(kc, a, b, b_step, c, ldc, rows, accumulate, last, epilogue, row0, residual);
    }
  }

  // Of a column panel's cols columns, the leading ones that go through
  // vector tiles; the rest, at most kMaxColumns, go through
  // micro_kernel_columns. A last panel of one vector and a few columns
  // (N = 49 on AVX-512: 32 + 17) takes one vector and the column kernel,
  // not two vectors whose second one is nearly empty (15 of 16 columns).
  static constexpr std::int64_t vector_columns(std::int64_t cols) {
    if constexpr (kWidth < kMr) {
      return cols;  // SSE2: a vector does not hold a panel's rows, no column kernel
    } else {
      if (cols <= kMaxColumns) return 0;
      if (cols > kWidth && cols <= kWidth + kMaxColumns) return kWidth;
      return cols;
    }
  }

  // One row of C (M = 1: a batch-1 classifier head) over P consecutive
  // packed column panels of one K block. The 6-row micro-kernel would spend
  // five sixths of its FMAs on padding rows, and one panel alone would wait
  // on the FMA latency: P panels give 2P independent sums per step, and the
  // step is bound by the loads of B, the one operand that matters here.
  template <int P>
  static void single_row_panels(std::int64_t kc, const float* a, const float* b, std::int64_t N, std::int64_t p0,
                                float* c, bool accumulate, bool last, const Epilogue& epilogue,
                                const float* residual) {
    Batch acc[2 * P];
#pragma GCC unroll 8
    for (int i = 0; i < 2 * P; ++i) acc[i] = Batch(0.0f);
#pragma GCC unroll 2
    for (std::int64_t k = 0; k < kc; ++k) {
      const Batch ak(a[k * kMr]);
#pragma GCC unroll 4
      for (int q = 0; q < P; ++q) {
        const float* bq = b + (q * kc + k) * kNr;
        acc[2 * q] = fmadd(ak, Batch::load_unaligned(bq), acc[2 * q]);
        acc[2 * q + 1] = fmadd(ak, Batch::load_unaligned(bq + kWidth), acc[2 * q + 1]);
      }
    }
    for (int q = 0; q < P; ++q) {
      const std::int64_t col = (p0 + q) * kNr, cols = std::min(kNr, N - col);
      const float* res = residual ? residual + col : nullptr;
      if (cols == kNr) {
        Batch v0 = acc[2 * q], v1 = acc[2 * q + 1];
        if (accumulate) {
          v0 += Batch::load_unaligned(c + col);
          v1 += Batch::load_unaligned(c + col + kWidth);
        }
        if (last) {
          v0 = apply_epilogue_simd(v0, epilogue, 0, res);
          v1 = apply_epilogue_simd(v1, epilogue, 0, res ? res + kWidth : nullptr);
        }
        v0.store_unaligned(c + col);
        v1.store_unaligned(c + col + kWidth);
        continue;
      }
      alignas(64) float tile[kNr];
      acc[2 * q].store_aligned(tile);
      acc[2 * q + 1].store_aligned(tile + kWidth);
      store_partial(tile, c + col, 0, 1, cols, accumulate, last, epilogue, 0, res);
    }
  }

  // C = A B for M = 1 and packed B: panels four at a time, then one by one.
  static void single_row(std::int64_t N, std::int64_t K, const float* packed_a, const float* packed_b, float* c,
                         const Epilogue& epilogue, std::int64_t panel_begin, std::int64_t panel_end) {
    const std::int64_t n_panels = (N + kNr - 1) / kNr;
    panel_end = std::min(panel_end, n_panels);
    const bool in_c = c_holds_residual(epilogue, c);
    const float* residual = in_c ? nullptr : epilogue.residual;
    for (std::int64_t k0 = 0; k0 < K; k0 += kSgemmKc) {
      const std::int64_t kc = std::min(kSgemmKc, K - k0);
      const float* a = packed_a + k0 * kMr;
      const float* b = packed_b + k0 * n_panels * kNr;
      const bool accumulate = k0 > 0 || in_c, last = k0 + kc >= K;
      std::int64_t p = panel_begin;
      // Groups of four full panels; a partial last panel is split as
      // loop_nest splits it, so that a row gets the same bits whether it is
      // a call's only row (one thread's share of a row split) or one of many.
      for (const std::int64_t full_end = std::min(panel_end, N / kNr); p + 4 <= full_end; p += 4)
        single_row_panels<4>(kc, a, b + p * kc * kNr, N, p, c, accumulate, last, epilogue, residual);
      for (; p < panel_end; ++p) {
        const std::int64_t cols = std::min(kNr, N - p * kNr), vector_cols = vector_columns(cols);
        const float* b_panel = b + p * kc * kNr;
        if (vector_cols > 0)  // single_row_panels stops at its N: the panel's first vector_cols columns
          single_row_panels<1>(kc, a, b_panel, p * kNr + vector_cols, p, c, accumulate, last, epilogue, residual);
        if constexpr (kWidth >= kMr) {
          const std::int64_t at = p * kNr + vector_cols;
          if (vector_cols < cols)
            micro_kernel_columns(cols - vector_cols, kc, a, b_panel + vector_cols, kNr, c + at, 0, 1, accumulate, last,
                                 epilogue, 0, residual ? residual + at : nullptr);
        }
      }
    }
  }

  // An epilogue whose residual is C itself: C holds the residual already, and
  // the products are added to it from the first K block on (sgemm.hpp).
  static bool c_holds_residual(const Epilogue& epilogue, const float* c) {
    return epilogue.residual != nullptr && epilogue.residual == c;
  }

  // B as the loop nest reads it: packed panels (sgemm_pack_b), or a row-major
  // K x N matrix read in place, `ldb` floats per row.
  struct BOperand {
    const float* data = nullptr;
    std::int64_t ldb = 0;  // 0: packed
  };

  static void run(std::int64_t M, std::int64_t N, std::int64_t K, const float* packed_a, const float* packed_b,
                  float* c, std::int64_t ldc, const Epilogue& epilogue, std::int64_t panel_begin,
                  std::int64_t panel_end) {
    if (M == 1) return single_row(N, K, packed_a, packed_b, c, epilogue, panel_begin, panel_end);
    loop_nest(M, N, K, packed_a, BOperand{packed_b, 0}, c, ldc, epilogue, panel_begin, panel_end);
  }

  static void run_rows_b(std::int64_t M, std::int64_t N, std::int64_t K, const float* packed_a, const float* b,
                         std::int64_t ldb, float* c, std::int64_t ldc, const Epilogue& epilogue,
                         std::int64_t panel_begin, std::int64_t panel_end) {
    loop_nest(M, N, K, packed_a, BOperand{b, ldb}, c, ldc, epilogue, panel_begin, panel_end);
  }

  static void loop_nest(std::int64_t M, std::int64_t N, std::int64_t K, const float* packed_a, const BOperand& b,
                        float* c, std::int64_t ldc, const Epilogue& epilogue, std::int64_t panel_begin,
                        std::int64_t panel_end) {
    const std::int64_t m_panels = (M + kMr - 1) / kMr;
    const std::int64_t n_panels = (N + kNr - 1) / kNr;
    panel_end = std::min(panel_end, n_panels);
    const std::int64_t mc_panels = kSgemmMc / kMr;
    // Read in place, a partial last panel would load past the end of B's
    // rows (past the buffer on the last row): it is copied, zero-padded, here.
    alignas(64) float tail[kSgemmKc * kNr];
    const bool copy_tail = b.ldb > 0 && N % kNr != 0 && panel_end == n_panels;
    const bool in_c = c_holds_residual(epilogue, c);
    const float* residual = in_c ? nullptr : epilogue.residual;
    for (std::int64_t k0 = 0; k0 < K; k0 += kSgemmKc) {
      const std::int64_t kc = std::min(kSgemmKc, K - k0);
      const float* a_block = packed_a + k0 * m_panels * kMr;
      const bool accumulate = k0 > 0 || in_c;
      const bool last = k0 + kc >= K;
      if (copy_tail) {
        const std::int64_t first = (n_panels - 1) * kNr, cols = N - first;
        for (std::int64_t k = 0; k < kc; ++k) {
          const float* row = b.data + (k0 + k) * b.ldb + first;
          std::copy(row, row + cols, tail + k * kNr);
          std::fill(tail + k * kNr + cols, tail + (k + 1) * kNr, 0.0f);
        }
      }
      for (std::int64_t mb = 0; mb < m_panels; mb += mc_panels) {
        const std::int64_t mb_end = std::min(m_panels, mb + mc_panels);
        for (std::int64_t p = panel_begin; p < panel_end; ++p) {
          const std::int64_t cols = std::min(kNr, N - p * kNr);
          const float* b_panel = b.ldb == 0    ? b.data + k0 * n_panels * kNr + p * kc * kNr
                                 : cols < kNr ? tail
                                              : b.data + k0 * b.ldb + p * kNr;
          const std::int64_t b_step = b.ldb == 0 || cols < kNr ? kNr : b.ldb;
          for (std::int64_t mp = mb; mp < mb_end;) {
            const std::int64_t vector_cols = vector_columns(cols);
            // Two row panels at once where a second one is left in this
            // block: for one-vector tiles on every set, and for two-vector
            // tiles where 32 registers hold 24 sums.
            const bool two = mp + 1 < mb_end && vector_cols > 0 && (vector_cols <= kWidth || kTwoPanelTiles);
            const std::int64_t panels = two ? 2 : 1;
            const std::int64_t offset = mp * kMr * ldc + p * kNr;
            const float* a_panel = a_block + mp * kc * kMr;
            if (vector_cols > 0) {
              TileKernel* const tile = choose_tile(vector_cols, two, b_step != kNr, p == panel_begin);
              tile(kc, a_panel, b_panel, b_step, c + offset, ldc, std::min(panels * kMr, M - mp * kMr), vector_cols,
                   accumulate, last, epilogue, mp * kMr, residual ? residual + offset : nullptr);
            }
            if constexpr (kWidth >= kMr) {
              for (std::int64_t q = 0; q < panels && vector_cols < cols; ++q) {  // one row panel per call
                const std::int64_t at = offset + q * kMr * ldc + vector_cols;
                micro_kernel_columns(cols - vector_cols, kc, a_panel + q * kc * kMr, b_panel + vector_cols, b_step,
                                     c + at, ldc, std::min(kMr, M - (mp + q) * kMr), accumulate, last, epilogue,
                                     (mp + q) * kMr, residual ? residual + at : nullptr);
              }
            }
            mp += panels;
          }
        }
      }
    }
  }
};

}  // namespace onnxrun::kernels
