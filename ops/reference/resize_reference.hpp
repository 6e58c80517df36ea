#pragma once
// Plain scalar Resize / Upsample over a raw float tensor of any rank: the
// oracle for later SIMD resamplers, and the fallback.
//
// Resampling is separable: each axis gets a table saying, for every output
// position, which input positions contribute and with what weight. Building
// the tables (once, at load) holds all the coordinate-mode and filter logic;
// the run-time loop only gathers and multiplies.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace onnxrun::reference {

enum class ResizeMode : std::uint8_t { Nearest, Linear, Cubic };

// How an output coordinate maps back to an input coordinate (ONNX's
// coordinate_transformation_mode).
enum class ResizeCoordinates : std::uint8_t {
  HalfPixel,
  HalfPixelSymmetric,
  PytorchHalfPixel,
  AlignCorners,
  Asymmetric,
  TfHalfPixelForNn,  // opset 11 only
  TfCropAndResize,
};

// How "nearest" rounds a fractional input coordinate. Legacy is what Upsample
// and Resize-10 do (as in ONNX Runtime, their de facto definition): floor when
// the axis is upsampled, ceil when it is downsampled.
enum class NearestRounding : std::uint8_t { RoundPreferFloor, RoundPreferCeil, Floor, Ceil, Legacy };

struct ResizeFilter {
  ResizeMode mode = ResizeMode::Nearest;
  ResizeCoordinates coordinates = ResizeCoordinates::HalfPixel;
  NearestRounding rounding = NearestRounding::RoundPreferFloor;
  double cubic_a = -0.75;
  bool exclude_outside = false;
  bool antialias = false;  // linear and cubic only: widen the filter by 1/scale when downsampling
};

// One axis of the resize. `scale` is what the coordinate formulas divide by:
// the given scale, out/in for sizes, or the shared scale under
// keep_aspect_ratio_policy. `out_width` is scale * in before flooring (ONNX's
// output_width, which align_corners, tf_crop_and_resize and
// half_pixel_symmetric use as given), or exactly `out` when sizes gave it.
struct ResizeAxis {
  std::int64_t in = 1, out = 1;
  double scale = 1.0, out_width = 1.0;
  double roi_start = 0.0, roi_end = 1.0;  // tf_crop_and_resize only, normalized
};

// For output position o, taps [o * taps, (o + 1) * taps) give input indices
// (already clamped into [0, in), which is ONNX's edge padding) and weights.
// Positions with fewer real taps are padded with zero weights. outside[o] marks
// positions that tf_crop_and_resize maps outside the input.
struct ResizeTable {
  std::int64_t in = 1, out = 1, taps = 1;
  std::vector<std::int64_t> index;
  std::vector<float> weight;
  std::vector<std::uint8_t> outside;
  bool any_outside = false;
};

// The table an axis that is not resized gets: output o reads input o.
ResizeTable identity_resize_table(std::int64_t size);
// Throws std::invalid_argument only on sizes the caller should have rejected
// (in < 1 with out > 0).
ResizeTable make_resize_table(const ResizeAxis& axis, const ResizeFilter& filter);

// The kernel keeps per-dim state on the stack; callers reject higher ranks.
inline constexpr std::size_t kMaxResizeRank = 16;

struct ResizeParams {
  std::vector<ResizeTable> axes;  // one per dim of the input, outermost first
  float extrapolation_value = 0.0f;
};

// Work is split by output rows: every output element but the innermost dim.
std::int64_t resize_row_count(const ResizeParams& p);
// Computes output rows [row_begin, row_end). x and y are dense, C-ordered.
void resize_reference(const ResizeParams& p, const float* x, float* y, std::int64_t row_begin, std::int64_t row_end);

}  // namespace onnxrun::reference
