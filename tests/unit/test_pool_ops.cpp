// AveragePool and GlobalMaxPool against naive oracles written here from the
// ONNX text (one loop per output element, double accumulation), on edge
// geometry at sizes 1, 7 and 13, and against values PyTorch 1.13 printed for
// the ceil_mode / count_include_pad corner. Each case runs with 1 and 3
// threads, which must agree bit for bit.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
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

struct AvgCase {
  const char* name;
  Shape x;
  Ints kernel, strides{}, dilations{}, pads{};
  std::string auto_pad = "NOTSET";
  bool ceil_mode = false;
  bool count_include_pad = false;
};

// The ONNX output-size formulas; with ceil_mode a window that would start in
// the end padding is dropped (PyTorch's rule, which ONNX adopted).
Tensor naive_average_pool(const Tensor& x, const AvgCase& c) {
  const Shape& xs = x.shape();
  const std::size_t n = xs.size() - 2;
  Ints out(n), pad_begin(n), pad_end(n), stride(n), dilation(n);
  bool dilated = false;
  for (std::size_t d = 0; d < n; ++d) {
    const std::int64_t in = xs[d + 2], k = c.kernel[d];
    stride[d] = c.strides.empty() ? 1 : c.strides[d];
    dilation[d] = c.dilations.empty() ? 1 : c.dilations[d];
    dilated = dilated || dilation[d] > 1;
    const std::int64_t span = (k - 1) * dilation[d] + 1;
    pad_begin[d] = c.pads.empty() ? 0 : c.pads[d];
    pad_end[d] = c.pads.empty() ? 0 : c.pads[d + n];
    if (c.auto_pad == "SAME_UPPER" || c.auto_pad == "SAME_LOWER") {
      out[d] = (in + stride[d] - 1) / stride[d];
      const std::int64_t total = std::max<std::int64_t>(0, (out[d] - 1) * stride[d] + span - in);
      pad_begin[d] = c.auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      pad_end[d] = total - pad_begin[d];
    } else {
      if (c.auto_pad == "VALID") pad_begin[d] = pad_end[d] = 0;
      const double steps = static_cast<double>(in + pad_begin[d] + pad_end[d] - span) / static_cast<double>(stride[d]);
      out[d] = static_cast<std::int64_t>(c.ceil_mode ? std::ceil(steps) : std::floor(steps)) + 1;
      if (c.ceil_mode && (out[d] - 1) * stride[d] >= in + pad_begin[d]) --out[d];
    }
  }
  Shape ys{xs[0], xs[1]};
  ys.insert(ys.end(), out.begin(), out.end());
  const Shape kernel(c.kernel.begin(), c.kernel.end());
  std::vector<float> y;
  for (std::int64_t o = 0; o < volume(ys); ++o) {
    const Ints index = unravel(o, ys);
    double sum = 0;
    std::int64_t inside = 0, counted = 0;
    for (std::int64_t t = 0; t < volume(kernel); ++t) {
      const Ints tap = unravel(t, kernel);
      std::int64_t flat = index[0] * xs[1] + index[1];
      bool in_input = true, in_count = true;
      for (std::size_t d = 0; d < n; ++d) {
        const std::int64_t p = index[d + 2] * stride[d] - pad_begin[d] + tap[d] * dilation[d];
        in_input = in_input && p >= 0 && p < xs[d + 2];
        // count_include_pad counts the padding but, without dilation, not
        // what ceil_mode hangs past it (PyTorch); dilated windows count whole
        // (the ONNX reference behind its dilated node tests).
        in_count = in_count && (dilated || p < xs[d + 2] + pad_end[d]);
        flat = flat * xs[d + 2] + p;
      }
      if (in_input) {
        sum += x.data_as<float>()[flat];
        ++inside;
      }
      if (in_count) ++counted;
    }
    const std::int64_t divisor = c.count_include_pad ? counted : inside;
    y.push_back(static_cast<float>(sum / static_cast<double>(divisor)));
  }
  return Tensor::from_values<float>(ys, y);
}

OpRunner average_pool(const AvgCase& c, const Tensor& x, std::int64_t opset = 19) {
  OpRunner runner("AveragePool", opset, c.name);
  runner.input(x).attr_ints("kernel_shape", c.kernel);
  if (!c.strides.empty()) runner.attr_ints("strides", c.strides);
  if (!c.dilations.empty()) runner.attr_ints("dilations", c.dilations);
  if (!c.pads.empty()) runner.attr_ints("pads", c.pads);
  if (c.auto_pad != "NOTSET") runner.attr_string("auto_pad", c.auto_pad);
  if (c.ceil_mode) runner.attr_int("ceil_mode", 1);
  if (c.count_include_pad) runner.attr_int("count_include_pad", 1);
  return runner;
}

}  // namespace

