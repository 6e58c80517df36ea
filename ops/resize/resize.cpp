// Resize (opsets 10-19) and Upsample (7-9) on float32 tensors of any rank:
// nearest (four rounding modes), N-D linear and cubic (cubic_coeff_a,
// exclude_outside, antialias), every coordinate_transformation_mode, scales or
// sizes, axes and keep_aspect_ratio_policy.
//
// ONNX's text, its Python reference (which produced the conformance outputs)
// and ONNX Runtime disagree in corners. Output sizes are floor(in * scale) in
// float32, as ONNX's shape inference and ONNX Runtime compute them.
// align_corners and tf_crop_and_resize divide by the unfloored output width
// in * scale, as the reference and the conformance outputs do (ONNX Runtime
// and PyTorch use the floored size: they differ when in * scale is not whole).
// pytorch_half_pixel maps a lone output to 0, as the text and ONNX Runtime do.
#include "ops/resize/resize.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "ops/reference/resize_reference.hpp"
#include "runtime/exec/thread_pool.hpp"

namespace onnxrun {

namespace {

using reference::NearestRounding;
using reference::ResizeCoordinates;
using reference::ResizeMode;

std::int64_t element_count(const Shape& shape) {
  std::int64_t n = 1;
  for (std::int64_t d : shape) n *= d;
  return n;
}

std::string floats_to_string(const std::vector<double>& values) {
  std::ostringstream s;
  s << "[";
  for (std::size_t i = 0; i < values.size(); ++i) s << (i ? "," : "") << values[i];
  s << "]";
  return s.str();
}

// A float or double input (roi may be either) as doubles.
std::vector<double> read_reals(const InferContext& context, std::size_t index, const std::string& what) {
  const Tensor& t = context.constant_input(index, what);
  std::vector<double> values(static_cast<std::size_t>(t.element_count()));
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (t.dtype() == DType::Float32)
      values[i] = t.data_as<float>()[i];
    else if (t.dtype() == DType::Float64)
      values[i] = t.data_as<double>()[i];
    else
      context.fail(what + " (input " + std::to_string(index) + ") is " + dtype_name(t.dtype()) +
                   ", expected float32 or float64");
  }
  return values;
}

// An optional input counts as given only when present and non-empty: exporters
// pass an empty tensor for "no scales" (opsets 11-12 require the input).
bool given(const InferContext& context, std::size_t index) {
  return context.has_input(index) && element_count(context.input(index).shape) != 0;
}

ResizeMode read_mode(const InferContext& context, bool legacy) {
  const std::string mode = context.attr_string("mode", "nearest");
  if (mode == "nearest") return ResizeMode::Nearest;
  if (mode == "linear") return ResizeMode::Linear;
  if (mode == "cubic" && !legacy) return ResizeMode::Cubic;
  context.fail("mode '" + mode + "' is not one of " + (legacy ? "nearest, linear" : "nearest, linear, cubic"));
}

ResizeCoordinates read_coordinates(const InferContext& context, std::int64_t opset) {
  const std::string mode = context.attr_string("coordinate_transformation_mode", "half_pixel");
  if (mode == "half_pixel") return ResizeCoordinates::HalfPixel;
  if (mode == "pytorch_half_pixel") return ResizeCoordinates::PytorchHalfPixel;
  if (mode == "align_corners") return ResizeCoordinates::AlignCorners;
  if (mode == "asymmetric") return ResizeCoordinates::Asymmetric;
  if (mode == "tf_crop_and_resize") return ResizeCoordinates::TfCropAndResize;
  if (mode == "half_pixel_symmetric" && opset >= 19) return ResizeCoordinates::HalfPixelSymmetric;
  if (mode == "tf_half_pixel_for_nn" && opset < 13) return ResizeCoordinates::TfHalfPixelForNn;
  context.fail("coordinate_transformation_mode '" + mode + "' is not supported at opset " + std::to_string(opset));
}

NearestRounding read_rounding(const InferContext& context) {
  const std::string mode = context.attr_string("nearest_mode", "round_prefer_floor");
  if (mode == "round_prefer_floor") return NearestRounding::RoundPreferFloor;
  if (mode == "round_prefer_ceil") return NearestRounding::RoundPreferCeil;
  if (mode == "floor") return NearestRounding::Floor;
  if (mode == "ceil") return NearestRounding::Ceil;
  context.fail("nearest_mode '" + mode + "' is not one of round_prefer_floor, round_prefer_ceil, floor, ceil");
}

// Resize-18's axes, normalized; all axes when absent.
std::vector<std::size_t> read_axes(const InferContext& context, std::size_t rank, std::int64_t opset) {
  std::vector<std::size_t> axes;
  const std::vector<std::int64_t> given_axes = opset >= 18 ? context.attr_ints("axes", {}) : std::vector<std::int64_t>{};
  if (given_axes.empty()) {
    for (std::size_t d = 0; d < rank; ++d) axes.push_back(d);
    return axes;
  }
  const auto r = static_cast<std::int64_t>(rank);
  for (std::int64_t axis : given_axes) {
    if (axis < -r || axis >= r)
      context.fail("axes " + shape_to_string(given_axes) + " has " + std::to_string(axis) +
                   ", outside the range of input 0 of rank " + std::to_string(rank));
    const auto normalized = static_cast<std::size_t>(axis < 0 ? axis + r : axis);
    if (std::find(axes.begin(), axes.end(), normalized) != axes.end())
      context.fail("axes " + shape_to_string(given_axes) + " names axis " + std::to_string(normalized) + " twice");
    axes.push_back(normalized);
  }
  return axes;
}

class ResizeOp final : public Op {
 public:
  explicit ResizeOp(bool upsample) : upsample_(upsample) {}

