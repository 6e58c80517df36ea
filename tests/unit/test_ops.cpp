// Every op against a deliberately naive oracle written here from the ONNX spec:
// one loop per output element, explicit bounds checks, double accumulation.
// Edge geometry (1x1 inputs, kernels bigger than the input, asymmetric pads,
// groups, dilation, ceil_mode, storage_order) at sizes 1, 7 and 13, with random
// data from a fixed seed. Each case runs with 1 and 3 threads, which must agree
// bit for bit.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/compare.hpp"
#include "tests/support/op_runner.hpp"
#include "tests/support/tensor_helpers.hpp"

using onnxrun::DType;
using onnxrun::Shape;
using onnxrun::Tensor;
using namespace onnxrun::testing;  // check_close, OpRunner, tensor_helpers.hpp

namespace {

float at(const Tensor& t, const Ints& index) { return t.data_as<float>()[ravel(index, t.shape())]; }

// --- spatial geometry, from the ONNX Conv / MaxPool text ---

struct Geometry {
  Ints kernel{}, strides{}, dilations{}, pads{};  // empty: defaults
  std::string auto_pad = "NOTSET";
  bool ceil_mode = false;

  void apply(OpRunner& runner, bool with_kernel_shape) const {
    if (with_kernel_shape) runner.attr_ints("kernel_shape", kernel);
    if (!strides.empty()) runner.attr_ints("strides", strides);
    if (!dilations.empty()) runner.attr_ints("dilations", dilations);
    if (!pads.empty()) runner.attr_ints("pads", pads);
    if (auto_pad != "NOTSET") runner.attr_string("auto_pad", auto_pad);
    if (ceil_mode) runner.attr_int("ceil_mode", 1);
  }
};

struct Windows { Shape out; Ints pad_begin, stride, dilation; };

Windows resolve(const Shape& in, const Geometry& g) {
  const std::size_t n = in.size();
  Windows w;
  for (std::size_t d = 0; d < n; ++d) {
    const std::int64_t k = g.kernel[d], s = g.strides.empty() ? 1 : g.strides[d];
    const std::int64_t dil = g.dilations.empty() ? 1 : g.dilations[d];
    const std::int64_t span = (k - 1) * dil + 1;
    std::int64_t pb = g.pads.empty() ? 0 : g.pads[d], pe = g.pads.empty() ? 0 : g.pads[d + n], out = 0;
    if (g.auto_pad == "SAME_UPPER" || g.auto_pad == "SAME_LOWER") {
      out = (in[d] + s - 1) / s;
      const std::int64_t total = std::max<std::int64_t>(0, (out - 1) * s + span - in[d]);
      pb = g.auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;  // the odd pad goes last for UPPER
    } else {
      if (g.auto_pad == "VALID") pb = pe = 0;
      const double steps = static_cast<double>(in[d] + pb + pe - span) / static_cast<double>(s);
      out = static_cast<std::int64_t>(g.ceil_mode ? std::ceil(steps) : std::floor(steps)) + 1;
      if (g.ceil_mode && (out - 1) * s >= in[d] + pb) --out;  // a window may not start in the end padding
    }
    w.out.push_back(out);
    w.pad_begin.push_back(pb);
    w.stride.push_back(s);
    w.dilation.push_back(dil);
  }
  return w;
}

// Input position of kernel tap `tap` for output position `out`; false when it
// falls in the padding.
bool input_position(const Windows& w, const Shape& in, const Ints& out, const Ints& tap, Ints& position) {
  position.resize(in.size());
  for (std::size_t d = 0; d < in.size(); ++d) {
    position[d] = out[d] * w.stride[d] - w.pad_begin[d] + tap[d] * w.dilation[d];
    if (position[d] < 0 || position[d] >= in[d]) return false;
  }
  return true;
}

Tensor naive_conv(const Tensor& x, const Tensor& weight, const Tensor* bias, const Geometry& geometry,
                  std::int64_t group) {
  const Shape& xs = x.shape();
  const Shape& ws = weight.shape();
  const Shape in(xs.begin() + 2, xs.end()), kernel(ws.begin() + 2, ws.end());
  Geometry g = geometry;
  g.kernel = kernel;
  const Windows w = resolve(in, g);
  Shape ys{xs[0], ws[0]};
  ys.insert(ys.end(), w.out.begin(), w.out.end());
  const std::int64_t c_per_group = xs[1] / group, m_per_group = ws[0] / group;
  std::vector<float> y(static_cast<std::size_t>(volume(ys)));
  Ints position;
  for (std::int64_t o = 0; o < volume(ys); ++o) {
    const Ints index = unravel(o, ys);
    const std::int64_t n = index[0], m = index[1], first_channel = (m / m_per_group) * c_per_group;
    const Ints out(index.begin() + 2, index.end());
    double sum = bias ? bias->data_as<float>()[m] : 0.0;
    for (std::int64_t c = 0; c < c_per_group; ++c)
      for (std::int64_t t = 0; t < volume(kernel); ++t) {
        const Ints tap = unravel(t, kernel);
        if (!input_position(w, in, out, tap, position)) continue;
        Ints xi{n, first_channel + c}, wi{m, c};
        xi.insert(xi.end(), position.begin(), position.end());
        wi.insert(wi.end(), tap.begin(), tap.end());
        sum += static_cast<double>(at(x, xi)) * static_cast<double>(at(weight, wi));
      }
    y[static_cast<std::size_t>(o)] = static_cast<float>(sum);
  }
  return Tensor::from_values<float>(ys, y);
}

// Values and Indices. Indices count over the whole input: (n * C + c) * plane +
// the spatial offset, row-major, or column-major (first spatial dim fastest).
std::pair<Tensor, Tensor> naive_maxpool(const Tensor& x, const Geometry& g, bool column_major) {
  const Shape& xs = x.shape();
  const Shape in(xs.begin() + 2, xs.end());
  const Windows w = resolve(in, g);
  Shape ys{xs[0], xs[1]};
  ys.insert(ys.end(), w.out.begin(), w.out.end());
  std::vector<float> y(static_cast<std::size_t>(volume(ys)));
  std::vector<std::int64_t> indices(y.size());
  const Shape kernel(g.kernel.begin(), g.kernel.end());
  Ints position;
  for (std::int64_t o = 0; o < volume(ys); ++o) {
    const Ints index = unravel(o, ys);
    const Ints out(index.begin() + 2, index.end());
    double best = -std::numeric_limits<double>::infinity();
    Ints best_position;
    for (std::int64_t t = 0; t < volume(kernel); ++t) {
      if (!input_position(w, in, out, unravel(t, kernel), position)) continue;
      Ints xi{index[0], index[1]};
      xi.insert(xi.end(), position.begin(), position.end());
      const double value = at(x, xi);
      if (best_position.empty() || value > best) {  // strict: the first maximum wins
        best = value;
        best_position = position;
      }
    }
    REQUIRE_FALSE(best_position.empty());  // no case here has a window wholly in padding
    std::int64_t spatial = 0;
    if (column_major) {
      for (std::size_t d = in.size(); d-- > 0;) spatial = spatial * in[d] + best_position[d];
    } else {
      spatial = ravel(best_position, in);
    }
    y[static_cast<std::size_t>(o)] = static_cast<float>(best);
    indices[static_cast<std::size_t>(o)] = (index[0] * xs[1] + index[1]) * volume(in) + spatial;
  }
  return {Tensor::from_values<float>(ys, y), Tensor::from_values<std::int64_t>(ys, indices)};
}

struct ConvCase {
  const char* name;
  Shape x, w;
  Geometry g;
  std::int64_t group = 1;
  bool bias = true;
  bool kernel_attribute = false;
};

Tensor run_conv(std::mt19937& rng, const ConvCase& c) {
  INFO("conv case: " << c.name);
  const Tensor x = random_floats(rng, c.x);
  const Tensor w = random_floats(rng, c.w);
  const Tensor b = random_floats(rng, {c.w[0]});
  OpRunner runner("Conv", 11, c.name);
  runner.input(x).constant(w);
  if (c.bias) runner.constant(b);
  Geometry g = c.g;
  g.kernel = Ints(c.w.begin() + 2, c.w.end());
  g.apply(runner, c.kernel_attribute);
  if (c.group != 1) runner.attr_int("group", c.group);
  const std::vector<Tensor> y = run_threads(runner);
  check_close(y[0], naive_conv(x, w, c.bias ? &b : nullptr, c.g, c.group));
  return y[0];
}

}  // namespace

