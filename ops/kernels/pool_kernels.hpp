#pragma once
// Pooling kernels over NCHW float32 planes: 2D max and average pooling with
// dilation 1, vectorized along the output row, and the global pools. Each
// call runs the variant for active_isa(). Results match
// ops/reference/pool_reference.hpp (the max pool's without Indices) up to
// float rounding of the averages, NaN handling included.
#include <cstdint>

namespace onnxrun::kernels {

struct Pool2dGeometry {
  std::int64_t in_h = 1, in_w = 1, out_h = 1, out_w = 1;
  std::int64_t kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1;
  std::int64_t pad_top = 0, pad_left = 0;  // the end pads only show in out_h, out_w
  // Average pooling: with count_include_pad the divisor counts the taps in
  // [-pad, count_end) per dim (AveragePoolParams::count_end, >= the input
  // size); without it, the taps inside the input.
  bool count_include_pad = false;
  std::int64_t count_end_h = 1, count_end_w = 1;
  // Floats from one plane to the next; 0: in_h * in_w and out_h * out_w (the
  // planes of one tensor). Other strides pool a band of rows of each plane
  // (ops/conv/conv_max_pool.hpp) in one call.
  std::int64_t in_plane = 0, out_plane = 0;
  std::int64_t in_plane_stride() const { return in_plane > 0 ? in_plane : in_h * in_w; }
  std::int64_t out_plane_stride() const { return out_plane > 0 ? out_plane : out_h * out_w; }
};

// Whether maxpool2d and avgpool2d take this geometry: strides along W of 1 or
// 2 (read as contiguous or deinterleaved vectors), any kernel size, stride
// along H and padding.
bool pool2d_kernel_supports(const Pool2dGeometry& g);

// Max over each window, for planes [plane_begin, plane_end). A window in the
// padding only gives -inf; any NaN in a window gives NaN (as torch.max_pool2d).
void maxpool2d(const Pool2dGeometry& g, const float* input, float* output, std::int64_t plane_begin,
               std::int64_t plane_end);
// The same on NCHW8c tensors ([N, C/8, H, W, 8], nchwc_conv.hpp), for channel
// blocks [block_begin, block_end) (a block's plane of 8-float pixels in
// place of a plane); any stride (pool2d_kernel_supports does not apply).
void maxpool2d_nchwc(const Pool2dGeometry& g, const float* input, float* output, std::int64_t block_begin,
                     std::int64_t block_end);
// Mean over each window; a window with nothing to count gives NaN.
void avgpool2d(const Pool2dGeometry& g, const float* input, float* output, std::int64_t plane_begin,
               std::int64_t plane_end);

// Mean / max of each plane of `plane` (>= 1) values, planes [plane_begin,
// plane_end); output[p] for plane p. NaN wins the max, as in MaxPool.
void global_average_pool(const float* input, float* output, std::int64_t plane, std::int64_t plane_begin,
                         std::int64_t plane_end);
void global_max_pool(const float* input, float* output, std::int64_t plane, std::int64_t plane_begin,
                     std::int64_t plane_end);

}  // namespace onnxrun::kernels
