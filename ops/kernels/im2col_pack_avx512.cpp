// im2col packing for xsimd::avx512f; this file is compiled with the matching -m flags.
#include "ops/kernels/im2col_pack_impl.hpp"
#include "ops/kernels/im2col_pack_variants.hpp"

namespace onnxrun::kernels {

void im2col_pack_b_avx512(const float* input, const Im2colGeometry& g, std::int64_t col_begin, std::int64_t cols,
                      float* packed, std::int64_t k_begin, std::int64_t k_end) {
  Im2colPacker<xsimd::avx512f>::pack(input, g, col_begin, cols, packed, k_begin, k_end);
}

}  // namespace onnxrun::kernels