TEST_CASE("Conv matches the naive convolution") {
  std::mt19937 rng(20240601);
  const ConvCase cases[] = {
      {"1x1 input and kernel", {1, 1, 1, 1}, {1, 1, 1, 1}, {}},
      {"3x3 kernel on a 1x1 input, pads 1", {1, 1, 1, 1}, {2, 1, 3, 3}, {.pads = {1, 1, 1, 1}}},
      {"kernel 7 on input 2 with pads 3+2", {1, 2, 2, 13}, {3, 2, 7, 3}, {.pads = {3, 0, 2, 0}}},
      {"asymmetric pads and strides", {2, 3, 7, 7}, {5, 3, 3, 3}, {.strides = {2, 1}, .pads = {0, 1, 2, 0}}},
      {"groups", {1, 6, 7, 13}, {4, 3, 3, 3}, {.pads = {1, 1, 1, 1}}, 2},
      {"depthwise", {2, 7, 13, 7}, {7, 1, 3, 3}, {.strides = {2, 2}, .pads = {1, 1, 1, 1}}, 7},
      {"depthwise multiplier 2", {1, 7, 7, 7}, {14, 1, 3, 3}, {.pads = {1, 0, 0, 1}}, 7},
      {"dilation", {1, 2, 13, 13}, {3, 2, 3, 3}, {.dilations = {2, 3}, .pads = {2, 3, 2, 3}}},
      {"1D", {2, 3, 13}, {4, 3, 5}, {.strides = {3}, .dilations = {2}, .pads = {2, 1}}},
      {"1D length 1", {1, 1, 1}, {1, 1, 1}, {}},
      {"3D", {1, 2, 5, 7, 6}, {3, 2, 3, 2, 3},
       {.strides = {1, 2, 2}, .dilations = {1, 2, 1}, .pads = {1, 0, 1, 1, 1, 0}}},
      {"3D groups", {1, 4, 3, 3, 3}, {4, 2, 2, 2, 2}, {.pads = {1, 1, 1, 0, 0, 0}}, 2},
      {"VALID ignores pads", {1, 2, 7, 13}, {2, 2, 3, 4}, {.strides = {2, 3}, .pads = {5, 5, 5, 5}, .auto_pad = "VALID"}},
      {"SAME_UPPER dilated", {1, 2, 13, 7}, {3, 2, 3, 3}, {.strides = {2, 2}, .dilations = {2, 1}, .auto_pad = "SAME_UPPER"}},
      {"SAME_LOWER 3D", {1, 1, 5, 7, 4}, {2, 1, 2, 3, 2}, {.strides = {2, 1, 3}, .auto_pad = "SAME_LOWER"}},
      {"no bias", {2, 3, 7, 7}, {5, 3, 1, 1}, {}, 1, false},
      {"kernel_shape attribute", {1, 3, 7, 7}, {2, 3, 3, 2}, {.strides = {2, 2}}, 1, true, true},
      {"enough planes for threads", {3, 5, 13, 13}, {7, 5, 3, 3}, {.pads = {1, 1, 1, 1}}},
  };
  for (const ConvCase& c : cases) run_conv(rng, c);
}

