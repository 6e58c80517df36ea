#pragma once
// One entry point per instruction set for each Winograd transform, each
// defined in its own file compiled with that set's flags (winograd_sse2.cpp,
// winograd_avx2.cpp, winograd_avx512.cpp). Same contracts as winograd.hpp.
#include "ops/kernels/winograd.hpp"

namespace onnxrun::kernels {

void winograd_input_sse2(const WinogradLayer&, const float*, std::int64_t, std::int64_t, float*, std::int64_t,
                         ChannelRange);
void winograd_input_avx2(const WinogradLayer&, const float*, std::int64_t, std::int64_t, float*, std::int64_t,
                         ChannelRange);
void winograd_input_avx512(const WinogradLayer&, const float*, std::int64_t, std::int64_t, float*, std::int64_t,
                         ChannelRange);

void winograd_output_sse2(const WinogradLayer&, const float*, std::int64_t, std::int64_t, std::int64_t, std::int64_t,
                          const Epilogue&, float*, ChannelRange);
void winograd_output_avx2(const WinogradLayer&, const float*, std::int64_t, std::int64_t, std::int64_t, std::int64_t,
                          const Epilogue&, float*, ChannelRange);
void winograd_output_avx512(const WinogradLayer&, const float*, std::int64_t, std::int64_t, std::int64_t,
                            std::int64_t, const Epilogue&, float*, ChannelRange);

}  // namespace onnxrun::kernels
