#pragma once
// One entry point per instruction set for each NCHW8c Winograd transform, each
// defined in its own file compiled with that set's flags. Same contracts as
// winograd_nchwc.hpp. No AVX-512 file: a block is 8 floats, one AVX2 vector,
// and AVX-512 machines run the AVX2 transforms (the GEMMs between them run
// at AVX-512 width).
#include "ops/kernels/winograd_nchwc.hpp"

namespace onnxrun::kernels {

void winograd_nchwc_input_sse2(const WinogradLayer&, const float*, std::int64_t, std::int64_t, float*, std::int64_t,
                               ChannelRange);
void winograd_nchwc_input_avx2(const WinogradLayer&, const float*, std::int64_t, std::int64_t, float*, std::int64_t,
                               ChannelRange);

void winograd_nchwc_output_sse2(const WinogradLayer&, const float*, std::int64_t, std::int64_t, std::int64_t,
                                const Epilogue&, float*, ChannelRange);
void winograd_nchwc_output_avx2(const WinogradLayer&, const float*, std::int64_t, std::int64_t, std::int64_t,
                                const Epilogue&, float*, ChannelRange);

}  // namespace onnxrun::kernels
