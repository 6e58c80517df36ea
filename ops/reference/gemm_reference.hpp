#pragma once
// Plain scalar matrix multiply on raw row-major float buffers: the oracle for
// the packed SGEMM, and the fallback.
#include <cstdint>

namespace onnxrun::reference {

// Y[i, j] = alpha * sum_k op(A)[i, k] * op(B)[k, j] + beta * Y[i, j] for rows
// [row_begin, row_end) of the M x N result. op(A) is M x K (A is K x M when
// trans_a); op(B) is K x N (B is N x K when trans_b). beta == 0 ignores Y's old
// contents (NaN included), as BLAS does.
void gemm_reference(bool trans_a, bool trans_b, std::int64_t M, std::int64_t N, std::int64_t K, float alpha,
                    const float* A, const float* B, float beta, float* Y, std::int64_t row_begin,
                    std::int64_t row_end);

}  // namespace onnxrun::reference
