// Resize and Upsample against a naive oracle: a line-by-line port of ONNX's
// Python reference (onnx/reference/ops/op_resize.py), which produced the
// conformance outputs. It interpolates one output element at a time, nesting
// 1-D interpolations axis by axis, and picks neighbours by sorting distances,
// so it shares no code or shortcut with the table-driven kernel. Every case
// runs with 1 and 3 threads, which must agree bit for bit.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "onnxrun/session.hpp"
#include "tests/support/compare.hpp"
#include "tests/support/model_builder.hpp"
#include "tests/support/op_runner.hpp"
#include "tests/support/tensor_helpers.hpp"

using onnxrun::DType;
using onnxrun::Shape;
using onnxrun::Tensor;
using namespace onnxrun::testing;  // check_close, OpRunner, tensor_helpers.hpp

namespace {

// --- the case description, shared by the op under test and the oracle ---

struct ResizeCase {
  std::string mode = "nearest";
  std::string coordinates = "half_pixel";
  std::string nearest_mode = "round_prefer_floor";
  std::vector<float> scales{};  // exactly one of scales and sizes
  Ints sizes{};
  Ints axes{};
  std::string policy = "stretch";
  float cubic_a = -0.75f;
  bool exclude_outside = false;
  bool antialias = false;
  std::vector<float> roi{};
  float extrapolation = 0.0f;
  std::int64_t opset = 19;
};

std::string describe(const ResizeCase& c, const Shape& x) {
  std::ostringstream s;
  s << c.mode << "/" << c.coordinates;
  if (c.mode == "nearest") s << "/" << c.nearest_mode;
  s << " x" << onnxrun::shape_to_string(x);
  if (!c.scales.empty()) s << " scales";
  for (float v : c.scales) s << " " << v;
  if (!c.sizes.empty()) s << " sizes " << onnxrun::shape_to_string(c.sizes);
  if (!c.axes.empty()) s << " axes " << onnxrun::shape_to_string(c.axes) << " " << c.policy;
  if (c.antialias) s << " antialias";
  if (c.exclude_outside) s << " exclude_outside";
  return s.str();
}

OpRunner make_runner(const ResizeCase& c, const Tensor& x) {
  OpRunner runner("Resize", c.opset, "resize0");
  runner.attr_string("mode", c.mode).attr_string("coordinate_transformation_mode", c.coordinates);
  runner.attr_string("nearest_mode", c.nearest_mode).attr_float("cubic_coeff_a", c.cubic_a);
  if (c.exclude_outside) runner.attr_int("exclude_outside", 1);
  if (c.antialias) runner.attr_int("antialias", 1);
  if (!c.axes.empty()) runner.attr_ints("axes", c.axes);
  if (c.policy != "stretch") runner.attr_string("keep_aspect_ratio_policy", c.policy);
  if (c.extrapolation != 0.0f) runner.attr_float("extrapolation_value", c.extrapolation);
  runner.input(x);
  if (c.roi.empty())
    runner.missing_input();
  else
    runner.constant(Tensor::from_values<float>({static_cast<std::int64_t>(c.roi.size())}, c.roi));
  if (!c.scales.empty()) {
    runner.constant(Tensor::from_values<float>({static_cast<std::int64_t>(c.scales.size())}, c.scales));
  } else {
    runner.missing_input();
    runner.constant(Tensor::from_values<std::int64_t>({static_cast<std::int64_t>(c.sizes.size())}, c.sizes));
  }
  return runner;
}

// --- the oracle ---

struct Axis {
  double scale = 1, out_width = 1, roi_start = 0, roi_end = 1;
  std::int64_t out = 1;
};

// _interpolate_nd's preamble: scales, sizes, axes and the aspect-ratio policy
// turned into one scale and one output size per dim.
std::vector<Axis> naive_axes(const ResizeCase& c, const Shape& x) {
  const std::size_t r = x.size();
  Ints axes = c.axes;
  for (std::int64_t& axis : axes)
    if (axis < 0) axis += static_cast<std::int64_t>(r);
  if (axes.empty())
    for (std::size_t d = 0; d < r; ++d) axes.push_back(static_cast<std::int64_t>(d));
  std::vector<Axis> result(r);
  for (std::size_t d = 0; d < r; ++d) result[d].out = x[d], result[d].out_width = static_cast<double>(x[d]);
  double common = c.policy == "not_larger" ? 1e300 : 0.0;
  for (std::size_t i = 0; i < axes.size(); ++i) {
    Axis& a = result[static_cast<std::size_t>(axes[i])];
    const double in = static_cast<double>(x[static_cast<std::size_t>(axes[i])]);
    if (!c.roi.empty()) a.roi_start = c.roi[i], a.roi_end = c.roi[i + axes.size()];
    if (!c.scales.empty()) {
      a.scale = c.scales[i];
      a.out = static_cast<std::int64_t>(std::floor(static_cast<float>(in) * c.scales[i]));
      a.out_width = a.scale * in;
    } else {
      a.scale = static_cast<double>(c.sizes[i]) / in;
      a.out = c.sizes[i];
      a.out_width = static_cast<double>(c.sizes[i]);
      common = c.policy == "not_larger" ? std::min(common, a.scale) : std::max(common, a.scale);
    }
  }
  if (c.policy != "stretch")
    for (std::int64_t axis : axes) {
      Axis& a = result[static_cast<std::size_t>(axis)];
      a.scale = common;
      a.out_width = common * static_cast<double>(x[static_cast<std::size_t>(axis)]);
      a.out = static_cast<std::int64_t>(a.out_width + 0.5);
    }
  return result;
}

std::vector<double> coefficients(const ResizeCase& c, double ratio, double scale, bool integral) {
  const double A = c.cubic_a;
  if (c.mode == "nearest") {
    if (integral) return {0, 1};
    if (c.nearest_mode == "round_prefer_floor") return {ratio <= 0.5 ? 1.0 : 0.0, ratio > 0.5 ? 1.0 : 0.0};
    if (c.nearest_mode == "round_prefer_ceil") return {ratio < 0.5 ? 1.0 : 0.0, ratio >= 0.5 ? 1.0 : 0.0};
    if (c.nearest_mode == "floor") return {1, 0};
    return {0, 1};
  }
  std::vector<double> coeffs;
  if (!c.antialias) {
    if (c.mode == "linear") return {1 - ratio, ratio};
    return {((A * (ratio + 1) - 5 * A) * (ratio + 1) + 8 * A) * (ratio + 1) - 4 * A,
            ((A + 2) * ratio - (A + 3)) * ratio * ratio + 1,
            ((A + 2) * (1 - ratio) - (A + 3)) * (1 - ratio) * (1 - ratio) + 1,
            ((A * ((1 - ratio) + 1) - 5 * A) * ((1 - ratio) + 1) + 8 * A) * ((1 - ratio) + 1) - 4 * A};
  }
  scale = std::min(scale, 1.0);
  if (c.mode == "linear") {
    const auto start = static_cast<std::int64_t>(std::floor(-1 / scale) + 1);
    for (std::int64_t i = start; i < start + 2 - 2 * start; ++i)
      coeffs.push_back(std::clamp(1 - std::abs((static_cast<double>(i) - ratio) * scale), 0.0, 1.0));
  } else {
    const auto start = static_cast<std::int64_t>(std::floor(-2 / scale) + 1);
    for (std::int64_t i = start; i < 2 - start; ++i) {
      const double v = std::abs(scale * (static_cast<double>(i) - ratio));
      coeffs.push_back(v <= 1 ? (A + 2) * v * v * v - (A + 3) * v * v + 1
                              : v < 2 ? A * v * v * v - 5 * A * v * v + 8 * A * v - 4 * A : 0.0);
    }
  }
  double sum = 0;
  for (double v : coeffs) sum += v;
  for (double& v : coeffs) v /= sum;
  return coeffs;
}

// _interpolate_1d_with_x.
double interpolate_1d(const ResizeCase& c, const std::vector<double>& data, const Axis& a, std::int64_t x) {
  const double in = static_cast<double>(data.size()), xd = static_cast<double>(x);
  double x_ori = 0;
  const std::string& mode = c.opset < 11 ? std::string("asymmetric") : c.coordinates;
  if (mode == "align_corners") x_ori = a.out_width == 1 ? 0 : xd * (in - 1) / (a.out_width - 1);
  else if (mode == "asymmetric") x_ori = xd / a.scale;
  // ONNX's text here (0 for one output); its reference has -0.5 and tests out_width.
  else if (mode == "pytorch_half_pixel") x_ori = a.out > 1 ? (xd + 0.5) / a.scale - 0.5 : 0;
  else if (mode == "half_pixel") x_ori = (xd + 0.5) / a.scale - 0.5;
  else if (mode == "tf_half_pixel_for_nn") x_ori = (xd + 0.5) / a.scale;
  else if (mode == "half_pixel_symmetric") {
    const double adjustment = static_cast<double>(a.out) / a.out_width;
    x_ori = in / 2 * (1 - adjustment) + (xd + 0.5) / a.scale - 0.5;
  } else if (mode == "tf_crop_and_resize") {
    x_ori = a.out_width == 1 ? (a.roi_end - a.roi_start) * (in - 1) / 2
                             : xd * (a.roi_end - a.roi_start) * (in - 1) / (a.out_width - 1);
    x_ori += a.roi_start * (in - 1);
    if (x_ori < 0 || x_ori > in - 1) return c.extrapolation;
  }
  if (c.opset < 11 && c.mode == "nearest") {  // Upsample and Resize-10: floor up, ceil down
    const double picked = a.scale < 1 ? std::ceil(x_ori) : std::floor(x_ori);
    return data[static_cast<std::size_t>(std::clamp<double>(picked, 0, in - 1))];
  }
  const bool integral = std::floor(x_ori) == x_ori;
  const double ratio = integral ? 1.0 : x_ori - std::floor(x_ori);
  std::vector<double> coeffs = coefficients(c, ratio, a.scale, integral);
  const auto n = static_cast<std::int64_t>(coeffs.size());
  // _get_neighbor: edge-pad by ceil(n/2), take the n nearest indices (ties to
  // the smaller), in ascending order.
  const std::int64_t pad = (n + 1) / 2;
  std::vector<std::int64_t> idx;
  for (std::int64_t i = 0; i < static_cast<std::int64_t>(data.size()) + 2 * pad; ++i) idx.push_back(i);
  const double centre = x_ori + static_cast<double>(pad);
  std::stable_sort(idx.begin(), idx.end(), [&](std::int64_t p, std::int64_t q) {
    return std::abs(centre - static_cast<double>(p)) < std::abs(centre - static_cast<double>(q));
  });
  idx.resize(static_cast<std::size_t>(n));
  std::sort(idx.begin(), idx.end());
  if (c.exclude_outside) {
    double sum = 0;
    for (std::int64_t k = 0; k < n; ++k) {
      const std::int64_t original = idx[static_cast<std::size_t>(k)] - pad;
      if (original < 0 || original >= static_cast<std::int64_t>(data.size())) coeffs[static_cast<std::size_t>(k)] = 0;
      sum += coeffs[static_cast<std::size_t>(k)];
    }
    for (double& v : coeffs) v /= sum;
  }
  double result = 0;
  for (std::int64_t k = 0; k < n; ++k) {
    const std::int64_t original =
        std::clamp<std::int64_t>(idx[static_cast<std::size_t>(k)] - pad, 0, static_cast<std::int64_t>(data.size()) - 1);
    result += coeffs[static_cast<std::size_t>(k)] * data[static_cast<std::size_t>(original)];
  }
  return result;
}

// _interpolate_nd_with_x: innermost axes first, one slice at a time.
double interpolate_nd(const ResizeCase& c, const Tensor& x, std::int64_t base, std::size_t d,
                      const std::vector<Axis>& axes, const Ints& out) {
  const Shape& shape = x.shape();
  std::int64_t stride = 1;
  for (std::size_t e = d + 1; e < shape.size(); ++e) stride *= shape[e];
  std::vector<double> line(static_cast<std::size_t>(shape[d]));
  for (std::int64_t i = 0; i < shape[d]; ++i)
    line[static_cast<std::size_t>(i)] = d + 1 == shape.size() ? x.data_as<float>()[base + i]
                                                              : interpolate_nd(c, x, base + i * stride, d + 1, axes, out);
  return interpolate_1d(c, line, axes[d], out[d]);
}

Tensor naive_resize(const ResizeCase& c, const Tensor& x) {
  const std::vector<Axis> axes = naive_axes(c, x.shape());
  Shape ys;
  for (const Axis& a : axes) ys.push_back(a.out);
  std::vector<float> y(static_cast<std::size_t>(volume(ys)));
  Ints index(ys.size());
  for (std::int64_t o = 0; o < volume(ys); ++o) {
    std::int64_t rest = o;
    for (std::size_t d = ys.size(); d-- > 0;) index[d] = rest % ys[d], rest /= ys[d];
    y[static_cast<std::size_t>(o)] = static_cast<float>(interpolate_nd(c, x, 0, 0, axes, index));
  }
  return Tensor::from_values<float>(ys, y);
}

void check_case(std::mt19937& rng, const ResizeCase& c, const Shape& shape) {
  INFO(describe(c, shape));
  const Tensor x = random_floats(rng, shape);
  const Tensor expected = naive_resize(c, x);
  check_close(run_threads_single(make_runner(c, x)), expected);
}

struct Geometry {
  Shape x;
  std::vector<float> scales;
  Ints sizes;
};

const Geometry kGeometries[] = {
    {{1, 2, 4, 5}, {1, 1, 2, 3}, {}},          // integer upsampling
    {{2, 1, 6, 7}, {1, 1, 0.5f, 0.6f}, {}},    // downsampling, one integer ratio, one not
    {{1, 2, 5, 3}, {1, 1, 1.7f, 2.3f}, {}},    // non-integer upsampling
    {{1, 1, 4, 9}, {1, 1, 1.5f, 0.35f}, {}},   // up on one axis, down on the other
    {{1, 2, 5, 4}, {}, {1, 2, 8, 3}},          // sizes
    {{1, 1, 7, 6}, {}, {1, 1, 1, 13}},         // sizes, one output of width 1
    {{1, 1, 4, 5}, {1, 1, 0.3f, 0.2f}, {}},    // scales that floor to one output
    {{3, 4, 5}, {1, 1.5f, 0.8f}, {}},          // rank 3, the channel axis resized
    {{7}, {}, {11}},                           // rank 1
    {{2, 3, 2, 3, 4}, {1, 1, 2, 1.5f, 0.5f}, {}},  // rank 5, three axes (trilinear, tricubic)
};

}  // namespace

