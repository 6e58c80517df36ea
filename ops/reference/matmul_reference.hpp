#pragma once
// Plain batched matrix multiply (numpy's matmul) on raw row-major float
// buffers, built on gemm_reference: the oracle for a batched SGEMM, and the
// fallback.
#include <cstdint>
#include <vector>

namespace onnxrun::reference {

struct MatMulParams {
  std::int64_t m = 1, n = 1, k = 1;
  // The broadcast batch dims of Y, and the element offset one step along each
  // takes in A and in B (0 where that operand is broadcast).
  std::vector<std::int64_t> batch_shape, a_batch_strides, b_batch_strides;
  std::int64_t batch_count = 1;  // product of batch_shape
};

// Y[b] = A[b] x B[b] (M x K times K x N) for the stacked output rows
// [row_begin, row_end) of Y seen as [batch_count * M, N]: a range may start
// and end inside any batch, so that callers can split rows and batches alike.
void matmul_reference(const MatMulParams& p, const float* A, const float* B, float* Y, std::int64_t row_begin,
                      std::int64_t row_end);

}  // namespace onnxrun::reference
