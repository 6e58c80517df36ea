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

void SpatialGeometry::set_dim(std::size_t d, const SpatialDim& dim, std::int64_t out_size) {
  const std::size_t at = kMaxSpatialRank - rank + d;
  in[at] = dim.in;
  out[at] = out_size;
  kernel[at] = dim.kernel;
  stride[at] = dim.stride;
  dilation[at] = dim.dilation;
  pad_begin[at] = dim.pad_begin;
  pad_end[at] = dim.pad_end;
}

void check_spatial_length(const InferContext& context, const Shape& input_spatial,
                          const std::vector<std::int64_t>& values, std::size_t expected, const char* name) {
  if (!values.empty() && values.size() != expected)
    context.fail(std::string(name) + " " + list_to_string(values) + " has " + std::to_string(values.size()) +
                 " values, expected " + std::to_string(expected) + " for " + std::to_string(input_spatial.size()) +
                 " spatial dims (input spatial shape " + shape_to_string(input_spatial) + ")");
}

void check_spatial_lengths(const InferContext& context, const Shape& input_spatial,
                           const std::vector<std::int64_t>& kernel, const SpatialAttributes& attributes) {
  const std::size_t rank = input_spatial.size();
  if (rank < 1 || rank > kMaxSpatialRank)
    context.fail("supports 1 to 3 spatial dims, the input has " + std::to_string(rank));
  check_spatial_length(context, input_spatial, kernel, rank, "kernel_shape");
  check_spatial_length(context, input_spatial, attributes.strides, rank, "strides");
  check_spatial_length(context, input_spatial, attributes.dilations, rank, "dilations");
  check_spatial_length(context, input_spatial, attributes.pads, 2 * rank, "pads");
}

SpatialDim read_spatial_dim(const InferContext& context, const Shape& input_spatial,
                            const std::vector<std::int64_t>& kernel, const SpatialAttributes& attributes, std::size_t d) {
  const std::size_t rank = input_spatial.size();
  SpatialDim dim;
  dim.in = input_spatial[d];
  dim.kernel = kernel[d];
  if (!attributes.strides.empty()) dim.stride = attributes.strides[d];
  if (!attributes.dilations.empty()) dim.dilation = attributes.dilations[d];
  if (!attributes.pads.empty()) {
    dim.pad_begin = attributes.pads[d];
    dim.pad_end = attributes.pads[d + rank];
  }
  dim.where = " in spatial dim " + std::to_string(d) + " (input spatial shape " + shape_to_string(input_spatial) + ")";
  if (dim.kernel < 1) context.fail("kernel_shape " + list_to_string(kernel) + " has a non-positive size" + dim.where);
  if (dim.stride < 1)
    context.fail("strides " + list_to_string(attributes.strides) + " has a non-positive value" + dim.where);
  if (dim.dilation < 1)
    context.fail("dilations " + list_to_string(attributes.dilations) + " has a non-positive value" + dim.where);
  if (dim.pad_begin < 0 || dim.pad_end < 0)
    context.fail("pads " + list_to_string(attributes.pads) + " has a negative value" + dim.where);
  return dim;
}

SpatialGeometry compute_spatial_geometry(const InferContext& context, const Shape& input_spatial,
                                         const std::vector<std::int64_t>& kernel, const SpatialAttributes& attributes) {
  check_spatial_lengths(context, input_spatial, kernel, attributes);
  SpatialGeometry geometry;
  geometry.rank = input_spatial.size();
  for (std::size_t d = 0; d < geometry.rank; ++d) {
    SpatialDim dim = read_spatial_dim(context, input_spatial, kernel, attributes, d);
    const std::int64_t in = dim.in, k = dim.kernel, stride = dim.stride, dilation = dim.dilation;
    std::int64_t& pad_begin = dim.pad_begin;  // auto_pad may replace the pads
    std::int64_t& pad_end = dim.pad_end;
    // Guard the arithmetic below against hostile values near 2^63.
    constexpr std::int64_t kLimit = std::int64_t{1} << 40;
    if (in > kLimit || k > kLimit || stride > kLimit || dilation > kLimit || pad_begin > kLimit || pad_end > kLimit)
      context.fail("spatial size, kernel, stride, dilation or pad beyond 2^40" + dim.where);

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
                     std::to_string(pad_end) + ")" + dim.where);
      if (attributes.ceil_mode) {
        out = (padded - span + stride - 1) / stride + 1;
        // As in PyTorch: the last window must start inside the input or the
        // begin padding, else it is dropped.
        if ((out - 1) * stride >= in + pad_begin) --out;
      } else {
        out = (padded - span) / stride + 1;
      }
    }
    geometry.set_dim(d, dim, out);
  }
  return geometry;
}

}  // namespace onnxrun