  void infer(InferContext& context) override {
    const std::int64_t opset = context.node().opset;
    // Upsample and Resize-10 share one definition: asymmetric coordinates,
    // legacy nearest rounding, scales only.
    const bool legacy = upsample_ || opset < 11;
    if (upsample_)
      context.require_input_count(opset < 9 ? 1 : 2, opset < 9 ? 1 : 2);
    else
      context.require_input_count(legacy ? 2 : 1, legacy ? 2 : 4);
    context.require_dtype(0, DType::Float32);
    const Shape& x = context.input(0).shape;
    if (x.empty()) context.fail("input 0 is a scalar; there is nothing to resize");
    const std::size_t rank = x.size();
    if (rank > reference::kMaxResizeRank)
      context.fail("input 0 has shape " + shape_to_string(x) + "; ranks above " +
                   std::to_string(reference::kMaxResizeRank) + " are not supported");

    reference::ResizeFilter filter;
    filter.mode = read_mode(context, legacy);
    if (legacy) {
      filter.coordinates = ResizeCoordinates::Asymmetric;
      filter.rounding = NearestRounding::Legacy;
    } else {
      filter.coordinates = read_coordinates(context, opset);
      filter.rounding = read_rounding(context);
      filter.cubic_a = context.attr_float("cubic_coeff_a", -0.75f);
      filter.exclude_outside = context.attr_int("exclude_outside", 0) != 0;
      if (opset >= 18) filter.antialias = context.attr_int("antialias", 0) != 0;
      params_.extrapolation_value = context.attr_float("extrapolation_value", 0.0f);
    }
    const std::vector<std::size_t> axes = legacy ? read_axes(context, rank, 0) : read_axes(context, rank, opset);
    const std::string where = " for input 0 of shape " + shape_to_string(x) + " and " + std::to_string(axes.size()) +
                              " resized axes";

    std::vector<reference::ResizeAxis> resized(axes.size());
    for (std::size_t i = 0; i < axes.size(); ++i) resized[i].in = x[axes[i]];

    if (legacy || given(context, 2)) {
      if (!legacy && given(context, 3))
        context.fail("both scales (input 2, shape " + shape_to_string(context.input(2).shape) + ") and sizes (input 3, shape " +
                     shape_to_string(context.input(3).shape) + ") are given; exactly one may be");
      read_scales(context, legacy, opset, resized, where);
    } else if (given(context, 3)) {
      read_sizes(context, opset, resized, where);
    } else {
      context.fail("neither scales (input 2) nor sizes (input 3) is given" + where);
    }

    if (filter.coordinates == ResizeCoordinates::TfCropAndResize) {
      if (!given(context, 1)) context.fail("coordinate_transformation_mode tf_crop_and_resize needs roi (input 1)");
      const std::vector<double> roi = read_reals(context, 1, "roi");
      if (roi.size() != 2 * axes.size())
        context.fail("roi (input 1) " + floats_to_string(roi) + " has " + std::to_string(roi.size()) +
                     " values, expected " + std::to_string(2 * axes.size()) + where);
      for (std::size_t i = 0; i < axes.size(); ++i) {
        resized[i].roi_start = roi[i];
        resized[i].roi_end = roi[i + axes.size()];
      }
    }

    params_.axes.clear();
    for (std::size_t d = 0; d < rank; ++d) params_.axes.push_back(reference::identity_resize_table(x[d]));
    Shape y = x;
    std::int64_t total = 1;
    for (std::size_t i = 0; i < axes.size(); ++i) {
      const reference::ResizeAxis& a = resized[i];
      if (a.in == 0 && a.out > 0)
        context.fail("axis " + std::to_string(axes[i]) + " is empty and cannot be resized to " + std::to_string(a.out) + where);
      y[axes[i]] = a.out;
    }
    for (std::int64_t d : y) {
      // Guards the table sizes and the planner's arithmetic against hostile scales.
      if (d != 0 && total > (std::int64_t{1} << 40) / d)
        context.fail("output shape " + shape_to_string(y) + " has more than 2^40 elements" + where);
      total *= d;
    }
    for (std::size_t i = 0; i < axes.size(); ++i) params_.axes[axes[i]] = reference::make_resize_table(resized[i], filter);
    context.set_output(0, DType::Float32, y);
  }

