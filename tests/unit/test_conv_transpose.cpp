// ConvTranspose against a naive oracle written here from the ONNX text: the
// output size and pads from its formulas (output_shape and auto_pad split the
// total padding as ONNX's reference does, with Python's floor division), then
// one loop per output element that asks, for every input position and kernel
// tap, whether it lands there, accumulating in double. Each case runs with 1
// and 3 threads, which must agree bit for bit.
#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "tests/support/compare.hpp"
#include "tests/support/op_runner.hpp"
#include "tests/support/tensor_helpers.hpp"

using onnxrun::DType;
using onnxrun::Shape;
using onnxrun::Tensor;
using namespace onnxrun::testing;  // check_close, OpRunner, tensor_helpers.hpp

namespace {

std::int64_t python_floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

struct Attributes {
  Ints strides{}, dilations{}, pads{}, output_padding{}, output_shape{};
  std::string auto_pad = "NOTSET";
};

struct TransposeCase {
  std::string name;
  Shape x, w;  // w: [C, M/group, kernel...]
  Attributes a;
  std::int64_t group = 1;
  bool bias = true;
  bool kernel_shape_attribute = false;
};

Tensor naive_conv_transpose(const Tensor& x, const Tensor& w, const Tensor* b, const Attributes& a,
                            std::int64_t group) {
  const Shape& xs = x.shape();
  const Shape& ws = w.shape();
  const std::size_t n = xs.size() - 2;
  Ints out(n), pad_begin(n), stride(n), dilation(n);
  for (std::size_t d = 0; d < n; ++d) {
    stride[d] = a.strides.empty() ? 1 : a.strides[d];
    dilation[d] = a.dilations.empty() ? 1 : a.dilations[d];
    const std::int64_t in = xs[d + 2], k = ws[d + 2];
    const std::int64_t extra = a.output_padding.empty() ? 0 : a.output_padding[d];
    const std::int64_t full = stride[d] * (in - 1) + extra + (k - 1) * dilation[d] + 1;
    if (!a.output_shape.empty() || a.auto_pad == "SAME_UPPER" || a.auto_pad == "SAME_LOWER") {
      out[d] = a.output_shape.empty() ? in * stride[d] : a.output_shape[d];
      const std::int64_t total = full - out[d];
      pad_begin[d] = a.auto_pad == "SAME_UPPER" ? python_floor_div(total, 2) : total - python_floor_div(total, 2);
    } else {
      const bool valid = a.auto_pad == "VALID" || a.pads.empty();
      pad_begin[d] = valid ? 0 : a.pads[d];
      out[d] = full - (valid ? 0 : a.pads[d] + a.pads[d + n]);
    }
  }
  const std::int64_t m_per_group = ws[1], c_per_group = xs[1] / group;
  Shape ys{xs[0], m_per_group * group};
  ys.insert(ys.end(), out.begin(), out.end());
  const Shape kernel(ws.begin() + 2, ws.end()), in_spatial(xs.begin() + 2, xs.end());
  std::vector<float> y(static_cast<std::size_t>(volume(ys)));
  for (std::int64_t o = 0; o < volume(ys); ++o) {
    const Ints index = unravel(o, ys);
    const std::int64_t batch = index[0], m = index[1], g = m / m_per_group;
    double sum = b ? b->data_as<float>()[m] : 0.0;
    for (std::int64_t c = g * c_per_group; c < (g + 1) * c_per_group; ++c)
      for (std::int64_t i = 0; i < volume(in_spatial); ++i) {
        const Ints position = unravel(i, in_spatial);
        for (std::int64_t t = 0; t < volume(kernel); ++t) {
          const Ints tap = unravel(t, kernel);
          bool lands = true;
          for (std::size_t d = 0; d < n && lands; ++d)
            lands = position[d] * stride[d] - pad_begin[d] + tap[d] * dilation[d] == index[d + 2];
          if (!lands) continue;
          Ints xi{batch, c}, wi{c, m % m_per_group};
          xi.insert(xi.end(), position.begin(), position.end());
          wi.insert(wi.end(), tap.begin(), tap.end());
          sum += static_cast<double>(x.data_as<float>()[ravel(xi, xs)]) *
                 static_cast<double>(w.data_as<float>()[ravel(wi, ws)]);
        }
      }
    y[static_cast<std::size_t>(o)] = static_cast<float>(sum);
  }
  return Tensor::from_values<float>(ys, y);
}

OpRunner make_runner(const TransposeCase& c, const Tensor& x, const Tensor& w, const Tensor& b) {
  OpRunner runner("ConvTranspose", 17, "deconv0");
  if (!c.a.strides.empty()) runner.attr_ints("strides", c.a.strides);
  if (!c.a.dilations.empty()) runner.attr_ints("dilations", c.a.dilations);
  if (!c.a.pads.empty()) runner.attr_ints("pads", c.a.pads);
  if (!c.a.output_padding.empty()) runner.attr_ints("output_padding", c.a.output_padding);
  if (!c.a.output_shape.empty()) runner.attr_ints("output_shape", c.a.output_shape);
  if (c.a.auto_pad != "NOTSET") runner.attr_string("auto_pad", c.a.auto_pad);
  if (c.group != 1) runner.attr_int("group", c.group);
  if (c.kernel_shape_attribute) runner.attr_ints("kernel_shape", Ints(c.w.begin() + 2, c.w.end()));
  runner.input(x).constant(w);
  if (c.bias) runner.constant(b);
  return runner;
}

void run_case(std::mt19937& rng, const TransposeCase& c) {
  INFO(c.name);
  const Tensor x = random_floats(rng, c.x);
  const Tensor w = random_floats(rng, c.w);
  const Tensor b = random_floats(rng, {c.w[1] * c.group});
  const OpRunner runner = make_runner(c, x, w, b);
  check_close(run_threads_single(runner), naive_conv_transpose(x, w, c.bias ? &b : nullptr, c.a, c.group));
}

}  // namespace

