#include "ops/reference/pool_reference.hpp"

#include <algorithm>
#include <limits>
#include <type_traits>

namespace onnxrun::reference {

namespace {

template <class T> bool is_nan(T value) {
  if constexpr (std::is_floating_point_v<T>) return value != value;
  return false;
}

}  // namespace

template <class T>
void maxpool_reference(const PoolParams& p, const T* input, T* output, std::int64_t* indices, bool column_major,
                       std::int64_t task_begin, std::int64_t task_end) {
  const std::int64_t in_plane = p.in[0] * p.in[1] * p.in[2];
  const std::int64_t out_plane = p.out[0] * p.out[1] * p.out[2];
  for (std::int64_t task = task_begin; task < task_end; ++task) {
    const T* in = input + task * in_plane;
    T* out = output + task * out_plane;
    std::int64_t* out_indices = indices ? indices + task * out_plane : nullptr;
    for (std::int64_t od = 0; od < p.out[0]; ++od)
      for (std::int64_t oh = 0; oh < p.out[1]; ++oh)
        for (std::int64_t ow = 0; ow < p.out[2]; ++ow) {
          T best = std::numeric_limits<T>::has_infinity ? -std::numeric_limits<T>::infinity()
                                                         : std::numeric_limits<T>::lowest();
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
                const T value = in[(id * p.in[1] + ih) * p.in[2] + iw];
                // The first NaN wins and stays, as in torch.max_pool.
                const bool nan_over_number = is_nan(value) && !is_nan(best);
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

template void maxpool_reference<float>(const PoolParams&, const float*, float*, std::int64_t*, bool, std::int64_t,
                                       std::int64_t);
template void maxpool_reference<std::uint8_t>(const PoolParams&, const std::uint8_t*, std::uint8_t*, std::int64_t*,
                                              bool, std::int64_t, std::int64_t);

namespace {

// How many of the taps start, start + dilation, ... (kernel of them) lie below `limit`.
std::int64_t taps_below(std::int64_t start, std::int64_t limit, std::int64_t kernel, std::int64_t dilation) {
  if (start >= limit) return 0;
  return std::min(kernel, (limit - start - 1) / dilation + 1);
}

}  // namespace

void averagepool_reference(const AveragePoolParams& p, const float* input, float* output, std::int64_t task_begin,
                           std::int64_t task_end) {
  const std::int64_t in_plane = p.in[0] * p.in[1] * p.in[2];
  const std::int64_t out_plane = p.out[0] * p.out[1] * p.out[2];
  for (std::int64_t task = task_begin; task < task_end; ++task) {
    const float* in = input + task * in_plane;
    float* out = output + task * out_plane;
    for (std::int64_t od = 0; od < p.out[0]; ++od)
      for (std::int64_t oh = 0; oh < p.out[1]; ++oh)
        for (std::int64_t ow = 0; ow < p.out[2]; ++ow) {
          const std::int64_t start[3] = {od * p.stride[0] - p.pad[0], oh * p.stride[1] - p.pad[1],
                                         ow * p.stride[2] - p.pad[2]};
          // Double accumulation: the oracle should not lose digits on big windows.
          double sum = 0.0;
          std::int64_t inside = 0;
          for (std::int64_t kd = 0; kd < p.kernel[0]; ++kd) {
            const std::int64_t id = start[0] + kd * p.dilation[0];
            if (id < 0 || id >= p.in[0]) continue;
            for (std::int64_t kh = 0; kh < p.kernel[1]; ++kh) {
              const std::int64_t ih = start[1] + kh * p.dilation[1];
              if (ih < 0 || ih >= p.in[1]) continue;
              for (std::int64_t kw = 0; kw < p.kernel[2]; ++kw) {
                const std::int64_t iw = start[2] + kw * p.dilation[2];
                if (iw < 0 || iw >= p.in[2]) continue;
                sum += in[(id * p.in[1] + ih) * p.in[2] + iw];
                ++inside;
              }
            }
          }
          std::int64_t count = inside;
          if (p.count_include_pad) {
            // Windows start at or after -pad, so only the far end needs clipping.
            count = 1;
            for (int d = 0; d < 3; ++d) count *= taps_below(start[d], p.count_end[d], p.kernel[d], p.dilation[d]);
          }
          out[(od * p.out[1] + oh) * p.out[2] + ow] =
              count > 0 ? static_cast<float>(sum / static_cast<double>(count)) : std::numeric_limits<float>::quiet_NaN();
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

void global_max_pool_reference(const float* input, float* output, std::int64_t plane, std::int64_t task_begin,
                               std::int64_t task_end) {
  for (std::int64_t task = task_begin; task < task_end; ++task) {
    const float* in = input + task * plane;
    float best = in[0];
    for (std::int64_t i = 1; i < plane && best == best; ++i)
      if (in[i] > best || in[i] != in[i]) best = in[i];
    output[task] = best;
  }
}

}  // namespace onnxrun::reference
