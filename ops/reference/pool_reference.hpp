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
// wins ties, as in PyTorch. A window entirely in padding yields -inf.
void maxpool_reference(const PoolParams& p, const float* input, float* output, std::int64_t* indices,
                       bool column_major, std::int64_t task_begin, std::int64_t task_end);

// Mean over each (n, c) plane of `plane` elements: planes [task_begin, task_end).
void global_average_pool_reference(const float* input, float* output, std::int64_t plane, std::int64_t task_begin,
                                   std::int64_t task_end);

}  // namespace onnxrun::reference