TEST_CASE("ConvTranspose matches the naive transposed convolution") {
  std::mt19937 rng(20240620);
  const TransposeCase cases[] = {
      {"1x1 input and kernel", {1, 1, 1, 1}, {1, 1, 1, 1}, {}},
      {"3x3 kernel, no stride", {1, 2, 4, 5}, {2, 3, 3, 3}, {}},
      {"stride 2, pads 1 (a PyTorch upsampling layer)", {2, 3, 5, 4}, {3, 2, 4, 4}, {.strides = {2, 2}, .pads = {1, 1, 1, 1}}},
      {"stride larger than the kernel leaves gaps", {1, 2, 3, 4}, {2, 2, 2, 1}, {.strides = {3, 4}}},
      {"output_padding", {1, 2, 3, 3}, {2, 1, 3, 3}, {.strides = {3, 2}, .output_padding = {2, 1}}},
      {"output_padding with pads", {1, 1, 4, 3}, {1, 3, 3, 2}, {.strides = {2, 3}, .pads = {1, 0, 0, 1}, .output_padding = {1, 2}}},
      {"dilation", {1, 2, 3, 4}, {2, 2, 2, 3}, {.strides = {2, 1}, .dilations = {2, 3}, .pads = {1, 2, 0, 1}}},
      {"groups", {1, 4, 3, 5}, {4, 3, 3, 2}, {.strides = {2, 2}}, 2},
      {"depthwise", {2, 5, 4, 4}, {5, 1, 3, 3}, {.strides = {2, 2}, .pads = {1, 1, 1, 1}}, 5},
      {"1D", {2, 3, 7}, {3, 2, 5}, {.strides = {3}, .dilations = {2}, .pads = {2, 1}, .output_padding = {1}}},
      {"1D length 1", {1, 1, 1}, {1, 1, 1}, {}},
      {"3D", {1, 2, 3, 4, 2}, {2, 3, 3, 2, 3}, {.strides = {2, 1, 3}, .pads = {1, 0, 1, 0, 1, 2}}},
      {"3D groups, stride > kernel", {1, 4, 2, 3, 2}, {4, 2, 2, 1, 2}, {.strides = {3, 2, 3}}, 2},
      {"output_shape larger than the full result", {1, 1, 3, 3}, {1, 2, 3, 3}, {.strides = {3, 2}, .output_shape = {12, 9}}},
      {"output_shape smaller (pads follow)", {1, 1, 3, 3}, {1, 2, 3, 3}, {.strides = {3, 2}, .output_shape = {8, 6}}},
      {"output_shape with output_padding", {1, 1, 3, 3}, {1, 2, 3, 3},
       {.strides = {3, 2}, .output_padding = {1, 1}, .output_shape = {10, 8}}},
      {"output_shape with SAME_UPPER", {1, 1, 3, 3}, {1, 2, 3, 3}, {.strides = {3, 2}, .output_shape = {8, 6}, .auto_pad = "SAME_UPPER"}},
      {"SAME_UPPER", {1, 2, 3, 3}, {2, 2, 3, 3}, {.strides = {2, 2}, .auto_pad = "SAME_UPPER"}},
      {"SAME_LOWER", {1, 2, 3, 3}, {2, 2, 3, 3}, {.strides = {2, 2}, .auto_pad = "SAME_LOWER"}},
      {"SAME_UPPER with stride > kernel (negative total pad)", {1, 1, 4, 3}, {1, 2, 1, 2},
       {.strides = {3, 4}, .auto_pad = "SAME_UPPER"}},
      {"SAME_LOWER 1D dilated", {1, 2, 5}, {2, 1, 3}, {.strides = {2}, .dilations = {2}, .auto_pad = "SAME_LOWER"}},
      {"VALID ignores pads", {1, 2, 3, 4}, {2, 2, 2, 3}, {.strides = {2, 2}, .pads = {1, 1, 1, 1}, .auto_pad = "VALID"}},
      {"no bias", {2, 3, 4, 4}, {3, 4, 1, 1}, {.strides = {2, 2}}, 1, false},
      {"kernel_shape attribute", {1, 3, 4, 4}, {3, 2, 3, 2}, {.strides = {2, 2}}, 1, true, true},
      {"enough planes for threads", {3, 4, 6, 6}, {4, 5, 3, 3}, {.strides = {2, 2}, .pads = {1, 1, 1, 1}, .output_padding = {1, 1}}},
  };
  for (const TransposeCase& c : cases) run_case(rng, c);
}

