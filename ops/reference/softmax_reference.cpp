#include "ops/reference/softmax_reference.hpp"

#include <cmath>
#include <limits>

namespace onnxrun::reference {

void softmax_reference(const float* input, float* output, std::int64_t n, std::int64_t inner, bool log,
                       std::int64_t lane_begin, std::int64_t lane_end) {
  for (std::int64_t lane = lane_begin; lane < lane_end; ++lane) {
    const std::int64_t base = (lane / inner) * n * inner + lane % inner;
    const float* x = input + base;
    float* y = output + base;
    float max = -std::numeric_limits<float>::infinity();
    bool nan = false;
    for (std::int64_t k = 0; k < n; ++k) {
      const float v = x[k * inner];
      nan = nan || v != v;
      if (v > max) max = v;
    }
    if (nan) max = std::numeric_limits<float>::quiet_NaN();
    double sum = 0.0;
    for (std::int64_t k = 0; k < n; ++k) {
      const float e = std::exp(x[k * inner] - max);
      if (!log) y[k * inner] = e;
      sum += e;
    }
    if (log) {
      // (x - max) - log(sum), in PyTorch's order: x - (max + log(sum)) would
      // round the small log(sum) away against a large max.
      const float log_sum = static_cast<float>(std::log(sum));
      for (std::int64_t k = 0; k < n; ++k) y[k * inner] = (x[k * inner] - max) - log_sum;
    } else {
      const float scale = static_cast<float>(1.0 / sum);
      for (std::int64_t k = 0; k < n; ++k) y[k * inner] *= scale;
    }
  }
}

}  // namespace onnxrun::reference
