#include "ops/reference/matmul_reference.hpp"

#include <algorithm>

#include "ops/reference/gemm_reference.hpp"

namespace onnxrun::reference {

void matmul_reference(const MatMulParams& p, const float* A, const float* B, float* Y, std::int64_t row_begin,
                      std::int64_t row_end) {
  std::int64_t row = row_begin;
  while (row < row_end) {
    const std::int64_t batch = row / p.m;
    const std::int64_t first = row - batch * p.m;
    const std::int64_t last = std::min(p.m, row_end - batch * p.m);
    std::int64_t a_offset = 0, b_offset = 0, rest = batch;
    for (std::size_t d = p.batch_shape.size(); d-- > 0;) {
      const std::int64_t index = rest % p.batch_shape[d];
      rest /= p.batch_shape[d];
      a_offset += index * p.a_batch_strides[d];
      b_offset += index * p.b_batch_strides[d];
    }
    gemm_reference(false, false, p.m, p.n, p.k, 1.0f, A + a_offset, B + b_offset, 0.0f, Y + batch * p.m * p.n, first,
                   last);
    row = batch * p.m + last;
  }
}

}  // namespace onnxrun::reference
