#include "ops/reference/conv_transpose_reference.hpp"

#include <algorithm>

namespace onnxrun::reference {

void conv_transpose_reference(const ConvTransposeParams& p, const float* input, const float* weight, const float* bias,
                              float* output, std::int64_t task_begin, std::int64_t task_end) {
  const std::int64_t in_per_group = p.in_channels / p.groups;
  const std::int64_t out_per_group = p.out_channels / p.groups;
  const std::int64_t in_plane = p.in[0] * p.in[1] * p.in[2];
  const std::int64_t out_plane = p.out[0] * p.out[1] * p.out[2];
  const std::int64_t kernel_volume = p.kernel[0] * p.kernel[1] * p.kernel[2];

  // Each task owns one output plane and scatters into it alone, so the result
  // does not depend on how tasks are split among threads.
  for (std::int64_t task = task_begin; task < task_end; ++task) {
    const std::int64_t n = task / p.out_channels;
    const std::int64_t m = task % p.out_channels;
    const std::int64_t group = m / out_per_group;
    const std::int64_t m_in_group = m % out_per_group;
    float* out = output + task * out_plane;
    std::fill(out, out + out_plane, bias ? bias[m] : 0.0f);

    for (std::int64_t c = group * in_per_group; c < (group + 1) * in_per_group; ++c) {
      const float* in = input + (n * p.in_channels + c) * in_plane;
      const float* w = weight + (c * out_per_group + m_in_group) * kernel_volume;
      for (std::int64_t kd = 0; kd < p.kernel[0]; ++kd) {
        const std::int64_t shift_d = kd * p.dilation[0] - p.pad[0];
        std::int64_t id_first, id_last;
        valid_range(p.in[0], p.out[0], p.stride[0], shift_d, id_first, id_last);
        for (std::int64_t kh = 0; kh < p.kernel[1]; ++kh) {
          const std::int64_t shift_h = kh * p.dilation[1] - p.pad[1];
          std::int64_t ih_first, ih_last;
          valid_range(p.in[1], p.out[1], p.stride[1], shift_h, ih_first, ih_last);
          for (std::int64_t kw = 0; kw < p.kernel[2]; ++kw) {
            const std::int64_t shift_w = kw * p.dilation[2] - p.pad[2];
            std::int64_t iw_first, iw_last;
            valid_range(p.in[2], p.out[2], p.stride[2], shift_w, iw_first, iw_last);
            const float tap = w[(kd * p.kernel[1] + kh) * p.kernel[2] + kw];
            for (std::int64_t id = id_first; id <= id_last; ++id) {
              const std::int64_t od = id * p.stride[0] + shift_d;
              for (std::int64_t ih = ih_first; ih <= ih_last; ++ih) {
                const std::int64_t oh = ih * p.stride[1] + shift_h;
                const float* in_row = in + (id * p.in[1] + ih) * p.in[2];
                // Index arithmetic, not pointer arithmetic: the row's origin
                // may lie before the buffer when shift_w is negative.
                const std::int64_t out_row = (od * p.out[1] + oh) * p.out[2] + shift_w;
                for (std::int64_t iw = iw_first; iw <= iw_last; ++iw) out[out_row + iw * p.stride[2]] += tap * in_row[iw];
              }
            }
          }
        }
      }
    }
  }
}

}  // namespace onnxrun::reference
