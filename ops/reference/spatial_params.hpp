#pragma once
// The spatial geometry that convolution and pooling kernels loop over. Arrays
// are outermost first and always three long: 1D and 2D ops leave size-1
// leading dims (input, kernel, output 1; pad 0).
#include <cstdint>

namespace onnxrun::reference {

struct SpatialParams {
  std::int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, kernel[3] = {1, 1, 1};
  std::int64_t stride[3] = {1, 1, 1}, dilation[3] = {1, 1, 1}, pad[3] = {0, 0, 0};  // pad: begin side
};

}  // namespace onnxrun::reference
