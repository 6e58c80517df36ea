#pragma once
// Plain scalar reductions (ReduceSum, ReduceMean, ReduceMax, ...) over raw
// buffers: the oracle for optimized reduction kernels, and the fallback.
#include <cstdint>
#include <vector>

namespace onnxrun::reference {

enum class ReduceKind { Sum, Mean, Max, Min, Prod, L1, L2, SumSquare, LogSum, LogSumExp };

// The input seen as kept dims (one output element per index, row-major) and
// reduced dims, each with its input stride in elements, outermost first.
// Either list may be empty: no kept dims gives one output, no reduced dims
// reduces each element alone.
struct ReduceParams {
  std::vector<std::int64_t> kept_sizes, kept_strides;
  std::vector<std::int64_t> reduced_sizes, reduced_strides;
  std::int64_t reduced_count = 1;  // product of reduced_sizes
};

// Output elements [begin, end). Reductions of an empty set give ONNX's
// identities: 0 (Sum, L1, L2, SumSquare), 1 (Prod), the lowest value (Max),
// the highest (Min), -inf (LogSum, LogSumExp) and NaN (Mean of floats).
// Floats accumulate in double, in row-major order of the reduced dims, so a
// result never depends on how outputs are split across threads. Integers wrap
// on overflow instead of being undefined. Max and Min propagate NaN.
//
// Types: float, double, int32, int64 for Sum, Mean, Prod, Max, Min; also
// uint8 and bool for Max and Min; float and double only for L1, L2,
// SumSquare, LogSum and LogSumExp. The Mean of an empty set of integers is
// undefined: callers must not ask for it.
template <class T>
void reduce_reference(ReduceKind kind, const ReduceParams& p, const T* input, T* output, std::int64_t begin,
                      std::int64_t end);

}  // namespace onnxrun::reference
