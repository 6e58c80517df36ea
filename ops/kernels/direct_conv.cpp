#include "ops/kernels/direct_conv.hpp"

#include <algorithm>

#include "ops/kernels/direct_conv_variants.hpp"
#include "ops/kernels/isa.hpp"

namespace onnxrun::kernels {

namespace {

std::int64_t round_up(std::int64_t value, std::int64_t multiple) {
  return (value + multiple - 1) / multiple * multiple;
}
std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

}  // namespace

DirectConvLayout direct_conv_layout(const DirectConvShape& s) {
  DirectConvLayout layout;
  layout.rows = (s.out_h - 1) * s.stride_h + (s.kernel_h - 1) * s.dilation_h + 1;
  // The widest column tile reads up to the rounded-up output width, plus the
  // last tap's offset within its phase.
  layout.phase_width = round_up(s.out_w, kDirectColumnMultiple) + (s.kernel_w - 1) * s.dilation_w / s.stride_w;
  layout.image_floats = s.in_channels * layout.rows * s.stride_w * layout.phase_width;
  layout.blocks = ceil_div(s.out_channels, kDirectOcBlock);
  for (std::int64_t ky = 0; ky < s.kernel_h; ++ky)
    for (std::int64_t kx = 0; kx < s.kernel_w; ++kx) {
      const std::int64_t column = kx * s.dilation_w;
      layout.tap_offsets.push_back((ky * s.dilation_h * s.stride_w + column % s.stride_w) * layout.phase_width +
                                   column / s.stride_w);
    }
  return layout;
}

std::size_t direct_conv_packed_weight_floats(const DirectConvShape& s) {
  return static_cast<std::size_t>(ceil_div(s.out_channels, kDirectOcBlock) * kDirectOcBlock * s.in_channels *
                                  s.kernel_h * s.kernel_w);
}

void direct_conv_pack_weights(const DirectConvShape& s, const float* weights, float* packed) {
  const std::int64_t taps = s.kernel_h * s.kernel_w;
  const std::int64_t blocks = ceil_div(s.out_channels, kDirectOcBlock);
  for (std::int64_t b = 0; b < blocks; ++b)
    for (std::int64_t c = 0; c < s.in_channels; ++c)
      for (std::int64_t t = 0; t < taps; ++t)
        for (std::int64_t o = 0; o < kDirectOcBlock; ++o) {
          const std::int64_t oc = b * kDirectOcBlock + o;
          *packed++ = oc < s.out_channels ? weights[(oc * s.in_channels + c) * taps + t] : 0.0f;
        }
}

void direct_conv_pad_input(const DirectConvShape& s, const DirectConvLayout& layout, const float* image,
                           float* padded, std::int64_t channel_begin, std::int64_t channel_end) {
  const std::int64_t q = layout.phase_width, sw = s.stride_w;
  for (std::int64_t c = channel_begin; c < channel_end; ++c)
    for (std::int64_t r = 0; r < layout.rows; ++r) {
      const std::int64_t iy = r - s.pad_top;
      const float* src = iy >= 0 && iy < s.in_h ? image + (c * s.in_h + iy) * s.in_w : nullptr;
      for (std::int64_t p = 0; p < sw; ++p) {
        float* dst = padded + ((c * layout.rows + r) * sw + p) * q;
        if (!src) {
          std::fill(dst, dst + q, 0.0f);
          continue;
        }
        // Column j reads input column j * sw + p - pad_left: valid for j in [lo, hi).
        const std::int64_t first = p - s.pad_left;
        const std::int64_t lo = std::clamp<std::int64_t>(ceil_div(std::max<std::int64_t>(0, -first), sw), 0, q);
        const std::int64_t hi = std::clamp<std::int64_t>(first >= s.in_w ? 0 : ceil_div(s.in_w - first, sw), lo, q);
        std::fill(dst, dst + lo, 0.0f);
        if (sw == 1)
          std::copy(src + lo + first, src + hi + first, dst + lo);
        else
          for (std::int64_t j = lo; j < hi; ++j) dst[j] = src[j * sw + first];
        std::fill(dst + hi, dst + q, 0.0f);
      }
    }
}

void direct_conv(const DirectConvShape& shape, const DirectConvLayout& layout, const float* padded,
                 const float* packed_weights, const DirectConvOutput& output, const Epilogue& epilogue,
                 std::int64_t task_begin, std::int64_t task_end) {
  if (task_begin >= task_end || shape.out_w <= 0) return;
  switch (active_isa()) {
    case Isa::Sse2:
      return direct_conv_sse2(shape, layout, padded, packed_weights, output, epilogue, task_begin, task_end);
    case Isa::Avx2Fma:
      return direct_conv_avx2(shape, layout, padded, packed_weights, output, epilogue, task_begin, task_end);
    case Isa::Avx512:
      return direct_conv_avx512(shape, layout, padded, packed_weights, output, epilogue, task_begin, task_end);
  }
}

}  // namespace onnxrun::kernels
