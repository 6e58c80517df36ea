#pragma once
// Plain scalar pooling over raw NC[D][H]W float buffers: the oracle for the
// optimized pooling kernels, and the fallback.
#include <cstdint>

#include "ops/reference/spatial_params.hpp"

namespace onnxrun::reference {

struct PoolParams : SpatialParams {
  std::int64_t batch = 1, channels = 1;
};

// Max over each window, for planes [task_begin, task_end) of batch*channels.
// indices (may be null) receives ONNX MaxPool's Indices: the flat position of
// the maximum in the whole input, row-major, or with the spatial dims in
// column-major order when column_major (storage_order = 1). The first maximum
// wins ties, as in PyTorch. A window entirely in padding yields -inf (the
// lowest value for integers). T: float or uint8.
template <class T>
void maxpool_reference(const PoolParams& p, const T* input, T* output, std::int64_t* indices, bool column_major,
                       std::int64_t task_begin, std::int64_t task_end);

struct AveragePoolParams : PoolParams {
  bool count_include_pad = false;
  // Per dim, where counting stops when count_include_pad is set: taps at or
  // past count_end do not count toward the divisor even though the window
  // (under ceil_mode) reaches them. See AveragePoolOp for the two rules.
  std::int64_t count_end[3] = {1, 1, 1};
};

// Mean over each window, for planes [task_begin, task_end) of batch*channels.
// The divisor is the number of taps inside the input, or with
// count_include_pad the number inside [-pad, count_end) per dim. A window with
// nothing to count yields NaN (the mean of an empty set).
void averagepool_reference(const AveragePoolParams& p, const float* input, float* output, std::int64_t task_begin,
                           std::int64_t task_end);

// Mean over each (n, c) plane of `plane` elements: planes [task_begin, task_end).
void global_average_pool_reference(const float* input, float* output, std::int64_t plane, std::int64_t task_begin,
                                   std::int64_t task_end);

// Max over each (n, c) plane of `plane` (>= 1) elements; NaN wins, as in MaxPool.
void global_max_pool_reference(const float* input, float* output, std::int64_t plane, std::int64_t task_begin,
                               std::int64_t task_end);

}  // namespace onnxrun::reference
