#pragma once
// ConvTranspose's output-size rules, beside compute_spatial_geometry (whose
// rules are Conv's and pooling's): the output grows with the stride, and
// output_shape or auto_pad choose the pads rather than the other way round.
#include <cstdint>
#include <vector>

#include "ops/common/spatial_geometry.hpp"

namespace onnxrun {

struct ConvTransposeAttributes {
  SpatialAttributes spatial;                 // kernel_shape, strides, dilations, pads, auto_pad
  std::vector<std::int64_t> output_padding;  // extra size at the end of each spatial dim
  std::vector<std::int64_t> output_shape;    // spatial dims, or N, C and spatial dims; empty if absent
};

// Reads the attributes above, validating values but not yet lengths.
ConvTransposeAttributes read_conv_transpose_attributes(const InferContext& context);

// in[] is the input's spatial shape, out[] the output's; pad_begin/pad_end are
// the pads cropped off the full transposed-convolution result, and may be
// negative when output_shape asks for more than that result (the extra is
// filled with bias alone). Throws (naming the node) on bad lengths or values.
SpatialGeometry compute_conv_transpose_geometry(const InferContext& context, const Shape& input_spatial,
                                                const std::vector<std::int64_t>& kernel,
                                                const ConvTransposeAttributes& attributes);

}  // namespace onnxrun