TEST_CASE("Conv SAME_UPPER and SAME_LOWER place the odd pad differently") {
  std::mt19937 rng(7);
  // Kernel 4 and stride 3 over 8: out 3, total pad (3-1)*3 + 4 - 8 = 2 on W; on
  // H kernel 4 over 7 at stride 2: out 4, total 3: UPPER pads 1+2, LOWER 2+1.
  const Tensor upper = run_conv(rng, {"upper", {1, 2, 7, 8}, {3, 2, 4, 4}, {.strides = {2, 3}, .auto_pad = "SAME_UPPER"}});
  rng.seed(7);
  const Tensor lower = run_conv(rng, {"lower", {1, 2, 7, 8}, {3, 2, 4, 4}, {.strides = {2, 3}, .auto_pad = "SAME_LOWER"}});
  CHECK(std::memcmp(upper.data(), lower.data(), upper.byte_size()) != 0);
}

TEST_CASE("Conv with a missing optional bias") {
  std::mt19937 rng(11);
  const Tensor x = random_floats(rng, {1, 2, 7});
  const Tensor w = random_floats(rng, {3, 2, 3});
  OpRunner runner("Conv", 11, "conv_missing_bias");
  runner.input(x).constant(w).missing_input();
  check_close(run_threads(runner)[0], naive_conv(x, w, nullptr, {}, 1));
}

