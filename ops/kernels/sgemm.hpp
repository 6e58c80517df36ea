#pragma once
// Packed single-precision GEMM: C[M, N] (+)= A[M, K] * B[K, N], both operands
// packed into register-tile panels first. The constant operand (weights) is
// packed once at load; the other at run time into a workspace.
//
// Packed layout, K split into blocks of kSgemmKc:
//   A: for each K block, for each panel of kSgemmMr rows: kc x kSgemmMr floats
//   B: for each K block, for each panel of nr columns:   kc x nr floats
// Edges are zero-padded, so the micro-kernel always computes a full tile.
#include <cstddef>
#include <cstdint>

#include "ops/kernels/epilogue.hpp"

namespace onnxrun::kernels {

inline constexpr std::int64_t kSgemmMr = 6;     // rows per register tile
inline constexpr std::int64_t kSgemmKc = 256;   // K block: an A panel and a B panel stay in L1
inline constexpr std::int64_t kSgemmMc = 96;    // rows per L2 block of A

// Columns per register tile on this machine's best instruction set (2 vectors).
std::int64_t sgemm_nr();
const char* sgemm_isa();

std::size_t sgemm_packed_a_floats(std::int64_t M, std::int64_t K);
std::size_t sgemm_packed_b_floats(std::int64_t K, std::int64_t N);

// A[i, k] = a[i * row_stride + k * col_stride] (transposed A: swap strides).
void sgemm_pack_a(const float* a, std::int64_t row_stride, std::int64_t col_stride, std::int64_t M, std::int64_t K,
                  float* packed);
// B[k, n] = b[k * row_stride + n * col_stride].
void sgemm_pack_b(const float* b, std::int64_t row_stride, std::int64_t col_stride, std::int64_t K, std::int64_t N,
                  float* packed);

// Computes the column panels [panel_begin, panel_end) of C (panel p covers
// columns [p * nr, (p + 1) * nr)), so that threads can split the work. The
// epilogue's row_bias is indexed by row of C, its residual laid out like C.
// A residual that is C itself means that C holds the residual on entry: the
// products are added to it (a residual block's output written over its
// input, Op::input_overwritten_by_output).
void sgemm_packed(std::int64_t M, std::int64_t N, std::int64_t K, const float* packed_a, const float* packed_b,
                  float* c, std::int64_t ldc, const Epilogue& epilogue, std::int64_t panel_begin,
                  std::int64_t panel_end);

// The same with B read in place: row-major K x N, `ldb` floats per row (a
// 1x1 convolution's input), no packing pass; only a partial last panel is
// copied. For a B that is used once per run, packing it costs as much as the
// panels' reuse saves.
void sgemm_rows_b(std::int64_t M, std::int64_t N, std::int64_t K, const float* packed_a, const float* b,
                  std::int64_t ldb, float* c, std::int64_t ldc, const Epilogue& epilogue, std::int64_t panel_begin,
                  std::int64_t panel_end);

}  // namespace onnxrun::kernels
