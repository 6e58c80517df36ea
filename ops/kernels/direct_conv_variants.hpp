#pragma once
// One entry point per instruction set, each defined in its own file compiled
// with that set's flags (direct_conv_sse2.cpp, _avx2.cpp, _avx512.cpp).
#include "ops/kernels/direct_conv.hpp"

namespace onnxrun::kernels {

void direct_conv_sse2(const DirectConvShape&, const DirectConvLayout&, const float*, const float*,
                      const DirectConvOutput&, const Epilogue&, std::int64_t, std::int64_t);
void direct_conv_avx2(const DirectConvShape&, const DirectConvLayout&, const float*, const float*,
                      const DirectConvOutput&, const Epilogue&, std::int64_t, std::int64_t);
void direct_conv_avx512(const DirectConvShape&, const DirectConvLayout&, const float*, const float*,
                        const DirectConvOutput&, const Epilogue&, std::int64_t, std::int64_t);

}  // namespace onnxrun::kernels
