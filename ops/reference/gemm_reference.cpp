#include "ops/reference/gemm_reference.hpp"

namespace onnxrun::reference {

void gemm_reference(bool trans_a, bool trans_b, std::int64_t M, std::int64_t N, std::int64_t K, float alpha,
                    const float* A, const float* B, float beta, float* Y, std::int64_t row_begin,
                    std::int64_t row_end) {
  for (std::int64_t i = row_begin; i < row_end; ++i) {
    float* y = Y + i * N;
    for (std::int64_t j = 0; j < N; ++j) y[j] = beta == 0.0f ? 0.0f : beta * y[j];
    if (trans_b && !trans_a) {
      // Both operands run along k: a dot product per output (nn.Linear's layout).
      const float* a = A + i * K;
      for (std::int64_t j = 0; j < N; ++j) {
        const float* b = B + j * K;
        float dot = 0.0f;
        for (std::int64_t k = 0; k < K; ++k) dot += a[k] * b[k];
        y[j] += alpha * dot;
      }
      continue;
    }
    for (std::int64_t k = 0; k < K; ++k) {
      const float a = alpha * (trans_a ? A[k * M + i] : A[i * K + k]);
      if (trans_b) {
        for (std::int64_t j = 0; j < N; ++j) y[j] += a * B[j * K + k];
      } else {
        const float* b = B + k * N;
        for (std::int64_t j = 0; j < N; ++j) y[j] += a * b[j];
      }
    }
  }
}

}  // namespace onnxrun::reference
