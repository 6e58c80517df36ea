// NCHW8c Winograd transforms for xsimd::sse2; this file is compiled with the matching -m flags.
#include "ops/kernels/winograd_nchwc_impl.hpp"
#include "ops/kernels/winograd_nchwc_variants.hpp"

namespace onnxrun::kernels {

void winograd_nchwc_input_sse2(const WinogradLayer& l, const float* input, std::int64_t tile_begin,
                              std::int64_t count, float* v, std::int64_t v_stride, ChannelRange blocks) {
  winograd_nchwc_input<xsimd::sse2>(l, input, tile_begin, count, v, v_stride, blocks);
}

void winograd_nchwc_output_sse2(const WinogradLayer& l, const float* gemm, std::int64_t gemm_stride,
                               std::int64_t tile_begin, std::int64_t count, const Epilogue& epilogue, float* output,
                               ChannelRange blocks) {
  winograd_nchwc_output<xsimd::sse2>(l, gemm, gemm_stride, tile_begin, count, epilogue, output, blocks);
}

}  // namespace onnxrun::kernels