TEST_CASE("MaxPool matches the naive pooling, values and Indices") {
  struct PoolCase {
    const char* name;
    Shape x;
    Geometry g;
  };
  const PoolCase cases[] = {
      {"1x1", {1, 1, 1, 1}, {.kernel = {1, 1}}},
      {"3x3 window on a 1x1 input, pads 1", {1, 2, 1, 1}, {.kernel = {3, 3}, .pads = {1, 1, 1, 1}}},
      {"asymmetric pads, strides", {2, 3, 7, 13}, {.kernel = {3, 2}, .strides = {2, 3}, .pads = {1, 0, 1, 1}}},
      {"dilation", {1, 2, 13, 7}, {.kernel = {3, 2}, .strides = {1, 2}, .dilations = {3, 2}, .pads = {2, 1, 1, 0}}},
      {"1D", {2, 3, 13}, {.kernel = {4}, .strides = {3}, .pads = {1, 2}}},
      {"1D length 1", {1, 1, 1}, {.kernel = {1}}},
      {"3D", {1, 2, 5, 7, 6}, {.kernel = {2, 3, 2}, .strides = {2, 2, 1}, .pads = {1, 0, 1, 0, 1, 0}}},
      {"3D dilated", {2, 1, 7, 5, 7}, {.kernel = {2, 2, 3}, .strides = {1, 2, 2}, .dilations = {3, 1, 2}}},
      // ceil 4 per dim; the last window starts at 6 inside 8 and runs one past the end.
      {"ceil_mode keeps a window hanging over the end", {1, 2, 8, 8}, {.kernel = {3, 3}, .strides = {2, 2}, .ceil_mode = true}},
      // ceil((5 + 2 - 2) / 2) + 1 = 4, but window 3 would start at 6 >= 5 + 1: dropped.
      {"ceil_mode drops a window starting in the end padding", {1, 2, 5, 5},
       {.kernel = {2, 2}, .strides = {2, 2}, .pads = {1, 1, 1, 1}, .ceil_mode = true}},
      {"ceil_mode 1D", {1, 3, 13}, {.kernel = {3}, .strides = {4}, .pads = {1, 0}, .ceil_mode = true}},
      {"ceil_mode 3D", {1, 1, 5, 7, 13}, {.kernel = {2, 2, 3}, .strides = {2, 3, 2}, .pads = {0, 1, 1, 1, 0, 1}, .ceil_mode = true}},
      {"SAME_UPPER", {1, 2, 7, 8}, {.kernel = {4, 4}, .strides = {2, 3}, .auto_pad = "SAME_UPPER"}},
      {"SAME_LOWER", {1, 2, 7, 8}, {.kernel = {4, 4}, .strides = {2, 3}, .auto_pad = "SAME_LOWER"}},
      {"VALID", {1, 2, 7, 13}, {.kernel = {3, 4}, .strides = {2, 3}, .pads = {2, 2, 2, 2}, .auto_pad = "VALID"}},
      {"enough planes for threads", {3, 5, 13, 7}, {.kernel = {2, 2}, .strides = {2, 2}, .ceil_mode = true}},
  };
  std::mt19937 rng(314159);
  for (const PoolCase& c : cases)
    for (int order : {0, 1}) {
      INFO("maxpool case: " << c.name << ", storage_order " << order);
      const Tensor x = random_floats(rng, c.x);
      OpRunner runner("MaxPool", 12, c.name);
      runner.input(x).attr_int("storage_order", order).set_output_count(2);
      c.g.apply(runner, true);
      const std::vector<Tensor> y = run_threads(runner);
      const auto [values, indices] = naive_maxpool(x, c.g, order == 1);
      check_close(y[0], values);
      check_identical(y[1], indices);
      // Without the Indices output the values are the same.
      OpRunner values_only("MaxPool", 12, c.name);
      values_only.input(x).attr_int("storage_order", order);
      c.g.apply(values_only, true);
      check_identical(run_threads(values_only)[0], y[0]);
    }
}

