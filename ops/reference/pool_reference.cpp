#include "ops/reference/pool_reference.hpp"

#include <limits>

namespace onnxrun::reference {

void maxpool_reference(const PoolParams& p, const float* input, float* output, std::int64_t* indices,
                       bool column_major, std::int64_t task_begin, std::int64_t task_end) {
  const std::int64_t in_plane = p.in[0] * p.in[1] * p.in[2];
  const std::int64_t out_plane = p.out[0] * p.out[1] * p.out[2];
  for (std::int64_t task = task_begin; task < task_end; ++task) {
    const float* in = input + task * in_plane;
    float* out = output + task * out_plane;
    std::int64_t* out_indices = indices ? indices + task * out_plane : nullptr;
    for (std::int64_t od = 0; od < p.out[0]; ++od)
      for (std::int64_t oh = 0; oh < p.out[1]; ++oh)
        for (std::int64_t ow = 0; ow < p.out[2]; ++ow) {
          float best = -std::numeric_limits<float>::infinity();
          std::int64_t best_d = -1, best_h = 0, best_w = 0;
          for (std::int64_t kd = 0; kd < p.kernel[0]; ++kd) {
            const std::int64_t id = od * p.stride[0] - p.pad[0] + kd * p.dilation[0];
            if (id < 0 || id >= p.in[0]) continue;
            for (std::int64_t kh = 0; kh < p.kernel[1]; ++kh) {
              const std::int64_t ih = oh * p.stride[1] - p.pad[1] + kh * p.dilation[1];
              if (ih < 0 || ih >= p.in[1]) continue;
              for (std::int64_t kw = 0; kw < p.kernel[2]; ++kw) {
                const std::int64_t iw = ow * p.stride[2] - p.pad[2] + kw * p.dilation[2];
                if (iw < 0 || iw >= p.in[2]) continue;
                const float value = in[(id * p.in[1] + ih) * p.in[2] + iw];
                // The first NaN wins and stays, as in torch.max_pool.
                const bool nan_over_number = value != value && best == best;
                if (best_d < 0 || value > best || nan_over_number) {
                  best = value;
                  best_d = id;
                  best_h = ih;
                  best_w = iw;
                }
              }
            }
          }
          const std::int64_t o = (od * p.out[1] + oh) * p.out[2] + ow;
          out[o] = best;
          if (out_indices) {
            if (best_d < 0) {
              out_indices[o] = -1;
              continue;
            }
            const std::int64_t within = column_major ? best_w * p.in[0] * p.in[1] + best_h * p.in[0] + best_d
                                                     : (best_d * p.in[1] + best_h) * p.in[2] + best_w;
            out_indices[o] = task * in_plane + within;
          }
        }
  }
}

void global_average_pool_reference(const float* input, float* output, std::int64_t plane, std::int64_t task_begin,
                                   std::int64_t task_end) {
  for (std::int64_t task = task_begin; task < task_end; ++task) {
    const float* in = input + task * plane;
    // Accumulate in double: planes of 10^5 elements would lose float digits.
    double sum = 0.0;
    for (std::int64_t i = 0; i < plane; ++i) sum += in[i];
    output[task] = static_cast<float>(sum / static_cast<double>(plane));
  }
}

}  // namespace onnxrun::reference
