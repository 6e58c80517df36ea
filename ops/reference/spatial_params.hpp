#pragma once
// The spatial geometry that convolution and pooling kernels loop over. Arrays
// are outermost first and always three long: 1D and 2D ops leave size-1
// leading dims (input, kernel, output 1; pad 0).
#include <algorithm>
#include <cstdint>

namespace onnxrun::reference {

struct SpatialParams {
  std::int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, kernel[3] = {1, 1, 1};
  std::int64_t stride[3] = {1, 1, 1}, dilation[3] = {1, 1, 1}, pad[3] = {0, 0, 0};  // pad: begin side
};

// The positions p in [0, count) whose p * stride + shift lands in [0, size),
// as first..last inclusive (none when last < first). Convolution computes it
// once per kernel tap to keep bounds checks out of the innermost loop: over
// output positions reading the input (shift: tap offset - pad), or, for the
// transposed one, over input positions writing the output (shift may then be
// of either sign, or exceed size).
inline void valid_range(std::int64_t count, std::int64_t size, std::int64_t stride, std::int64_t shift,
                        std::int64_t& first, std::int64_t& last) {
  first = shift >= 0 ? 0 : (-shift + stride - 1) / stride;
  const std::int64_t reach = size - 1 - shift;  // the largest p * stride that stays inside
  last = reach < 0 ? -1 : std::min(count - 1, reach / stride);
}

}  // namespace onnxrun::reference