TEST_CASE("MaxPool Indices on a known 2x3 plane, both storage orders") {
  // Plane 0 = [[1, 6, 2], [5, 3, 4]]: both 2x2 windows peak at 6, at (h 0, w 1):
  // row-major h*3+w = 1, column-major h+w*2 = 2. Plane 1 = [[0, 0, 0], [0, 9, 0]]
  // peaks at (1, 1): 4 or 3, plus the plane offset 6.
  const Tensor x = Tensor::from_values<float>({1, 2, 2, 3}, {1, 6, 2, 5, 3, 4, 0, 0, 0, 0, 9, 0});
  for (int order : {0, 1}) {
    OpRunner runner("MaxPool", 12, "pool_known");
    runner.input(x).attr_ints("kernel_shape", {2, 2}).attr_int("storage_order", order).set_output_count(2);
    const std::vector<Tensor> y = run_threads(runner);
    const std::vector<std::int64_t> expected =
        order == 0 ? std::vector<std::int64_t>{1, 1, 6 + 4, 6 + 4} : std::vector<std::int64_t>{2, 2, 6 + 3, 6 + 3};
    check_identical(y[1], Tensor::from_values<std::int64_t>({1, 2, 1, 2}, expected));
  }
}

TEST_CASE("GlobalAveragePool and Relu match naive loops") {
  std::mt19937 rng(99);
  for (const Shape& shape : {Shape{1, 1, 1}, Shape{2, 3, 13}, Shape{3, 7, 7, 13}, Shape{1, 2, 3, 5, 7}}) {
    const Tensor x = random_floats(rng, shape);
    OpRunner runner("GlobalAveragePool", 1, "gap");
    runner.input(x);
    const Tensor expected = naive_global_pool(x, [](const float* plane, std::int64_t size) {
      double sum = 0;
      for (std::int64_t i = 0; i < size; ++i) sum += plane[i];
      return static_cast<float>(sum / static_cast<double>(size));
    });
    check_close(run_threads(runner)[0], expected);
  }
  // Big enough (past the 16384 grain) for the pool to split it.
  const Tensor x = random_floats(rng, {3, 7, 13, 97});
  OpRunner relu("Relu", 14, "relu");
  relu.input(x);
  std::vector<float> expected;
  for (std::int64_t i = 0; i < x.element_count(); ++i) expected.push_back(std::max(0.0f, x.data_as<float>()[i]));
  check_identical(run_threads(relu)[0], Tensor::from_values<float>(x.shape(), expected));
}