TEST_CASE("ConvTranspose known values: ONNX's 1D example") {
  OpRunner runner("ConvTranspose", 11, "deconv1d");
  runner.input(Tensor::from_values<float>({1, 1, 3}, {0, 1, 2}));
  runner.constant(Tensor::from_values<float>({1, 2, 3}, {1, 1, 1, 1, 1, 1}));
  check_close(runner.run(1)[0], Tensor::from_values<float>({1, 2, 5}, {0, 1, 3, 3, 2, 0, 1, 3, 3, 2}));
}

TEST_CASE("ConvTranspose errors name the node and the shapes") {
  auto error = [](const Shape& x, const Shape& w, const Shape& b, auto&& configure) {
    OpRunner runner("ConvTranspose", 11, "deconv_bad");
    configure(runner);
    runner.input_desc(DType::Float32, x).input_desc(DType::Float32, w);
    if (!b.empty()) runner.input_desc(DType::Float32, b);
    return runner.infer_error();
  };
  auto none = [](OpRunner&) {};
  std::string message = error({1, 3, 4, 4}, {2, 2, 3, 3}, {}, none);
  INFO(message);
  CHECK(contains(message, "deconv_bad"));
  CHECK(contains(message, "[1,3,4,4]"));
  CHECK(contains(message, "[2,2,3,3]"));
  message = error({1, 2, 4, 4}, {2, 3, 3, 3}, {2}, none);
  CHECK(contains(message, "bias (input 2) has shape [2], expected [3]"));
  message = error({1, 3, 4, 4}, {3, 1, 3, 3}, {}, [](OpRunner& r) { r.attr_int("group", 2); });
  CHECK(contains(message, "group 2"));
  message = error({1, 2, 4, 4}, {2, 1, 3, 3}, {}, [](OpRunner& r) { r.attr_ints("pads", {3, 3, 3, 3}); });
  CHECK(contains(message, "crop away the whole output"));
  message = error({1, 2, 4, 4}, {2, 1, 3, 3}, {}, [](OpRunner& r) { r.attr_ints("output_shape", {9}); });
  CHECK(contains(message, "output_shape [9] has 1 values, expected 2"));
  message = error({1, 2, 4, 4}, {2, 1, 3, 3}, {}, [](OpRunner& r) { r.attr_ints("kernel_shape", {2, 2}); });
  CHECK(contains(message, "kernel_shape [2,2] disagrees with weight shape [2,1,3,3]"));
  message = error({1, 2, 4, 4}, {2, 1, 3, 3}, {}, [](OpRunner& r) { r.attr_ints("output_padding", {-1, 0}); });
  CHECK(contains(message, "output_padding [-1,0] has a negative value"));
}