TEST_CASE("Resize nearest matches the reference for every rounding and coordinate mode") {
  std::mt19937 rng(20240611);
  for (const char* coordinates :
       {"half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners", "asymmetric", "tf_crop_and_resize"})
    for (const char* rounding : {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"})
      for (const Geometry& g : kGeometries) {
        ResizeCase c{.mode = "nearest", .coordinates = coordinates, .nearest_mode = rounding, .scales = g.scales,
                     .sizes = g.sizes};
        if (c.coordinates == "tf_crop_and_resize") {
          const std::size_t r = g.x.size();
          c.roi.assign(2 * r, 0.0f);
          for (std::size_t d = 0; d < r; ++d) c.roi[d + r] = 1.0f;
          c.roi[r - 1] = -0.2f, c.roi[2 * r - 1] = 0.9f;  // leaves the input on the left: extrapolation
          c.extrapolation = 7.5f;
        }
        check_case(rng, c, g.x);
      }
}

TEST_CASE("Resize linear and cubic match the reference for every coordinate mode") {
  std::mt19937 rng(20240612);
  for (const char* mode : {"linear", "cubic"})
    for (const char* coordinates : {"half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners",
                                    "asymmetric", "tf_crop_and_resize"})
      for (const Geometry& g : kGeometries) {
        ResizeCase c{.mode = mode, .coordinates = coordinates, .scales = g.scales, .sizes = g.sizes};
        if (c.coordinates == "tf_crop_and_resize") {
          const std::size_t r = g.x.size();
          c.roi.assign(2 * r, 0.0f);
          for (std::size_t d = 0; d < r; ++d) c.roi[d + r] = 1.0f;
          c.roi[r - 1] = 0.3f, c.roi[2 * r - 1] = 1.25f;  // leaves the input on the right
          if (r > 1) c.roi[r - 2] = 0.1f, c.roi[2 * r - 2] = 0.8f;  // a crop inside the input
          c.extrapolation = -3.0f;
        }
        check_case(rng, c, g.x);
      }
}

TEST_CASE("Resize cubic options and antialias match the reference") {
  std::mt19937 rng(20240613);
  for (const Geometry& g : kGeometries) {
    check_case(rng, ResizeCase{.mode = "cubic", .scales = g.scales, .sizes = g.sizes, .cubic_a = -0.5f,
                               .exclude_outside = true},
               g.x);
    check_case(rng, ResizeCase{.mode = "cubic", .coordinates = "align_corners", .scales = g.scales, .sizes = g.sizes,
                               .exclude_outside = true},
               g.x);
    for (const char* mode : {"linear", "cubic"}) {
      check_case(rng, ResizeCase{.mode = mode, .scales = g.scales, .sizes = g.sizes, .antialias = true}, g.x);
      check_case(rng, ResizeCase{.mode = mode, .coordinates = "pytorch_half_pixel", .scales = g.scales,
                                 .sizes = g.sizes, .exclude_outside = true, .antialias = true},
                 g.x);
    }
  }
  // Strong downsampling widens the antialias filter to many taps.
  for (const char* mode : {"linear", "cubic"}) {
    check_case(rng, ResizeCase{.mode = mode, .sizes = {1, 2, 3, 2}, .antialias = true}, {1, 2, 17, 23});
    check_case(rng, ResizeCase{.mode = mode, .scales = {1, 1, 0.13f, 0.3f}, .antialias = true}, {1, 1, 31, 10});
  }
}

TEST_CASE("Resize axes and keep_aspect_ratio_policy match the reference") {
  std::mt19937 rng(20240614);
  for (const char* mode : {"nearest", "linear", "cubic"}) {
    check_case(rng, ResizeCase{.mode = mode, .scales = {2.5f, 0.7f}, .axes = {3, 2}}, {1, 2, 5, 4});
    check_case(rng, ResizeCase{.mode = mode, .sizes = {3, 9}, .axes = {-2, 1}}, {2, 4, 5, 1});
    for (const char* policy : {"not_larger", "not_smaller"}) {
      check_case(rng, ResizeCase{.mode = mode, .sizes = {7, 5}, .axes = {2, 3}, .policy = policy}, {1, 2, 4, 6});
      check_case(rng, ResizeCase{.mode = mode, .sizes = {3, 10}, .axes = {3, 1}, .policy = policy}, {1, 5, 2, 4});
    }
    check_case(rng,
               ResizeCase{.mode = mode, .coordinates = "tf_crop_and_resize", .sizes = {4, 6}, .axes = {3, 2},
                          .roi = {0.2f, -0.1f, 0.9f, 1.3f}, .extrapolation = 2.0f},
               {1, 2, 5, 4});
  }
}

TEST_CASE("Resize known values: bilinear half_pixel and align_corners as PyTorch computes them") {
  const Tensor x = Tensor::from_values<float>({1, 1, 2, 2}, {1, 2, 3, 4});
  const Tensor half_pixel = run_threads_single(make_runner(ResizeCase{.mode = "linear", .scales = {1, 1, 2, 2}}, x));
  check_close(half_pixel, Tensor::from_values<float>({1, 1, 4, 4}, {1, 1.25f, 1.75f, 2, 1.5f, 1.75f, 2.25f, 2.5f, 2.5f,
                                                                    2.75f, 3.25f, 3.5f, 3, 3.25f, 3.75f, 4}));
  const Tensor corners =
      run_threads_single(make_runner(ResizeCase{.mode = "linear", .coordinates = "align_corners", .sizes = {1, 1, 3, 3}}, x));
  check_close(corners, Tensor::from_values<float>({1, 1, 3, 3}, {1, 1.5f, 2, 2, 2.5f, 3, 3, 3.5f, 4}));
}

TEST_CASE("Resize-10 and Upsample-9: asymmetric, nearest floors up and ceils down") {
  std::mt19937 rng(20240615);
  const Tensor x = Tensor::from_values<float>({1, 1, 2, 4}, {1, 2, 3, 4, 5, 6, 7, 8});
  const Tensor scales = Tensor::from_values<float>({4}, {1, 1, 0.6f, 0.6f});
  OpRunner down("Resize", 10, "resize10");
  down.attr_string("mode", "nearest").input(x).constant(scales);
  check_close(run_threads_single(down), Tensor::from_values<float>({1, 1, 1, 2}, {1, 3}));

  for (const char* mode : {"nearest", "linear"})
    for (const std::vector<float>& s : {std::vector<float>{1, 1, 2, 3}, std::vector<float>{1, 2, 1.5f, 2.5f},
                                        std::vector<float>{1, 1, 0.5f, 0.7f}})
      for (std::int64_t opset : {9, 10}) {
        const bool upsample = opset == 9;
        if (upsample && s[3] < 1) continue;  // Upsample only upsamples
        const Shape shape{1, 2, 5, 4};
        const Tensor input = random_floats(rng, shape);
        OpRunner runner(upsample ? "Upsample" : "Resize", opset, "legacy");
        runner.attr_string("mode", mode).input(input).constant(Tensor::from_values<float>({4}, s));
        ResizeCase c{.mode = mode, .coordinates = "asymmetric", .scales = s, .opset = opset};
        INFO(describe(c, shape) << " opset " << opset);
        check_close(run_threads_single(runner), naive_resize(c, input));
      }
}

TEST_CASE("Resize-11: empty scales with sizes, and tf_half_pixel_for_nn") {
  std::mt19937 rng(20240616);
  const Tensor x = random_floats(rng, {1, 2, 3, 5});
  OpRunner runner("Resize", 11, "resize11");
  runner.attr_string("mode", "linear").attr_string("coordinate_transformation_mode", "pytorch_half_pixel");
  runner.input(x).constant(Tensor::from_values<float>({0}, {})).constant(Tensor::from_values<float>({0}, {}));
  runner.constant(Tensor::from_values<std::int64_t>({4}, {1, 2, 7, 4}));
  check_close(run_threads_single(runner),
              naive_resize(ResizeCase{.mode = "linear", .coordinates = "pytorch_half_pixel", .sizes = {1, 2, 7, 4}}, x));

  OpRunner nn("Resize", 11, "resize11nn");
  nn.attr_string("coordinate_transformation_mode", "tf_half_pixel_for_nn").input(x).missing_input();
  nn.constant(Tensor::from_values<float>({4}, {1, 1, 1.5f, 0.6f}));
  check_close(run_threads_single(nn), naive_resize(ResizeCase{.coordinates = "tf_half_pixel_for_nn",
                                                       .scales = {1, 1, 1.5f, 0.6f}, .opset = 11},
                                            x));
}

TEST_CASE("Upsample-7 reads scales from its attribute; Resize re-plans when sizes is a graph input") {
  namespace t = onnxrun::testing;
  t::ModelBuilder upsample(7);
  upsample.input("x", t::FLOAT, {1, 1, 2, 2})
      .node("Upsample", {"x"}, {"y"}, "up", {t::attr_string("mode", "nearest"), t::attr_floats("scales", {1, 1, 2, 3})})
      .output("y");
  const std::string bytes = upsample.bytes();
  const onnxrun::Session session = onnxrun::Session::from_bytes(bytes.data(), bytes.size());
  const auto y = session.run({{"x", Tensor::from_values<float>({1, 1, 2, 2}, {1, 2, 3, 4})}});
  check_close(y[0].tensor, Tensor::from_values<float>({1, 1, 4, 6}, {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2,
                                                                    3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4}));

  t::ModelBuilder resize(13);
  resize.input("x", t::FLOAT, {1, 1, 2, 2}).input("sizes", t::INT64, {4})
      .node("Resize", {"x", "", "", "sizes"}, {"y"}, "resize", {t::attr_string("mode", "linear")})
      .output("y");
  const std::string resize_bytes = resize.bytes();
  const onnxrun::Session dynamic = onnxrun::Session::from_bytes(resize_bytes.data(), resize_bytes.size());
  const Tensor x = Tensor::from_values<float>({1, 1, 2, 2}, {1, 2, 3, 4});
  for (const Ints& sizes : {Ints{1, 1, 4, 4}, Ints{1, 1, 3, 1}, Ints{1, 1, 4, 4}}) {
    const auto out = dynamic.run({{"x", x}, {"sizes", Tensor::from_values<std::int64_t>({4}, sizes)}});
    check_close(out[0].tensor, naive_resize(ResizeCase{.mode = "linear", .sizes = sizes}, x));
  }
}

TEST_CASE("Resize errors name the node and the shapes") {
  const Tensor x = Tensor::from_values<float>({1, 1, 2, 2}, {1, 2, 3, 4});
  auto error = [&](const ResizeCase& c) { return make_runner(c, x).infer_error(); };

  std::string message = error(ResizeCase{.scales = {1, 2}});
  INFO(message);
  CHECK(contains(message, "resize0"));
  CHECK(contains(message, "scales (input 2) [1,2] has 2 values, expected 4"));
  CHECK(contains(message, "[1,1,2,2]"));

  message = error(ResizeCase{.mode = "bicubic", .scales = {1, 1, 2, 2}});
  CHECK(contains(message, "mode 'bicubic'"));
  message = error(ResizeCase{.coordinates = "half_pixel_symmetric", .scales = {1, 1, 2, 2}, .opset = 18});
  CHECK(contains(message, "not supported at opset 18"));
  message = error(ResizeCase{.scales = {1, 1, -2, 2}});
  CHECK(contains(message, "positive"));
  message = error(ResizeCase{.sizes = {3, 3}, .axes = {2, 2}});
  CHECK(contains(message, "twice"));
  message = error(ResizeCase{.sizes = {3, 3}, .axes = {2, 4}});
  CHECK(contains(message, "outside the range"));
  message = error(ResizeCase{.coordinates = "tf_crop_and_resize", .sizes = {1, 1, 3, 3}});
  CHECK(contains(message, "needs roi"));
  message = error(ResizeCase{.coordinates = "tf_crop_and_resize", .sizes = {1, 1, 3, 3}, .roi = {0, 1}});
  CHECK(contains(message, "roi (input 1) [0,1] has 2 values, expected 8"));

  OpRunner both("Resize", 13, "both");
  both.input(x).missing_input().constant(Tensor::from_values<float>({4}, {1, 1, 2, 2}));
  both.constant(Tensor::from_values<std::int64_t>({4}, {1, 1, 4, 4}));
  CHECK(contains(both.infer_error(), "exactly one"));
  OpRunner neither("Resize", 13, "neither");
  neither.input(x).missing_input().missing_input();
  CHECK(contains(neither.infer_error(), "neither scales"));
  OpRunner shrink("Upsample", 9, "shrink");
  shrink.input(x).constant(Tensor::from_values<float>({4}, {1, 1, 0.5f, 1}));
  CHECK(contains(shrink.infer_error(), "at least 1"));
}