TEST_CASE("BatchNormalization matches the naive formula on rank 2, 3, 4") {
  std::mt19937 rng(2718);
  for (const Shape& shape : {Shape{7, 3}, Shape{1, 1}, Shape{2, 5, 13}, Shape{2, 3, 7, 7}, Shape{1, 2, 3, 1, 5}})
    for (std::int64_t opset : {9, 15}) {
      const std::int64_t channels = shape[1];
      const Tensor x = random_floats(rng, shape, -3.0f, 3.0f);
      const Tensor scale = random_floats(rng, {channels}, -2.0f, 2.0f);
      const Tensor bias = random_floats(rng, {channels});
      const Tensor mean = random_floats(rng, {channels});
      const Tensor var = random_floats(rng, {channels}, 0.05f, 2.0f);
      const float epsilon = 1e-3f;
      OpRunner runner("BatchNormalization", opset, "bn");
      runner.input(x).constant(scale).constant(bias).constant(mean).constant(var).attr_float("epsilon", epsilon);
      std::vector<float> expected;
      for (std::int64_t i = 0; i < x.element_count(); ++i) {
        const std::int64_t c = unravel(i, shape)[1];
        const double v = x.data_as<float>()[i];
        expected.push_back(static_cast<float>((v - mean.data_as<float>()[c]) /
                                                  std::sqrt(static_cast<double>(var.data_as<float>()[c]) + epsilon) *
                                                  scale.data_as<float>()[c] +
                                              bias.data_as<float>()[c]));
      }
      check_close(run_threads(runner)[0], Tensor::from_values<float>(shape, expected));
    }
}

TEST_CASE("Gemm matches the naive product for every transpose, alpha, beta and C shape") {
  std::mt19937 rng(1618);
  const Ints sizes[] = {{1, 1, 1}, {7, 13, 1}, {13, 7, 13}, {1, 13, 7}, {13, 1, 7}};
  for (const Ints& mnk : sizes)
    for (int trans_a : {0, 1})
      for (int trans_b : {0, 1})
        for (int c_kind = 0; c_kind < 7; ++c_kind) {
          const std::int64_t M = mnk[0], N = mnk[1], K = mnk[2];
          const float alpha = trans_a ? 0.5f : 1.0f, beta = trans_b ? -2.0f : 1.0f;
          const Shape c_shapes[] = {{}, {N}, {1, N}, {M, 1}, {M, N}, {1}, {}};
          const bool has_c = c_kind < 6;
          const Shape c_shape = c_shapes[c_kind];
          INFO("M " << M << " N " << N << " K " << K << " transA " << trans_a << " transB " << trans_b << " C "
                    << (has_c ? onnxrun::shape_to_string(c_shape) : "none"));
          const Tensor a = random_floats(rng, trans_a ? Shape{K, M} : Shape{M, K});
          const Tensor b = random_floats(rng, trans_b ? Shape{N, K} : Shape{K, N});
          const Tensor c = random_floats(rng, c_shape);
          OpRunner runner("Gemm", 13, "gemm");
          runner.input(a).constant(b);
          if (has_c) runner.constant(c);
          runner.attr_int("transA", trans_a).attr_int("transB", trans_b).attr_float("alpha", alpha).attr_float("beta", beta);
          std::vector<float> expected;
          for (std::int64_t i = 0; i < M; ++i)
            for (std::int64_t j = 0; j < N; ++j) {
              double sum = 0;
              for (std::int64_t k = 0; k < K; ++k)
                sum += static_cast<double>(trans_a ? at(a, {k, i}) : at(a, {i, k})) *
                       (trans_b ? at(b, {j, k}) : at(b, {k, j}));
              double c_value = 0;
              if (has_c) {
                // Unidirectional broadcast: a size-1 (or missing) dim repeats.
                Ints index;
                if (c_shape.size() == 2) index = {c_shape[0] == 1 ? 0 : i, c_shape[1] == 1 ? 0 : j};
                if (c_shape.size() == 1) index = {c_shape[0] == 1 ? 0 : j};
                c_value = c.data_as<float>()[ravel(index, c_shape)];
              }
              expected.push_back(static_cast<float>(alpha * sum + beta * c_value));
            }
          check_close(run_threads(runner)[0], Tensor::from_values<float>({M, N}, expected));
        }
}

