// Winograd transforms for xsimd::avx512f; this file is compiled with the matching -m flags.
#include "ops/kernels/winograd_impl.hpp"
#include "ops/kernels/winograd_variants.hpp"

namespace onnxrun::kernels {

void winograd_input_avx512(const WinogradLayer& l, const float* input, std::int64_t tile_begin, std::int64_t count,
                           float* v, std::int64_t v_stride, ChannelRange channels) {
  winograd::input_transform<xsimd::avx512f>(l, input, tile_begin, count, v, v_stride, channels);
}

void winograd_output_avx512(const WinogradLayer& l, const float* gemm, std::int64_t gemm_stride, std::int64_t ldm,
                            std::int64_t tile_begin, std::int64_t count, const Epilogue& epilogue, float* output,
                            ChannelRange channels) {
  winograd::output_transform<xsimd::avx512f>(l, gemm, gemm_stride, ldm, tile_begin, count, epilogue, output,
                                             channels);
}

}  // namespace onnxrun::kernels
