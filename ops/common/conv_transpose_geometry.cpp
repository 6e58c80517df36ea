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
  const std::size_t rank = input_spatial.size();
  if (rank < 1 || rank > kMaxSpatialRank)
    context.fail("supports 1 to 3 spatial dims, the input has " + std::to_string(rank));
  const std::string shape_note = " (input spatial shape " + shape_to_string(input_spatial) + ")";
  auto check_length = [&](const std::vector<std::int64_t>& values, std::size_t expected, const char* name) {
    if (!values.empty() && values.size() != expected)
      context.fail(std::string(name) + " " + shape_to_string(values) + " has " + std::to_string(values.size()) +
                   " values, expected " + std::to_string(expected) + " for " + std::to_string(rank) + " spatial dims" +
                   shape_note);
  };
  check_length(kernel, rank, "kernel_shape");
  check_length(spatial.strides, rank, "strides");
  check_length(spatial.dilations, rank, "dilations");
  check_length(spatial.pads, 2 * rank, "pads");
  check_length(attributes.output_padding, rank, "output_padding");
  // Older exporters write the whole output shape, N and C included.
  std::vector<std::int64_t> output_shape = attributes.output_shape;
  if (output_shape.size() == rank + 2) output_shape.erase(output_shape.begin(), output_shape.begin() + 2);
  check_length(output_shape, rank, "output_shape");

  const bool same = spatial.auto_pad == "SAME_UPPER" || spatial.auto_pad == "SAME_LOWER";
  SpatialGeometry geometry;
  geometry.rank = rank;
  const std::size_t lead = kMaxSpatialRank - rank;
  for (std::size_t d = 0; d < rank; ++d) {
    const std::int64_t in = input_spatial[d];
    const std::int64_t k = kernel[d];
    const std::int64_t stride = spatial.strides.empty() ? 1 : spatial.strides[d];
    const std::int64_t dilation = spatial.dilations.empty() ? 1 : spatial.dilations[d];
    const std::int64_t extra = attributes.output_padding.empty() ? 0 : attributes.output_padding[d];
    std::int64_t pad_begin = spatial.pads.empty() ? 0 : spatial.pads[d];
    std::int64_t pad_end = spatial.pads.empty() ? 0 : spatial.pads[d + rank];
    const std::string dim = " in spatial dim " + std::to_string(d) + shape_note;
    if (in < 1) context.fail("input spatial size " + std::to_string(in) + " is not positive" + dim);
    if (k < 1) context.fail("kernel_shape " + shape_to_string(kernel) + " has a non-positive size" + dim);
    if (stride < 1) context.fail("strides " + shape_to_string(spatial.strides) + " has a non-positive value" + dim);
    if (dilation < 1) context.fail("dilations " + shape_to_string(spatial.dilations) + " has a non-positive value" + dim);
    if (pad_begin < 0 || pad_end < 0) context.fail("pads " + shape_to_string(spatial.pads) + " has a negative value" + dim);
    // Guard the arithmetic below against hostile values near 2^63.
    constexpr std::int64_t kLimit = std::int64_t{1} << 30;
    if (in > kLimit || k > kLimit || stride > kLimit || dilation > kLimit || pad_begin > kLimit || pad_end > kLimit ||
        extra > kLimit || (!output_shape.empty() && output_shape[d] > kLimit))
      context.fail("spatial size, kernel, stride, dilation, pad or output size beyond 2^30" + dim);

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
                     ", kernel " + std::to_string(k) + ", dilation " + std::to_string(dilation) + ")" + dim);
    }
    geometry.in[lead + d] = in;
    geometry.out[lead + d] = out;
    geometry.kernel[lead + d] = k;
    geometry.stride[lead + d] = stride;
    geometry.dilation[lead + d] = dilation;
    geometry.pad_begin[lead + d] = pad_begin;
    geometry.pad_end[lead + d] = pad_end;
  }
  return geometry;
}

}  // namespace onnxrun
