#pragma once
// Plain scalar LayerNormalization over raw float buffers: the oracle for
// optimized kernels, and the fallback.
#include <cstdint>

namespace onnxrun::reference {

// Each of rows [row_begin, row_end) holds `size` contiguous elements:
// y = (x - mean) / sqrt(var + epsilon) * scale + bias, with the biased
// variance. scale holds `size` elements, and so does bias unless null; mean
// and inv_std_dev (each may be null) receive one value per row. Statistics are
// taken in double, two passes (mean, then squared deviations), so rows with a
// large mean keep their variance. A row of no elements has NaN statistics.
void layer_normalization_reference(const float* input, const float* scale, const float* bias, float* output,
                                   float* mean, float* inv_std_dev, std::int64_t size, float epsilon,
                                   std::int64_t row_begin, std::int64_t row_end);

}  // namespace onnxrun::reference
