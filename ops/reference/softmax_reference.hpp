#pragma once
// Plain scalar Softmax and LogSoftmax over raw float buffers: the oracle for
// optimized kernels, and the fallback.
#include <cstdint>

namespace onnxrun::reference {

// The input seen as [outer, n, inner]; each lane (an outer and an inner index,
// lane = o * inner + i) is normalized over its n elements, `inner` apart.
// Lanes [lane_begin, lane_end). Numerically stable: the lane's max is
// subtracted before exp, so large inputs neither overflow nor lose the
// small terms; the sum accumulates in double. With `log`, y = x - max -
// log(sum(exp(x - max))). A lane holding NaN or +inf yields NaN, as in PyTorch.
void softmax_reference(const float* input, float* output, std::int64_t n, std::int64_t inner, bool log,
                       std::int64_t lane_begin, std::int64_t lane_end);

}  // namespace onnxrun::reference
