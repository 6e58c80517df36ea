#include "ops/kernels/nchwc_conv.hpp"

#include <algorithm>

#include "ops/kernels/isa.hpp"
#include "ops/kernels/nchwc_conv_variants.hpp"

namespace onnxrun::kernels {

namespace {

constexpr std::int64_t kB = kNchwcBlock;

NchwcConvEntry* dense_entry(const NchwcConvShape& shape) {
  // Groups of 4 blocks are packed only where AVX-512 was active (and runs):
  // its kernel takes them even if the active set changed since.
  if (shape.group_blocks > 2) return nchwc_conv_avx512;
  switch (active_isa()) {
    case Isa::Sse2: return nchwc_conv_sse2;
    case Isa::Avx2Fma: return nchwc_conv_avx2;
    case Isa::Avx512: return nchwc_conv_avx512;
  }
  return nchwc_conv_sse2;
}

NchwcConvEntry* depthwise_entry() {
  switch (active_isa()) {
    case Isa::Sse2: return nchwc_depthwise_conv_sse2;
    case Isa::Avx2Fma: return nchwc_depthwise_conv_avx2;
    case Isa::Avx512: return nchwc_depthwise_conv_avx512;
  }
  return nchwc_depthwise_conv_sse2;
}

}  // namespace

const char* nchwc_conv_isa() { return isa_name(active_isa()); }

std::int64_t nchwc_group_blocks() { return active_isa() == Isa::Avx512 ? 4 : 2; }

std::int64_t nchwc_depthwise_task_blocks(const NchwcConvShape& s) {
  return active_isa() == Isa::Avx512 && nchwc_depthwise_block_pairs(s) ? 2 : 1;
}

namespace {

// Channels of one input block: 8, or all of an NCHW input's.
std::int64_t input_block_channels(const NchwcConvShape& s) {
  return s.nchw_in_channels > 0 ? s.nchw_in_channels : kB;
}

}  // namespace

std::int64_t nchwc_conv_packed_floats(const NchwcConvShape& s) {
  return s.out_blocks * s.in_blocks * s.kernel_h * s.kernel_w * input_block_channels(s) * kB;
}

void nchwc_conv_pack_weights(const NchwcConvShape& s, const float* weight, float* packed) {
  const std::int64_t taps = s.kernel_h * s.kernel_w, block_channels = input_block_channels(s);
  const std::int64_t in_channels = s.in_blocks * block_channels;
  for (std::int64_t first = 0, group = 0; first < s.out_blocks; first += group) {
    group = nchwc_group_at(s, first);
    for (std::int64_t ib = 0; ib < s.in_blocks; ++ib)
      for (std::int64_t tap = 0; tap < taps; ++tap)
        for (std::int64_t ic = 0; ic < block_channels; ++ic)
          for (std::int64_t ob = first; ob < first + group; ++ob)
            for (std::int64_t oc = 0; oc < kB; ++oc)
              *packed++ = weight[((ob * kB + oc) * in_channels + ib * block_channels + ic) * taps + tap];
  }
}

void nchwc_conv_scale_packed_weights(const NchwcConvShape& s, const float* packed, const float* channel_scale,
                                     std::int64_t block_begin, std::int64_t block_end, float* scaled) {
  const std::int64_t taps = s.kernel_h * s.kernel_w, block_channels = input_block_channels(s);
  const std::int64_t block_weights = s.in_blocks * taps * block_channels * kB;
  for (std::int64_t first = block_begin, group = 0; first < block_end; first += group) {
    group = nchwc_group_at(s, first);
    // A group's rows: (input block, tap, channel), each of its blocks' 8 outputs.
    const std::int64_t row = group * kB;
    const float* from = packed + first * block_weights;
    float* to = scaled + first * block_weights;
    for (std::int64_t ib = 0; ib < s.in_blocks; ++ib)
      for (std::int64_t tap = 0; tap < taps; ++tap)
        for (std::int64_t ic = 0; ic < block_channels; ++ic) {
          const float scale = channel_scale[ib * block_channels + ic];
          for (std::int64_t j = 0; j < row; ++j) to[j] = from[j] * scale;
          from += row;
          to += row;
        }
  }
}

void nchwc_block_sum(const float* block, std::int64_t begin, std::int64_t end, float* sums) {
  constexpr std::int64_t kChains = 4;
  // Lanes are independent: the compiler keeps each chain's 8 sums in a vector.
  float chain[kChains][kB] = {};
  std::int64_t p = begin;
  for (; p + kChains <= end; p += kChains)
    for (std::int64_t c = 0; c < kChains; ++c)
      for (std::int64_t lane = 0; lane < kB; ++lane) chain[c][lane] += block[(p + c) * kB + lane];
  for (; p < end; ++p)
    for (std::int64_t lane = 0; lane < kB; ++lane) chain[0][lane] += block[p * kB + lane];
  for (std::int64_t lane = 0; lane < kB; ++lane)
    sums[lane] = (chain[0][lane] + chain[1][lane]) + (chain[2][lane] + chain[3][lane]);
}

void nchwc_block_means(const float* blocks, std::int64_t plane, std::int64_t block_begin, std::int64_t block_end,
                       float* means) {
  const float scale = 1.0f / static_cast<float>(plane);
  for (std::int64_t b = block_begin; b < block_end; ++b) {
    float sums[kB];
    nchwc_block_sum(blocks + b * plane * kB, 0, plane, sums);
    for (std::int64_t lane = 0; lane < kB; ++lane) means[b * kB + lane] = sums[lane] * scale;
  }
}

std::int64_t nchwc_depthwise_packed_floats(const NchwcConvShape& s) {
  return s.out_blocks * s.kernel_h * s.kernel_w * kB;
}

void nchwc_depthwise_pack_weights(const NchwcConvShape& s, const float* weight, float* packed) {
  const std::int64_t taps = s.kernel_h * s.kernel_w;
  for (std::int64_t block = 0; block < s.out_blocks; ++block)
    for (std::int64_t tap = 0; tap < taps; ++tap)
      for (std::int64_t lane = 0; lane < kB; ++lane) *packed++ = weight[(block * kB + lane) * taps + tap];
}

void nchwc_conv(const NchwcConvShape& shape, const float* input, const float* packed, float* output,
                const Epilogue& epilogue, std::int64_t block_begin, std::int64_t block_end, std::int64_t pixel_begin,
                std::int64_t pixel_end) {
  if (block_begin >= block_end || pixel_begin >= pixel_end) return;
  dense_entry(shape)(shape, input, packed, output, epilogue, block_begin, block_end, pixel_begin, pixel_end);
}

void nchwc_depthwise_conv(const NchwcConvShape& shape, const float* input, const float* packed, float* output,
                          const Epilogue& epilogue, std::int64_t block_begin, std::int64_t block_end,
                          std::int64_t pixel_begin, std::int64_t pixel_end) {
  if (block_begin >= block_end || pixel_begin >= pixel_end) return;
  depthwise_entry()(shape, input, packed, output, epilogue, block_begin, block_end, pixel_begin, pixel_end);
}

}  // namespace onnxrun::kernels
