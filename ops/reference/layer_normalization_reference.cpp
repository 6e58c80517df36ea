#include "ops/reference/layer_normalization_reference.hpp"

#include <cmath>

namespace onnxrun::reference {

void layer_normalization_reference(const float* input, const float* scale, const float* bias, float* output,
                                   float* mean, float* inv_std_dev, std::int64_t size, float epsilon,
                                   std::int64_t row_begin, std::int64_t row_end) {
  for (std::int64_t row = row_begin; row < row_end; ++row) {
    const float* x = input + row * size;
    float* y = output + row * size;
    double sum = 0.0;
    for (std::int64_t i = 0; i < size; ++i) sum += x[i];
    // 0 / 0: NaN statistics for an empty row, without dividing by zero.
    const double m = size > 0 ? sum / static_cast<double>(size) : std::nan("");
    double squares = 0.0;
    for (std::int64_t i = 0; i < size; ++i) squares += (x[i] - m) * (x[i] - m);
    const double variance = size > 0 ? squares / static_cast<double>(size) : std::nan("");
    const double inv = 1.0 / std::sqrt(variance + static_cast<double>(epsilon));
    for (std::int64_t i = 0; i < size; ++i) {
      const double normalized = (x[i] - m) * inv;
      y[i] = static_cast<float>(normalized * scale[i] + (bias ? bias[i] : 0.0f));
    }
    if (mean) mean[row] = static_cast<float>(m);
    if (inv_std_dev) inv_std_dev[row] = static_cast<float>(inv);
  }
}

}  // namespace onnxrun::reference
