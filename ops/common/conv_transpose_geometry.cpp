#include "ops/common/conv_transpose_geometry.hpp"

#include <string>

namespace onnxrun {

namespace {

// Python's //: ONNX's reference splits a negative total padding with it, and
// its outputs are the conformance oracle.
std::int64_t floor_half(std::int64_t total) { return total >= 0 ? total / 2 : -((-total + 1) / 2); }

}  // namespace

ConvTransposeAttributes read_conv_transpose_attributes(const InferContext& context) {
  ConvTransposeAttributes attributes;
  attributes.spatial = read_spatial_attributes(context, false);
  attributes.output_padding = context.attr_ints("output_padding", {});
  attributes.output_shape = context.attr_ints("output_shape", {});
  for (std::int64_t p : attributes.output_padding)
    if (p < 0) context.fail("output_padding " + shape_to_string(attributes.output_padding) + " has a negative value");
  for (std::int64_t s : attributes.output_shape)
    if (s < 1) context.fail("output_shape " + shape_to_string(attributes.output_shape) + " has a non-positive value");
  return attributes;
}

SpatialGeometry compute_conv_transpose_geometry(const InferContext& context, const Shape& input_spatial,
                                                const std::vector<std::int64_t>& kernel,
                                                const ConvTransposeAttributes& attributes) {
  const SpatialAttributes& spatial = attributes.spatial;
  check_spatial_lengths(context, input_spatial, kernel, spatial);
  const std::size_t rank = input_spatial.size();
  check_spatial_length(context, input_spatial, attributes.output_padding, rank, "output_padding");
  // Older exporters write the whole output shape, N and C included.
  std::vector<std::int64_t> output_shape = attributes.output_shape;
  if (output_shape.size() == rank + 2) output_shape.erase(output_shape.begin(), output_shape.begin() + 2);
  check_spatial_length(context, input_spatial, output_shape, rank, "output_shape");

  const bool same = spatial.auto_pad == "SAME_UPPER" || spatial.auto_pad == "SAME_LOWER";
  SpatialGeometry geometry;
  geometry.rank = rank;
  for (std::size_t d = 0; d < rank; ++d) {
    SpatialDim dim = read_spatial_dim(context, input_spatial, kernel, spatial, d);
    const std::int64_t in = dim.in, k = dim.kernel, stride = dim.stride, dilation = dim.dilation;
    std::int64_t& pad_begin = dim.pad_begin;  // output_shape or auto_pad may replace the pads
    std::int64_t& pad_end = dim.pad_end;
    const std::int64_t extra = attributes.output_padding.empty() ? 0 : attributes.output_padding[d];
    if (in < 1) context.fail("input spatial size " + std::to_string(in) + " is not positive" + dim.where);
    // Guard the arithmetic below against hostile values near 2^63.
    constexpr std::int64_t kLimit = std::int64_t{1} << 30;
    if (in > kLimit || k > kLimit || stride > kLimit || dilation > kLimit || pad_begin > kLimit || pad_end > kLimit ||
        extra > kLimit || (!output_shape.empty() && output_shape[d] > kLimit))
      context.fail("spatial size, kernel, stride, dilation, pad or output size beyond 2^30" + dim.where);

    // The full result before any cropping: each input position spreads a
    // dilated kernel, stride apart.
    const std::int64_t full = stride * (in - 1) + extra + dilation * (k - 1) + 1;
    std::int64_t out = 0;
    if (!output_shape.empty() || same) {
      // ONNX: an explicit output_shape (or SAME's in * stride) fixes the size
      // and the pads follow; SAME_UPPER puts the odd pad at the end, every
      // other auto_pad at the beginning.
      out = !output_shape.empty() ? output_shape[d] : in * stride;
      const std::int64_t total = full - out;
      if (spatial.auto_pad == "SAME_UPPER") {
        pad_begin = floor_half(total);
        pad_end = total - pad_begin;
      } else {
        pad_end = floor_half(total);
        pad_begin = total - pad_end;
      }
    } else {
      if (spatial.auto_pad == "VALID") pad_begin = pad_end = 0;
      out = full - pad_begin - pad_end;
      if (out < 1)
        context.fail("pads " + std::to_string(pad_begin) + "+" + std::to_string(pad_end) + " crop away the whole output of " +
                     std::to_string(full) + " (input " + std::to_string(in) + ", stride " + std::to_string(stride) +
                     ", kernel " + std::to_string(k) + ", dilation " + std::to_string(dilation) + ")" + dim.where);
    }
    geometry.set_dim(d, dim, out);
  }
  return geometry;
}

}  // namespace onnxrun
