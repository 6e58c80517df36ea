#pragma once
// Plain scalar convolution over raw NC[D][H]W float buffers: the oracle that
// every optimized convolution kernel is checked against, and the fallback.
#include <cstdint>

#include "ops/reference/spatial_params.hpp"

namespace onnxrun::reference {

struct ConvParams : SpatialParams {
  std::int64_t batch = 1, in_channels = 1, out_channels = 1, groups = 1;
};

// Computes output planes [task_begin, task_end) of the batch*out_channels
// planes. weight: [out_channels, in_channels/groups, kernel...]; bias: may be null.
void conv_reference(const ConvParams& p, const float* input, const float* weight, const float* bias, float* output,
                    std::int64_t task_begin, std::int64_t task_end);

}  // namespace onnxrun::reference
