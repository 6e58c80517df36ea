#pragma once
// Packs columns of a convolution's im2col matrix straight into SGEMM B panels
// (the layout sgemm_pack_b writes), so that the im2col matrix itself is never
// materialized: each thread packs only the block of columns it multiplies.
//
// Row k of the im2col matrix is (channel, kd, kh, kw) in weight order; column j
// is the output position (od, oh, ow) in row-major order.
#include <cstdint>

namespace onnxrun::kernels {

struct Im2colGeometry {
  std::int64_t channels = 1;  // input channels feeding this GEMM (one group's)
  // Spatial sizes, 3 dims; unused leading dims are 1 (pads 0, strides 1).
  std::int64_t in[3] = {1, 1, 1}, out[3] = {1, 1, 1}, kernel[3] = {1, 1, 1};
  std::int64_t stride[3] = {1, 1, 1}, pad[3] = {0, 0, 0}, dilation[3] = {1, 1, 1};
};

// Packs im2col columns [col_begin, col_begin + cols) of one image's channels
// (input: [channels, in...]) into `packed` (sgemm_packed_b_floats(K, cols) floats,
// K = channels * kernel volume), for the active ISA's panel width. Only rows
// [k_begin, k_end) of it when given (k_begin a multiple of kSgemmKc, k_end
// one or K): their K blocks' part of `packed`, so that threads can share
// the packing of one B.
void im2col_pack_b(const float* input, const Im2colGeometry& g, std::int64_t col_begin, std::int64_t cols,
                   float* packed, std::int64_t k_begin = 0, std::int64_t k_end = -1);

}  // namespace onnxrun::kernels
