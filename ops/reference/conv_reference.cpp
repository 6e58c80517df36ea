#include "ops/reference/conv_reference.hpp"

#include <algorithm>

namespace onnxrun::reference {

void conv_reference(const ConvParams& p, const float* input, const float* weight, const float* bias, float* output,
                    std::int64_t task_begin, std::int64_t task_end) {
  const std::int64_t in_per_group = p.in_channels / p.groups;
  const std::int64_t out_per_group = p.out_channels / p.groups;
  const std::int64_t in_plane = p.in[0] * p.in[1] * p.in[2];
  const std::int64_t out_plane = p.out[0] * p.out[1] * p.out[2];
  const std::int64_t kernel_volume = p.kernel[0] * p.kernel[1] * p.kernel[2];

  for (std::int64_t task = task_begin; task < task_end; ++task) {
    const std::int64_t n = task / p.out_channels;
    const std::int64_t m = task % p.out_channels;
    const std::int64_t group = m / out_per_group;
    float* out = output + task * out_plane;
    std::fill(out, out + out_plane, bias ? bias[m] : 0.0f);

    for (std::int64_t c = 0; c < in_per_group; ++c) {
      const float* in = input + (n * p.in_channels + group * in_per_group + c) * in_plane;
      const float* w = weight + (m * in_per_group + c) * kernel_volume;
      for (std::int64_t kd = 0; kd < p.kernel[0]; ++kd) {
        std::int64_t od_first, od_last;
        valid_range(p.out[0], p.in[0], p.stride[0], kd * p.dilation[0] - p.pad[0], od_first, od_last);
        for (std::int64_t kh = 0; kh < p.kernel[1]; ++kh) {
          std::int64_t oh_first, oh_last;
          valid_range(p.out[1], p.in[1], p.stride[1], kh * p.dilation[1] - p.pad[1], oh_first, oh_last);
          for (std::int64_t kw = 0; kw < p.kernel[2]; ++kw) {
            std::int64_t ow_first, ow_last;
            valid_range(p.out[2], p.in[2], p.stride[2], kw * p.dilation[2] - p.pad[2], ow_first, ow_last);
            const float tap = w[(kd * p.kernel[1] + kh) * p.kernel[2] + kw];
            for (std::int64_t od = od_first; od <= od_last; ++od) {
              const std::int64_t id = od * p.stride[0] - p.pad[0] + kd * p.dilation[0];
              for (std::int64_t oh = oh_first; oh <= oh_last; ++oh) {
                const std::int64_t ih = oh * p.stride[1] - p.pad[1] + kh * p.dilation[1];
                // Index arithmetic, not pointer arithmetic: the row's origin may lie
                // before the buffer when the row starts in the padding.
                const std::int64_t row = (id * p.in[1] + ih) * p.in[2] - p.pad[2] + kw * p.dilation[2];
                float* out_row = out + (od * p.out[1] + oh) * p.out[2];
                for (std::int64_t ow = ow_first; ow <= ow_last; ++ow) out_row[ow] += tap * in[row + ow * p.stride[2]];
              }
            }
          }
        }
      }
    }
  }
}

}  // namespace onnxrun::reference
