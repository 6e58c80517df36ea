#pragma once
// im2col_pack_b of each instruction set, each defined in its own file compiled
// with that set's flags (im2col_pack_sse2.cpp, im2col_pack_avx2.cpp,
// im2col_pack_avx512.cpp).
#include "ops/kernels/im2col_pack.hpp"

namespace onnxrun::kernels {

void im2col_pack_b_sse2(const float*, const Im2colGeometry&, std::int64_t, std::int64_t, float*, std::int64_t,
                        std::int64_t);
void im2col_pack_b_avx2(const float*, const Im2colGeometry&, std::int64_t, std::int64_t, float*, std::int64_t,
                        std::int64_t);
void im2col_pack_b_avx512(const float*, const Im2colGeometry&, std::int64_t, std::int64_t, float*, std::int64_t,
                          std::int64_t);

}  // namespace onnxrun::kernels
