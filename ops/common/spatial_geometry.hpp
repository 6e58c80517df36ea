#pragma once
// Geometry shared by Conv and the pooling ops: kernel, strides, dilations,
// pads and auto_pad over 1 to 3 spatial dims, and the output size they give.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "ops/reference/spatial_params.hpp"
#include "runtime/exec/op.hpp"

namespace onnxrun {

inline constexpr std::size_t kMaxSpatialRank = 3;

struct SpatialAttributes {
  std::vector<std::int64_t> kernel_shape;  // empty: take it from the weights (Conv)
  std::vector<std::int64_t> strides;
  std::vector<std::int64_t> dilations;
  std::vector<std::int64_t> pads;  // [begin_0, begin_1, ..., end_0, end_1, ...]
  std::string auto_pad = "NOTSET";
  bool ceil_mode = false;
};

// Reads kernel_shape, strides, dilations, pads, auto_pad (and ceil_mode when
// the op has it), validating values but not yet lengths.
SpatialAttributes read_spatial_attributes(const InferContext& context, bool has_ceil_mode);

// One spatial dim's attributes with the defaults filled in (stride and
// dilation 1, pads 0); the kernel, stride and dilation are positive, the pads
// are not negative.
struct SpatialDim {
  std::int64_t in = 1, kernel = 1, stride = 1, dilation = 1, pad_begin = 0, pad_end = 0;
  std::string where;  // " in spatial dim d (input spatial shape [...])", the tail of error messages
};

// Per spatial dim, outermost first; unused leading dims (for 1D and 2D) hold a
// size-1 input, kernel and output so that kernels can always loop over three.
struct SpatialGeometry {
  std::size_t rank = 0;
  std::array<std::int64_t, kMaxSpatialRank> in{1, 1, 1}, out{1, 1, 1}, kernel{1, 1, 1}, stride{1, 1, 1},
      dilation{1, 1, 1}, pad_begin{0, 0, 0}, pad_end{0, 0, 0};
  Shape output_spatial() const;
  reference::SpatialParams kernel_params() const;
  // Stores spatial dim d (of `rank`, counted from the outermost) and its output size.
  void set_dim(std::size_t d, const SpatialDim& dim, std::int64_t out_size);
};

// --- building blocks, shared with compute_conv_transpose_geometry ---

// Fails (naming the node) unless `values` is empty or holds `expected` entries.
void check_spatial_length(const InferContext& context, const Shape& input_spatial,
                          const std::vector<std::int64_t>& values, std::size_t expected, const char* name);

// Fails unless the input has 1 to 3 spatial dims and kernel, strides,
// dilations and pads have as many entries (pads twice as many).
void check_spatial_lengths(const InferContext& context, const Shape& input_spatial,
                           const std::vector<std::int64_t>& kernel, const SpatialAttributes& attributes);

// Spatial dim d of the attributes, checked as SpatialDim says; call after
// check_spatial_lengths.
SpatialDim read_spatial_dim(const InferContext& context, const Shape& input_spatial,
                            const std::vector<std::int64_t>& kernel, const SpatialAttributes& attributes, std::size_t d);

// input_spatial: the input's dims after N and C. Throws (naming the node) on
// lengths that disagree with the rank, non-positive strides or dilations,
// negative pads, or a kernel that does not fit in the padded input.
SpatialGeometry compute_spatial_geometry(const InferContext& context, const Shape& input_spatial,
                                         const std::vector<std::int64_t>& kernel, const SpatialAttributes& attributes);

}  // namespace onnxrun
