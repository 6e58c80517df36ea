#pragma once
// Plain scalar transposed convolution over raw NC[D][H]W float buffers: the
// oracle for later optimized ConvTranspose kernels, and the fallback.
#include <cstdint>

#include "ops/reference/spatial_params.hpp"

namespace onnxrun::reference {

// in[]: the input's spatial dims, out[]: the output's. Input position i with
// kernel tap k lands on output position i * stride - pad + k * dilation; pad
// may be negative (an output_shape larger than the full result).
struct ConvTransposeParams : SpatialParams {
  std::int64_t batch = 1, in_channels = 1, out_channels = 1, groups = 1;
};

// Computes output planes [task_begin, task_end) of the batch*out_channels
// planes. weight: [in_channels, out_channels/groups, kernel...]; bias: may be null.
void conv_transpose_reference(const ConvTransposeParams& p, const float* input, const float* weight, const float* bias,
                              float* output, std::int64_t task_begin, std::int64_t task_end);

}  // namespace onnxrun::reference