  void run(const RunContext& context) const override {
    const std::int64_t rows = reference::resize_row_count(params_);
    const std::int64_t row_length = params_.axes.back().out;
    if (rows == 0 || row_length == 0) return;
    const float* x = context.input<float>(0);
    float* y = context.output<float>(0);
    // Rows of a few thousand multiply-adds are worth a hand-off to a worker.
    std::int64_t cost = row_length;
    for (const reference::ResizeTable& t : params_.axes) cost *= t.taps;
    const std::int64_t grain = std::max<std::int64_t>(1, 4096 / std::max<std::int64_t>(1, cost));
    context.pool->parallel_for(
        rows, [&](std::int64_t begin, std::int64_t end) { reference::resize_reference(params_, x, y, begin, end); },
        grain);
  }

 private:
  void read_scales(const InferContext& context, bool legacy, std::int64_t opset,
                   std::vector<reference::ResizeAxis>& resized, const std::string& where) const {
    std::vector<double> scales;
    const std::size_t index = legacy ? 1 : 2;
    if (upsample_ && opset < 9) {
      for (float s : context.node().attributes.get_floats("scales", {}, context.node().describe())) scales.push_back(s);
      if (scales.empty()) context.fail("attribute 'scales' is missing" + where);
    } else {
      context.require_dtype(index, DType::Float32);
      scales = read_reals(context, index, "scales");
    }
    const std::string name = upsample_ && opset < 9 ? "scales " : "scales (input " + std::to_string(index) + ") ";
    if (scales.size() != resized.size())
      context.fail(name + floats_to_string(scales) + " has " + std::to_string(scales.size()) + " values, expected " +
                   std::to_string(resized.size()) + where);
    for (std::size_t i = 0; i < resized.size(); ++i) {
      const double s = scales[i];
      if (!(s > 0.0) || !std::isfinite(s) || (upsample_ && s < 1.0))
        context.fail(name + floats_to_string(scales) + " has " + floats_to_string({s}) + "; scales must be " +
                     (upsample_ ? "at least 1" : "positive and finite") + where);
      reference::ResizeAxis& a = resized[i];
      // floor(in * scale) in float32, as ONNX's shape inference and ONNX
      // Runtime compute it (and so the output shapes models declare).
      const float product = static_cast<float>(a.in) * static_cast<float>(s);
      if (!(product < 9.0e18f)) context.fail(name + floats_to_string(scales) + " gives an output too large" + where);
      a.out = static_cast<std::int64_t>(std::floor(product));
      a.scale = s;
      a.out_width = s * static_cast<double>(a.in);
    }
  }

  void read_sizes(const InferContext& context, std::int64_t opset, std::vector<reference::ResizeAxis>& resized,
                  const std::string& where) const {
    context.require_dtype(3, DType::Int64);
    const Tensor& t = context.constant_input(3, "sizes");
    const std::vector<std::int64_t> sizes(t.data_as<std::int64_t>(), t.data_as<std::int64_t>() + t.element_count());
    if (sizes.size() != resized.size())
      context.fail("sizes (input 3) " + shape_to_string(sizes) + " has " + std::to_string(sizes.size()) +
                   " values, expected " + std::to_string(resized.size()) + where);
    for (std::int64_t s : sizes)
      if (s < 0) context.fail("sizes (input 3) " + shape_to_string(sizes) + " has a negative size" + where);

    const std::string policy = opset >= 18 ? context.attr_string("keep_aspect_ratio_policy", "stretch") : "stretch";
    if (policy == "stretch") {
      for (std::size_t i = 0; i < resized.size(); ++i) {
        reference::ResizeAxis& a = resized[i];
        a.out = sizes[i];
        a.scale = a.in == 0 ? 1.0 : static_cast<double>(a.out) / static_cast<double>(a.in);
        a.out_width = static_cast<double>(a.out);
      }
      return;
    }
    if (policy != "not_larger" && policy != "not_smaller")
      context.fail("keep_aspect_ratio_policy '" + policy + "' is not one of stretch, not_larger, not_smaller");
    // One scale for every resized axis, the smallest (the output fits inside
    // sizes) or the largest (it covers sizes); sizes are then rounded half up.
    double scale = policy == "not_larger" ? std::numeric_limits<double>::infinity() : 0.0;
    for (std::size_t i = 0; i < resized.size(); ++i) {
      if (resized[i].in == 0) context.fail("keep_aspect_ratio_policy cannot scale an empty axis" + where);
      const double s = static_cast<double>(sizes[i]) / static_cast<double>(resized[i].in);
      scale = policy == "not_larger" ? std::min(scale, s) : std::max(scale, s);
    }
    for (reference::ResizeAxis& a : resized) {
      a.scale = scale;
      a.out_width = scale * static_cast<double>(a.in);
      a.out = static_cast<std::int64_t>(a.out_width + 0.5);
      if (a.out == 0) context.fail("keep_aspect_ratio_policy " + policy + " gives an empty output" + where);
    }
  }

  bool upsample_;
  reference::ResizeParams params_;
};

}  // namespace

std::unique_ptr<Op> make_resize_op(const Node&) { return std::make_unique<ResizeOp>(false); }
std::unique_ptr<Op> make_upsample_op(const Node&) { return std::make_unique<ResizeOp>(true); }

}  // namespace onnxrun
