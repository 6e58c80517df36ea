#include "ops/common/spatial_geometry.hpp"

namespace onnxrun {

namespace {

std::string list_to_string(const std::vector<std::int64_t>& values) { return shape_to_string(values); }

}  // namespace

SpatialAttributes read_spatial_attributes(const InferContext& context, bool has_ceil_mode) {
  SpatialAttributes attributes;
  attributes.kernel_shape = context.attr_ints("kernel_shape", {});
  attributes.strides = context.attr_ints("strides", {});
  attributes.dilations = context.attr_ints("dilations", {});
  attributes.pads = context.attr_ints("pads", {});
  attributes.auto_pad = context.attr_string("auto_pad", "NOTSET");
  if (has_ceil_mode) attributes.ceil_mode = context.attr_int("ceil_mode", 0) != 0;
  if (attributes.auto_pad != "NOTSET" && attributes.auto_pad != "SAME_UPPER" && attributes.auto_pad != "SAME_LOWER" &&
      attributes.auto_pad != "VALID")
    context.fail("auto_pad '" + attributes.auto_pad + "' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID");
  return attributes;
}

Shape SpatialGeometry::output_spatial() const {
  return Shape(out.begin() + static_cast<std::ptrdiff_t>(kMaxSpatialRank - rank), out.end());
}

reference::SpatialParams SpatialGeometry::kernel_params() const {
  reference::SpatialParams params;
  for (std::size_t d = 0; d < kMaxSpatialRank; ++d) {
    params.in[d] = in[d];
    params.out[d] = out[d];
    params.kernel[d] = kernel[d];
    params.stride[d] = stride[d];
    params.dilation[d] = dilation[d];
    params.pad[d] = pad_begin[d];
  }
  return params;
}

SpatialGeometry compute_spatial_geometry(const InferContext& context, const Shape& input_spatial,
                                         const std::vector<std::int64_t>& kernel, const SpatialAttributes& attributes) {
  const std::size_t rank = input_spatial.size();
  if (rank < 1 || rank > kMaxSpatialRank)
    context.fail("supports 1 to 3 spatial dims, the input has " + std::to_string(rank));
  auto check_length = [&](const std::vector<std::int64_t>& values, std::size_t expected, const char* name) {
    if (!values.empty() && values.size() != expected)
      context.fail(std::string(name) + " " + list_to_string(values) + " has " + std::to_string(values.size()) +
                   " values, expected " + std::to_string(expected) + " for " + std::to_string(rank) +
                   " spatial dims (input spatial shape " + shape_to_string(input_spatial) + ")");
  };
  check_length(kernel, rank, "kernel_shape");
  check_length(attributes.strides, rank, "strides");
  check_length(attributes.dilations, rank, "dilations");
  check_length(attributes.pads, 2 * rank, "pads");

  SpatialGeometry geometry;
  geometry.rank = rank;
  const std::size_t lead = kMaxSpatialRank - rank;
  for (std::size_t d = 0; d < rank; ++d) {
    const std::int64_t in = input_spatial[d];
    const std::int64_t k = kernel[d];
    const std::int64_t stride = attributes.strides.empty() ? 1 : attributes.strides[d];
    const std::int64_t dilation = attributes.dilations.empty() ? 1 : attributes.dilations[d];
    std::int64_t pad_begin = attributes.pads.empty() ? 0 : attributes.pads[d];
    std::int64_t pad_end = attributes.pads.empty() ? 0 : attributes.pads[d + rank];
    const std::string dim =
        " in spatial dim " + std::to_string(d) + " (input spatial shape " + shape_to_string(input_spatial) + ")";
    if (k < 1) context.fail("kernel_shape " + list_to_string(kernel) + " has a non-positive size" + dim);
    if (stride < 1) context.fail("strides " + list_to_string(attributes.strides) + " has a non-positive value" + dim);
    if (dilation < 1)
      context.fail("dilations " + list_to_string(attributes.dilations) + " has a non-positive value" + dim);
    if (pad_begin < 0 || pad_end < 0) context.fail("pads " + list_to_string(attributes.pads) + " has a negative value" + dim);
    // Guard the arithmetic below against hostile values near 2^63.
    constexpr std::int64_t kLimit = std::int64_t{1} << 40;
    if (in > kLimit || k > kLimit || stride > kLimit || dilation > kLimit || pad_begin > kLimit || pad_end > kLimit)
      context.fail("spatial size, kernel, stride, dilation or pad beyond 2^40" + dim);

    const std::int64_t span = dilation * (k - 1) + 1;  // the dilated kernel's extent
    std::int64_t out = 0;
    if (attributes.auto_pad == "SAME_UPPER" || attributes.auto_pad == "SAME_LOWER") {
      out = (in + stride - 1) / stride;
      const std::int64_t total = std::max<std::int64_t>(0, (out - 1) * stride + span - in);
      pad_begin = attributes.auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      pad_end = total - pad_begin;
    } else {
      if (attributes.auto_pad == "VALID") pad_begin = pad_end = 0;
      const std::int64_t padded = in + pad_begin + pad_end;
      if (padded < span)
        context.fail("kernel of extent " + std::to_string(span) + " (kernel " + std::to_string(k) + ", dilation " +
                     std::to_string(dilation) + ") is larger than the padded input " + std::to_string(padded) +
                     " (input " + std::to_string(in) + " + pads " + std::to_string(pad_begin) + "+" +
                     std::to_string(pad_end) + ")" + dim);
      if (attributes.ceil_mode) {
        out = (padded - span + stride - 1) / stride + 1;
        // As in PyTorch: the last window must start inside the input or the
        // begin padding, else it is dropped.
        if ((out - 1) * stride >= in + pad_begin) --out;
      } else {
        out = (padded - span) / stride + 1;
      }
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
