#include "ops/kernels/winograd_nchwc.hpp"

#include "ops/kernels/isa.hpp"
#include "ops/kernels/nchwc_conv.hpp"
#include "ops/kernels/winograd_nchwc_variants.hpp"

namespace onnxrun::kernels {

void winograd_nchwc_input_transform(const WinogradLayer& l, const float* input, std::int64_t tile_begin,
                                    std::int64_t count, float* v, std::int64_t v_stride, ChannelRange blocks) {
  blocks = clamp_channel_range(blocks, l.in_channels / kNchwcBlock);
  if (active_isa() == Isa::Sse2) return winograd_nchwc_input_sse2(l, input, tile_begin, count, v, v_stride, blocks);
  winograd_nchwc_input_avx2(l, input, tile_begin, count, v, v_stride, blocks);
}

void winograd_nchwc_output_transform(const WinogradLayer& l, const float* gemm, std::int64_t gemm_stride,
                                     std::int64_t tile_begin, std::int64_t count, const Epilogue& epilogue,
                                     float* output, ChannelRange blocks) {
  blocks = clamp_channel_range(blocks, l.out_channels / kNchwcBlock);
  if (active_isa() == Isa::Sse2)
    return winograd_nchwc_output_sse2(l, gemm, gemm_stride, tile_begin, count, epilogue, output, blocks);
  winograd_nchwc_output_avx2(l, gemm, gemm_stride, tile_begin, count, epilogue, output, blocks);
}

}  // namespace onnxrun::kernels