TEST_CASE("AveragePool matches the naive pooling, with and without count_include_pad") {
  const AvgCase cases[] = {
      {"1x1", {1, 1, 1, 1}, {1, 1}},
      {"3x3 window on a 1x1 input, pads 1", {1, 2, 1, 1}, {3, 3}, {}, {}, {1, 1, 1, 1}},
      {"asymmetric pads, strides", {2, 3, 7, 13}, {3, 2}, {2, 3}, {}, {1, 0, 1, 1}},
      {"kernel as big as the padded input", {1, 2, 7, 7}, {9, 8}, {}, {}, {1, 0, 1, 1}},
      {"1D", {2, 3, 13}, {4}, {3}, {}, {1, 2}},
      {"1D length 1", {1, 1, 1}, {1}},
      {"3D", {1, 2, 5, 7, 6}, {2, 3, 2}, {2, 2, 1}, {}, {1, 0, 1, 0, 1, 0}},
      {"dilation", {1, 2, 13, 7}, {3, 2}, {1, 2}, {3, 2}, {2, 1, 1, 0}},
      {"3D dilated", {2, 1, 7, 5, 7}, {2, 2, 3}, {1, 2, 2}, {3, 1, 2}},
      // ceil 4 per dim; the last window starts at 6 inside 8 and hangs one past the end.
      {"ceil_mode window hanging over the end", {1, 2, 8, 8}, {3, 3}, {2, 2}, {}, {}, "NOTSET", true},
      // ceil((5 + 2 - 2) / 2) + 1 = 4, but window 3 would start at 6 >= 5 + 1: dropped.
      {"ceil_mode drops a window starting in the end padding", {1, 2, 5, 5}, {2, 2}, {2, 2}, {}, {1, 1, 1, 1},
       "NOTSET", true},
      {"ceil_mode 1D past the end padding", {1, 3, 13}, {3}, {4}, {}, {1, 1}, "NOTSET", true},
      {"ceil_mode 3D", {1, 1, 5, 7, 13}, {2, 2, 3}, {2, 3, 2}, {}, {0, 1, 1, 1, 0, 1}, "NOTSET", true},
      // Dilated taps hang past the end (13 in H); the dilated rule counts them.
      {"ceil_mode dilated", {1, 1, 13, 7}, {3, 2}, {3, 2}, {2, 3}, {0, 0, 0, 1}, "NOTSET", true},
      {"SAME_UPPER", {1, 2, 7, 8}, {4, 4}, {2, 3}, {}, {}, "SAME_UPPER"},
      {"SAME_LOWER", {1, 2, 7, 8}, {4, 4}, {2, 3}, {}, {}, "SAME_LOWER"},
      {"VALID", {1, 2, 7, 13}, {3, 4}, {2, 3}, {}, {2, 2, 2, 2}, "VALID"},
      {"enough planes for threads", {3, 5, 13, 7}, {2, 3}, {2, 2}, {}, {1, 1, 0, 1}, "NOTSET", true},
  };
  std::mt19937 rng(8128);
  for (const AvgCase& base : cases)
    for (bool include_pad : {false, true}) {
      AvgCase c = base;
      c.count_include_pad = include_pad;
      INFO("averagepool case: " << c.name << ", count_include_pad " << include_pad);
      const Tensor x = random_floats(rng, c.x);
      check_close(run_threads(average_pool(c, x))[0], naive_average_pool(x, c));
    }
}

TEST_CASE("AveragePool agrees with PyTorch where ceil_mode windows pass the padded edge") {
  // torch.nn.functional.avg_pool{1,2}d printed these (PyTorch 1.13). The last
  // windows reach past input + pads; with count_include_pad the taps out
  // there are not counted, the padding taps are.
  const Tensor x1 = Tensor::from_values<float>({1, 1, 6}, {0, 1, 2, 3, 4, 5});
  const AvgCase c1{"torch 1d", {1, 1, 6}, {3}, {2}, {}, {1, 1}, "NOTSET", true, true};
  check_close(run_threads(average_pool(c1, x1))[0],
              Tensor::from_values<float>({1, 1, 4}, {1.0f / 3, 2.0f, 4.0f, 2.5f}));

  std::vector<float> values(30);
  for (int i = 0; i < 30; ++i) values[static_cast<std::size_t>(i)] = static_cast<float>(i);
  const Tensor x2 = Tensor::from_values<float>({1, 1, 5, 6}, values);
  AvgCase c2{"torch 2d", {1, 1, 5, 6}, {3, 2}, {2, 2}, {}, {1, 1, 1, 1}, "NOTSET", true, true};
  check_close(run_threads(average_pool(c2, x2, 11))[0],
              Tensor::from_values<float>({1, 1, 3, 4}, {1.0f, 3.0f, 13.0f / 3, 8.0f / 3, 6.0f, 13.5f, 15.5f, 8.5f,
                                                        7.0f, 15.0f, 49.0f / 3, 26.0f / 3}));
  c2.count_include_pad = false;
  check_close(run_threads(average_pool(c2, x2, 11))[0],
              Tensor::from_values<float>({1, 1, 3, 4}, {3.0f, 4.5f, 6.5f, 8.0f, 12.0f, 13.5f, 15.5f, 17.0f, 21.0f,
                                                        22.5f, 24.5f, 26.0f}));
}

