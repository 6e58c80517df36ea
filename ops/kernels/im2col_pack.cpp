#include "ops/kernels/im2col_pack.hpp"

#include "ops/kernels/im2col_pack_variants.hpp"
#include "ops/kernels/isa.hpp"

namespace onnxrun::kernels {

// The active set's packer, whose panel width is the active SGEMM's
// (sgemm_nr()): both follow active_isa().
void im2col_pack_b(const float* input, const Im2colGeometry& g, std::int64_t col_begin, std::int64_t cols,
                   float* packed, std::int64_t k_begin, std::int64_t k_end) {
  switch (active_isa()) {
    case Isa::Sse2: return im2col_pack_b_sse2(input, g, col_begin, cols, packed, k_begin, k_end);
    case Isa::Avx2Fma: return im2col_pack_b_avx2(input, g, col_begin, cols, packed, k_begin, k_end);
    case Isa::Avx512: return im2col_pack_b_avx512(input, g, col_begin, cols, packed, k_begin, k_end);
  }
}

}  // namespace onnxrun::kernels