namespace {

// out[i] = a[i'] + b[i''], numpy broadcasting read from the output index.
template <class T>
Tensor naive_add(const Tensor& a, const Tensor& b) {
  const std::size_t rank = std::max(a.rank(), b.rank());
  auto aligned = [&](const Shape& s) {
    Shape r(rank - s.size(), 1);
    r.insert(r.end(), s.begin(), s.end());
    return r;
  };
  const Shape as = aligned(a.shape()), bs = aligned(b.shape());
  Shape out(rank);
  for (std::size_t d = 0; d < rank; ++d) out[d] = as[d] == 1 ? bs[d] : as[d];
  std::vector<T> values;
  for (std::int64_t o = 0; o < volume(out); ++o) {
    const Ints index = unravel(o, out);
    Ints ai(rank), bi(rank);
    for (std::size_t d = 0; d < rank; ++d) {
      ai[d] = as[d] == 1 ? 0 : index[d];
      bi[d] = bs[d] == 1 ? 0 : index[d];
    }
    values.push_back(static_cast<T>(a.data_as<T>()[ravel(ai, as)] + b.data_as<T>()[ravel(bi, bs)]));
  }
  return Tensor::from_values<T>(out, values);
}

}  // namespace

TEST_CASE("Add broadcasts both ways, float and int64") {
  std::mt19937 rng(4242);
  const std::pair<Shape, Shape> pairs[] = {
      {{2, 3, 4}, {4}}, {{4}, {2, 3, 4}},    {{2, 1, 4}, {3, 1}},   {{13, 1}, {1, 7}}, {{1}, {}},
      {{}, {}},         {{7, 13}, {7, 13}}, {{1, 1, 1}, {7, 1, 13}}, {{7, 1, 13}, {7, 13, 1}},
      {{0, 3}, {1, 3}},
      // Past the grain with a broadcast inner run, so that the pool splits rows.
      {{3000, 7, 1}, {1, 7, 13}},
  };
  for (const auto& [sa, sb] : pairs) {
    INFO("a " << onnxrun::shape_to_string(sa) << " b " << onnxrun::shape_to_string(sb));
    const Tensor a = random_floats(rng, sa), b = random_floats(rng, sb);
    OpRunner runner("Add", 14, "add");
    runner.input(a).input(b);
    check_close(run_threads(runner)[0], naive_add<float>(a, b));

    std::uniform_int_distribution<std::int64_t> dist(-(std::int64_t{1} << 40), std::int64_t{1} << 40);
    std::vector<std::int64_t> ia(static_cast<std::size_t>(volume(sa))), ib(static_cast<std::size_t>(volume(sb)));
    for (auto& v : ia) v = dist(rng);
    for (auto& v : ib) v = dist(rng);
    const Tensor ta = Tensor::from_values<std::int64_t>(sa, ia), tb = Tensor::from_values<std::int64_t>(sb, ib);
    OpRunner int_runner("Add", 14, "add_int64");
    int_runner.input(ta).constant(tb);
    check_identical(run_threads(int_runner)[0], naive_add<std::int64_t>(ta, tb));
  }
}

TEST_CASE("Flatten, Reshape, Identity and Dropout copy the data") {
  std::mt19937 rng(5);
  const Tensor x = random_floats(rng, {2, 3, 7, 13});
  const std::pair<std::int64_t, Shape> flattens[] = {
      {0, {1, 546}}, {1, {2, 273}}, {-1, {42, 13}}, {-3, {2, 273}}, {-4, {1, 546}}, {4, {546, 1}}};
  for (const auto& [axis, shape] : flattens) {
    OpRunner runner("Flatten", 13, "flatten");
    runner.input(x).attr_int("axis", axis);
    const Tensor y = run_threads(runner)[0];
    CHECK(y.shape() == shape);
    CHECK(std::memcmp(y.data(), x.data(), x.byte_size()) == 0);
  }
  OpRunner reshape("Reshape", 14, "reshape");
  reshape.input(x).constant(Tensor::from_values<std::int64_t>({3}, {0, -1, 13}));
  const Tensor reshaped = run_threads(reshape)[0];
  CHECK(reshaped.shape() == Shape{2, 21, 13});
  CHECK(std::memcmp(reshaped.data(), x.data(), x.byte_size()) == 0);
  for (const char* op : {"Identity", "Dropout"}) {
    OpRunner copy(op, 13, "copy");
    copy.input(x);
    check_identical(run_threads(copy)[0], x);
  }
}