TEST_CASE("AveragePool errors name the node and the shapes") {
  const Tensor x = Tensor::from_values<float>({1, 1, 3, 3}, std::vector<float>(9, 1.0f));
  OpRunner no_kernel("AveragePool", 19, "pool_no_kernel");
  no_kernel.input(x);
  CHECK(no_kernel.infer_error().find("pool_no_kernel") != std::string::npos);
  CHECK(no_kernel.infer_error().find("kernel_shape") != std::string::npos);
  OpRunner too_big("AveragePool", 19, "pool_big");
  too_big.input(x).attr_ints("kernel_shape", {4, 3});
  const std::string error = too_big.infer_error();
  CHECK(error.find("pool_big") != std::string::npos);
  CHECK(error.find("[3,3]") != std::string::npos);
  OpRunner rank2("AveragePool", 19, "pool_rank2");
  rank2.input_desc(DType::Float32, {3, 3}).attr_ints("kernel_shape", {1});
  CHECK(rank2.infer_error().find("[3,3]") != std::string::npos);
}

TEST_CASE("GlobalMaxPool matches a naive max, NaN included") {
  std::mt19937 rng(4);
  for (const Shape& shape : {Shape{1, 1, 1}, Shape{2, 3, 13}, Shape{3, 7, 7, 13}, Shape{1, 2, 3, 5, 7}, Shape{2, 3}}) {
    INFO("shape " << onnxrun::shape_to_string(shape));
    const Tensor x = random_floats(rng, shape);
    OpRunner runner("GlobalMaxPool", 1, "gmp");
    runner.input(x);
    const Tensor expected = naive_global_pool(x, [](const float* plane, std::int64_t size) {
      float best = -std::numeric_limits<float>::infinity();
      for (std::int64_t i = 0; i < size; ++i) best = std::max(best, plane[i]);
      return best;
    });
    check_identical(run_threads(runner)[0], expected);
  }
  const float nan = std::numeric_limits<float>::quiet_NaN();
  OpRunner with_nan("GlobalMaxPool", 1, "gmp_nan");
  with_nan.input(Tensor::from_values<float>({1, 2, 3}, {1, nan, 3, -1, -2, -3}));
  const Tensor y = with_nan.run(1)[0];
  CHECK(std::isnan(y.data_as<float>()[0]));
  CHECK(y.data_as<float>()[1] == -1.0f);
}

TEST_CASE("MaxPool on uint8 pools like float, padding never winning") {
  std::mt19937 rng(255);
  std::uniform_int_distribution<int> dist(0, 255);
  std::vector<std::uint8_t> bytes(2 * 3 * 7 * 13);
  for (auto& b : bytes) b = static_cast<std::uint8_t>(dist(rng));
  bytes[0] = 0;  // a window whose only real value is 0 still yields 0
  std::vector<float> floats(bytes.begin(), bytes.end());
  const auto pool = [](const Tensor& x) {
    OpRunner runner("MaxPool", 12, "maxpool_u8");
    runner.input(x).attr_ints("kernel_shape", {3, 4}).attr_ints("strides", {2, 3}).attr_ints("pads", {2, 3, 1, 2});
    runner.set_output_count(2);
    return run_threads(runner);
  };
  const std::vector<Tensor> y8 = pool(Tensor::from_values<std::uint8_t>({2, 3, 7, 13}, bytes));
  const std::vector<Tensor> yf = pool(Tensor::from_values<float>({2, 3, 7, 13}, floats));
  REQUIRE(y8[0].shape() == yf[0].shape());
  CHECK(y8[0].dtype() == DType::UInt8);
  for (std::int64_t i = 0; i < yf[0].element_count(); ++i)
    CHECK(static_cast<float>(y8[0].data_as<std::uint8_t>()[i]) == yf[0].data_as<float>()[i]);
  check_identical(y8[1], yf[1]);
}
