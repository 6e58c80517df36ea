#pragma once
// One pair of entry points per instruction set, each defined in its own file
// compiled with that set's flags (nchwc_conv_sse2.cpp, _avx2.cpp,
// _avx512.cpp).
#include "ops/kernels/nchwc_conv.hpp"

namespace onnxrun::kernels {

// The signature of nchwc_conv and nchwc_depthwise_conv.
using NchwcConvEntry = void(const NchwcConvShape& shape, const float* input, const float* packed, float* output,
                            const Epilogue& epilogue, std::int64_t block_begin, std::int64_t block_end,
                            std::int64_t pixel_begin, std::int64_t pixel_end);

NchwcConvEntry nchwc_conv_sse2, nchwc_depthwise_conv_sse2;
NchwcConvEntry nchwc_conv_avx2, nchwc_depthwise_conv_avx2;
NchwcConvEntry nchwc_conv_avx512, nchwc_depthwise_conv_avx512;

}  // namespace onnxrun::kernels
