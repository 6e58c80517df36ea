// The Reduce* ops, Softmax / LogSoftmax, LayerNormalization and MatMul
// against naive oracles written here from the ONNX text: one pass per output
// element over the whole input, double accumulation. Sizes 1, 7 and 13,
// keepdims both ways, negative and unsorted axes, empty sets, broadcast batch
// dims. Each case runs with 1 and 3 threads, which must agree bit for bit.
#include <doctest/doctest.h>

#include <algorithm>
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

Tensor axes_tensor(const Ints& axes) { return Tensor::from_values<std::int64_t>({static_cast<std::int64_t>(axes.size())}, axes); }

// --- reductions ---

const char* const kReduceOps[] = {"ReduceSum", "ReduceMean",      "ReduceMax",    "ReduceMin",      "ReduceProd",
                                  "ReduceL1",  "ReduceL2",        "ReduceSumSquare", "ReduceLogSum", "ReduceLogSumExp"};

// Every output gathers the input elements whose kept coordinates match it.
Tensor naive_reduce(const std::string& op, const Tensor& x, Ints axes, bool keepdims) {
  const Shape& xs = x.shape();
  const std::int64_t rank = static_cast<std::int64_t>(xs.size());
  std::vector<bool> reduced(xs.size(), axes.empty());
  for (std::int64_t a : axes) reduced[static_cast<std::size_t>(a < 0 ? a + rank : a)] = true;
  Shape kept_shape;  // keepdims layout
  for (std::size_t d = 0; d < xs.size(); ++d) kept_shape.push_back(reduced[d] ? 1 : xs[d]);
  std::vector<std::vector<double>> groups(static_cast<std::size_t>(volume(kept_shape)));
  for (std::int64_t i = 0; i < volume(xs); ++i) {
    Ints index = unravel(i, xs);
    std::int64_t o = 0;
    for (std::size_t d = 0; d < xs.size(); ++d) o = o * kept_shape[d] + (reduced[d] ? 0 : index[d]);
    groups[static_cast<std::size_t>(o)].push_back(x.data_as<float>()[i]);
  }
  std::vector<float> y;
  for (const std::vector<double>& g : groups) {
    double sum = 0, abs_sum = 0, squares = 0, prod = 1, exps = 0;
    double max = -INFINITY, min = INFINITY;
    for (double v : g) {
      sum += v, abs_sum += std::abs(v), squares += v * v, prod *= v, exps += std::exp(v);
      max = std::max(max, v), min = std::min(min, v);
    }
    const double n = static_cast<double>(g.size());
    const double result = op == "ReduceSum" ? sum : op == "ReduceMean" ? sum / n : op == "ReduceMax" ? max
                          : op == "ReduceMin" ? min : op == "ReduceProd" ? prod : op == "ReduceL1" ? abs_sum
                          : op == "ReduceL2" ? std::sqrt(squares) : op == "ReduceSumSquare" ? squares
                          : op == "ReduceLogSum" ? std::log(sum) : std::log(exps);
    y.push_back(static_cast<float>(result));
  }
  Shape ys;
  for (std::size_t d = 0; d < xs.size(); ++d)
    if (!reduced[d] || keepdims) ys.push_back(kept_shape[d]);
  return Tensor::from_values<float>(ys, y);
}

// Axes from the attribute at `old_opset`, from input 1 at 18.
std::vector<OpRunner> reduce_runners(const std::string& op, const Tensor& x, const Ints& axes, bool keepdims) {
  const std::int64_t old_opset = op == "ReduceSum" ? 11 : 13;
  OpRunner attribute(op, old_opset, op + "_attr");
  attribute.input(x).attr_int("keepdims", keepdims ? 1 : 0);
  if (!axes.empty()) attribute.attr_ints("axes", axes);
  OpRunner input(op, 18, op + "_input");
  input.input(x).attr_int("keepdims", keepdims ? 1 : 0);
  if (!axes.empty()) input.constant(axes_tensor(axes));
  return {attribute, input};
}

}  // namespace

TEST_CASE("Reduce ops match the naive reductions, axes as attribute and as input") {
  struct Case {
    Shape x;
    Ints axes;
  };
  const Case cases[] = {
      {{1}, {}},           {{7}, {0}},           {{13, 7}, {1}},        {{13, 7}, {-2}},
      {{2, 7, 13}, {0, 2}}, {{2, 7, 13}, {2, 0}}, {{2, 7, 13}, {-1, 1}}, {{3, 1, 7, 5}, {1, 2}},
      {{3, 1, 7, 5}, {}},   {{2, 3, 7, 13}, {2, 3}}, {{2, 3, 7, 13}, {0, 1}}, {{1, 1}, {0}},
      // Enough outputs to split across threads: 64 outputs of 300 elements.
      {{64, 300}, {-1}},   {{30, 2, 290}, {1}},
  };
  std::mt19937 rng(1729);
  for (const char* op : kReduceOps)
    for (const Case& c : cases)
      for (bool keepdims : {true, false}) {
        INFO(std::string(op) << " on " << onnxrun::shape_to_string(c.x) << " axes " << onnxrun::shape_to_string(c.axes)
                << " keepdims " << keepdims);
        // Products of many elements stay representable near 1; LogSum needs positive sums.
        const bool near_one = std::string(op) == "ReduceProd", positive = std::string(op) == "ReduceLogSum";
        const Tensor x = random_floats(rng, c.x, near_one ? 0.9f : positive ? 0.0f : -2.0f, near_one ? 1.1f : 2.0f);
        const Tensor expected = naive_reduce(op, x, c.axes, keepdims);
        for (const OpRunner& runner : reduce_runners(op, x, c.axes, keepdims))
          check_close(run_threads(runner)[0], expected);
      }
}

TEST_CASE("Reduce ops over an empty set give ONNX's identities") {
  const Tensor x = Tensor::allocate(DType::Float32, {2, 0, 4});
  const float inf = std::numeric_limits<float>::infinity();
  const std::pair<const char*, float> identities[] = {
      {"ReduceSum", 0.0f},  {"ReduceProd", 1.0f},     {"ReduceMax", -inf},          {"ReduceMin", inf},
      {"ReduceL1", 0.0f},   {"ReduceL2", 0.0f},       {"ReduceSumSquare", 0.0f},    {"ReduceLogSum", -inf},
      {"ReduceLogSumExp", -inf}};
  for (const auto& [op, identity] : identities) {
    INFO(std::string(op));
    OpRunner runner(op, 18, "empty");
    runner.input(x).constant(axes_tensor({1}));
    check_identical(run_threads(runner)[0], Tensor::from_values<float>({2, 1, 4}, std::vector<float>(8, identity)));
    // A zero-sized kept dim leaves nothing to compute.
    OpRunner nothing(op, 18, "empty_kept");
    nothing.input(x).constant(axes_tensor({2})).attr_int("keepdims", 0);
    CHECK(run_threads(nothing)[0].shape() == Shape{2, 0});
  }
  OpRunner mean("ReduceMean", 18, "empty_mean");
  mean.input(x).constant(axes_tensor({1}));
  const Tensor means = run_threads(mean)[0];
  for (std::int64_t i = 0; i < means.element_count(); ++i) CHECK(std::isnan(means.data_as<float>()[i]));
}

TEST_CASE("Reduce ops with empty axes: reduce all, or pass through with noop_with_empty_axes") {
  std::mt19937 rng(3);
  const Tensor x = random_floats(rng, {2, 7, 13});
  for (bool given_empty : {false, true}) {
    OpRunner all("ReduceSum", 13, "sum_all");
    all.input(x).attr_int("keepdims", 0);
    if (given_empty) all.constant(Tensor::allocate(DType::Int64, {0}));
    check_close(run_threads(all)[0], naive_reduce("ReduceSum", x, {}, false));

    OpRunner noop("ReduceSum", 13, "sum_noop");
    noop.input(x).attr_int("noop_with_empty_axes", 1);
    if (given_empty) noop.constant(Tensor::allocate(DType::Int64, {0}));
    check_identical(run_threads(noop)[0], x);
  }
  // ONNX's reference squares the input that ReduceSumSquare passes through.
  OpRunner square("ReduceSumSquare", 18, "square_noop");
  square.input(x).attr_int("noop_with_empty_axes", 1).attr_int("keepdims", 0);
  const Tensor y = run_threads(square)[0];
  REQUIRE(y.shape() == x.shape());
  for (std::int64_t i = 0; i < x.element_count(); ++i)
    CHECK(y.data_as<float>()[i] == x.data_as<float>()[i] * x.data_as<float>()[i]);
  OpRunner l1("ReduceL1", 18, "l1_noop");
  l1.input(x).attr_int("noop_with_empty_axes", 1);
  check_identical(run_threads(l1)[0], x);
}

TEST_CASE("Reduce ops on int64 and bool are exact; Max and Min propagate NaN") {
  const Tensor x = Tensor::from_values<std::int64_t>({2, 3}, {5, -7, 3, std::int64_t{1} << 40, 2, -1});
  const std::pair<const char*, std::vector<std::int64_t>> expected[] = {
      {"ReduceSum", {1, (std::int64_t{1} << 40) + 1}}, {"ReduceMax", {5, std::int64_t{1} << 40}},
      {"ReduceMin", {-7, -1}},  {"ReduceProd", {-105, -(std::int64_t{1} << 41)}}, {"ReduceMean", {0, 366503875925}}};
  for (const auto& [op, values] : expected) {
    INFO(std::string(op));
    OpRunner runner(op, 18, "int64");
    runner.input(x).constant(axes_tensor({-1})).attr_int("keepdims", 0);
    check_identical(run_threads(runner)[0], Tensor::from_values<std::int64_t>({2}, values));
  }
  const Tensor b = Tensor::from_values<bool>({2, 2}, {true, false, false, false});
  OpRunner any("ReduceMax", 20, "bool_max"), all("ReduceMin", 20, "bool_min");
  any.input(b).constant(axes_tensor({1}));
  all.input(b).constant(axes_tensor({0}));
  check_identical(run_threads(any)[0], Tensor::from_values<bool>({2, 1}, {true, false}));
  check_identical(run_threads(all)[0], Tensor::from_values<bool>({1, 2}, {false, false}));

  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (const char* op : {"ReduceMax", "ReduceMin"}) {
    OpRunner runner(op, 13, "nan");
    runner.input(Tensor::from_values<float>({2, 3}, {1, nan, 3, 4, 5, 6})).attr_ints("axes", {1});
    const Tensor y = run_threads(runner)[0];
    CHECK(std::isnan(y.data_as<float>()[0]));
    CHECK(!std::isnan(y.data_as<float>()[1]));
  }
}

TEST_CASE("Reduce errors name the node, the axes and the shape") {
  const auto error = [](OpRunner runner) { return runner.infer_error(); };
  OpRunner out_of_range("ReduceMean", 13, "mean0");
  out_of_range.input_desc(DType::Float32, {2, 3}).attr_ints("axes", {2});
  CHECK(error(out_of_range).find("mean0") != std::string::npos);
  CHECK(error(out_of_range).find("[2,3]") != std::string::npos);
  OpRunner twice("ReduceSum", 11, "sum_twice");
  twice.input_desc(DType::Float32, {2, 3}).attr_ints("axes", {1, -1});
  CHECK(error(twice).find("twice") != std::string::npos);
  OpRunner attribute_at_18("ReduceMax", 18, "max18");
  attribute_at_18.input_desc(DType::Float32, {2, 3}).attr_ints("axes", {1});
  CHECK(error(attribute_at_18).find("input 1") != std::string::npos);
  OpRunner runtime_axes("ReduceSum", 13, "sum_runtime");
  runtime_axes.input_desc(DType::Float32, {2, 3}).input_desc(DType::Int64, {1});
  CHECK(error(runtime_axes).find("axes (input 1)") != std::string::npos);
  OpRunner l2_int("ReduceL2", 18, "l2_int");
  l2_int.input_desc(DType::Int64, {2, 3});
  CHECK(error(l2_int).find("int64") != std::string::npos);
  OpRunner int_mean("ReduceMean", 18, "int_mean");
  int_mean.input_desc(DType::Int64, {2, 0}).constant(axes_tensor({1}));
  CHECK(error(int_mean).find("[2,0]") != std::string::npos);
}

// --- Softmax and LogSoftmax ---

TEST_CASE("Softmax and LogSoftmax match the naive formulas, both axis semantics") {
  struct Case {
    Shape x;
    std::int64_t axis;
    std::int64_t opset;
  };
  const Case cases[] = {
      {{1}, 0, 13},        {{7}, -1, 13},        {{13, 7}, 0, 13},      {{2, 7, 13}, 1, 13},   {{2, 7, 13}, -1, 13},
      {{2, 7, 13}, 0, 13}, {{3, 1, 7, 5}, 2, 13}, {{2, 7, 13}, 1, 11},  {{2, 7, 13}, 0, 11},   {{2, 7, 13}, -1, 11},
      {{2, 7, 13}, 3, 11}, {{13, 7}, 1, 1},       {{50, 400}, -1, 13},  {{3, 500, 40}, 1, 13}, {{40, 3, 170}, 1, 12},
  };
  std::mt19937 rng(161803);
  for (const Case& c : cases)
    for (bool log : {false, true}) {
      INFO((log ? "LogSoftmax" : "Softmax") << " on " << onnxrun::shape_to_string(c.x) << " axis " << c.axis
                                            << " opset " << c.opset);
      // Offsets around 1000 would overflow a naive exp in float.
      const Tensor x = random_floats(rng, c.x, 995.0f, 1005.0f);
      const std::int64_t rank = static_cast<std::int64_t>(c.x.size()), axis = c.axis < 0 ? c.axis + rank : c.axis;
      // Opset < 13 normalizes every dim from axis on; 13+ only dim axis.
      std::vector<bool> normalized(c.x.size());
      for (std::int64_t d = 0; d < rank; ++d) normalized[static_cast<std::size_t>(d)] = c.opset < 13 ? d >= axis : d == axis;
      // Elements of one lane share a key: their index with the normalized dims zeroed.
      const std::int64_t n = volume(c.x);
      std::vector<std::int64_t> key(static_cast<std::size_t>(n));
      for (std::int64_t i = 0; i < n; ++i) {
        const Ints index = unravel(i, c.x);
        std::int64_t k = 0;
        for (std::size_t d = 0; d < c.x.size(); ++d) k = k * c.x[d] + (normalized[d] ? 0 : index[d]);
        key[static_cast<std::size_t>(i)] = k;
      }
      const float* xv = x.data_as<float>();
      std::vector<double> max(static_cast<std::size_t>(n), -INFINITY), sum(static_cast<std::size_t>(n), 0.0);
      for (std::int64_t i = 0; i < n; ++i) max[key[i]] = std::max(max[key[i]], static_cast<double>(xv[i]));
      for (std::int64_t i = 0; i < n; ++i) sum[key[i]] += std::exp(xv[i] - max[key[i]]);
      std::vector<float> expected;
      for (std::int64_t i = 0; i < n; ++i) {
        const double v = xv[i], m = max[key[i]], s = sum[key[i]];
        expected.push_back(static_cast<float>(log ? v - m - std::log(s) : std::exp(v - m) / s));
      }
      OpRunner runner(log ? "LogSoftmax" : "Softmax", c.opset, "softmax");
      runner.input(x).attr_int("axis", c.axis);
      check_close(run_threads(runner)[0], Tensor::from_values<float>(c.x, expected));
    }
  // Default axes: 1 (coerced) before opset 13, -1 from 13.
  std::mt19937 rng2(5);
  const Tensor x = random_floats(rng2, {2, 3, 4});
  OpRunner old_default("Softmax", 11, "old"), old_axis1("Softmax", 11, "old1");
  old_default.input(x);
  old_axis1.input(x).attr_int("axis", 1);
  check_identical(old_default.run(1)[0], old_axis1.run(1)[0]);
  OpRunner new_default("Softmax", 13, "new"), new_last("Softmax", 13, "new_last");
  new_default.input(x);
  new_last.input(x).attr_int("axis", 2);
  check_identical(new_default.run(1)[0], new_last.run(1)[0]);
  OpRunner bad_axis("Softmax", 13, "softmax_bad");
  bad_axis.input(x).attr_int("axis", 3);
  CHECK(bad_axis.infer_error().find("[2,3,4]") != std::string::npos);
}

// --- LayerNormalization ---

TEST_CASE("LayerNormalization matches the naive formula, with its statistics") {
  struct Case {
    Shape x;
    std::int64_t axis;
    Shape scale, bias;  // bias {} with has_bias false: omitted
    bool has_bias = true;
  };
  const Case cases[] = {
      {{3, 4}, 0, {3, 4}, {3, 4}},        {{3, 4}, 1, {4}, {4}},          {{3, 4}, -1, {4}, {4}, false},
      {{2, 3, 5}, 0, {2, 3, 5}, {2, 3, 5}}, {{2, 3, 5}, -2, {3, 5}, {3, 5}}, {{1, 1}, -1, {1}, {1}},
      {{7, 13}, 1, {13}, {}, false},      {{2, 7, 13}, 1, {1, 13}, {7, 1}}, {{2, 7, 13}, -1, {1}, {13}},
      {{1, 7, 13}, 0, {1, 7, 13}, {13}},  {{300, 64}, -1, {64}, {64}},    {{3, 4}, 1, {1, 4}, {4}},
  };
  std::mt19937 rng(577);
  for (const Case& c : cases)
    for (int outputs : {1, 3}) {
      INFO("x " << onnxrun::shape_to_string(c.x) << " axis " << c.axis << " scale "
                << onnxrun::shape_to_string(c.scale) << " outputs " << outputs);
      // A large common offset: a one-pass variance in float would cancel it badly.
      const Tensor x = random_floats(rng, c.x, 99.0f, 101.0f);
      const Tensor scale = random_floats(rng, c.scale, -2.0f, 2.0f), bias = random_floats(rng, c.bias);
      const float epsilon = 1e-3f;
      OpRunner runner("LayerNormalization", 17, "ln");
      runner.input(x).constant(scale).attr_int("axis", c.axis).attr_float("epsilon", epsilon);
      if (c.has_bias) runner.constant(bias);
      runner.set_output_count(static_cast<std::size_t>(outputs));
      const std::vector<Tensor> y = run_threads(runner);

      const std::int64_t rank = static_cast<std::int64_t>(c.x.size()), axis = c.axis < 0 ? c.axis + rank : c.axis;
      const Shape normalized(c.x.begin() + axis, c.x.end());
      const std::int64_t size = volume(normalized), rows = volume(c.x) / size;
      // Right-aligned broadcast of Scale or B to the normalized shape; dims
      // of theirs left of it are 1s.
      const auto affine = [&](const Tensor& t, std::int64_t i) {
        const Ints index = unravel(i, normalized);
        const Shape& s = t.shape();
        std::int64_t flat = 0;
        for (std::size_t d = 0; d < s.size(); ++d) {
          const std::size_t from_right = s.size() - d;
          const std::int64_t at = from_right <= index.size() ? index[index.size() - from_right] : 0;
          flat = flat * s[d] + (s[d] == 1 ? 0 : at);
        }
        return static_cast<double>(t.data_as<float>()[flat]);
      };
      std::vector<float> expected, means, inv_std_devs;
      for (std::int64_t r = 0; r < rows; ++r) {
        const float* row = x.data_as<float>() + r * size;
        double mean = 0, var = 0;
        for (std::int64_t i = 0; i < size; ++i) mean += row[i];
        mean /= static_cast<double>(size);
        for (std::int64_t i = 0; i < size; ++i) var += (row[i] - mean) * (row[i] - mean);
        var /= static_cast<double>(size);
        const double inv = 1.0 / std::sqrt(var + epsilon);
        for (std::int64_t i = 0; i < size; ++i)
          expected.push_back(static_cast<float>((row[i] - mean) * inv * affine(scale, i) +
                                                (c.has_bias ? affine(bias, i) : 0.0)));
        means.push_back(static_cast<float>(mean));
        inv_std_devs.push_back(static_cast<float>(inv));
      }
      check_close(y[0], Tensor::from_values<float>(c.x, expected));
      if (outputs == 3) {
        Shape statistics(c.x.begin(), c.x.begin() + axis);
        statistics.resize(c.x.size(), 1);
        check_close(y[1], Tensor::from_values<float>(statistics, means));
        check_close(y[2], Tensor::from_values<float>(statistics, inv_std_devs));
      }
    }
  OpRunner bad_scale("LayerNormalization", 17, "ln_bad");
  bad_scale.input_desc(DType::Float32, {2, 3, 5}).input_desc(DType::Float32, {3});
  const std::string error = bad_scale.infer_error();
  CHECK(error.find("ln_bad") != std::string::npos);
  CHECK(error.find("[2,3,5]") != std::string::npos);
  CHECK(error.find("[3]") != std::string::npos);
  OpRunner omitted_mean("LayerNormalization", 17, "ln_omit");
  omitted_mean.input(Tensor::from_values<float>({1, 2}, {1, 3})).constant(Tensor::from_values<float>({2}, {1, 1}));
  omitted_mean.set_output_count(3).omit_output(1);
  const std::vector<Tensor> y = omitted_mean.run(1);
  check_close(y[0], Tensor::from_values<float>({1, 2}, {-1.0f / std::sqrt(1.0f + 1e-5f), 1.0f / std::sqrt(1.0f + 1e-5f)}));
  CHECK(y[1].empty());
  CHECK(y[2].shape() == Shape{1, 1});
}

// --- MatMul ---

TEST_CASE("MatMul matches the naive product with 1-D operands and broadcast batches") {
  const std::pair<Shape, Shape> pairs[] = {
      {{7}, {7}},           {{7}, {7, 13}},        {{13, 7}, {7}},           {{1, 1}, {1, 1}},
      {{13, 7}, {7, 13}},   {{2, 3, 7, 13}, {13, 5}}, {{13}, {2, 13, 7}},    {{2, 1, 7, 13}, {3, 13, 5}},
      {{3, 7, 13}, {1, 13, 1}}, {{1, 7, 1}, {4, 1, 13}}, {{0, 7}, {7, 3}},   {{7, 0}, {0, 3}},
      {{2, 0, 7}, {7, 3}},  {{4, 50, 64}, {64, 32}}, {{3, 1, 40, 20}, {1, 5, 20, 100}},
      // One B for every batch: the stacked SGEMM path, sizes around its 6-row
      // and 8/16/32-column panels and its 256-deep K blocks.
      {{1, 5, 5, 19}, {19, 33}}, {{2, 3, 37, 300}, {300, 17}}, {{61, 7}, {7, 64}}, {{3, 1, 7}, {1, 7, 9}},
  };
  std::mt19937 rng(6174);
  for (const auto& [sa, sb] : pairs) {
    INFO("A " << onnxrun::shape_to_string(sa) << " B " << onnxrun::shape_to_string(sb));
    const Tensor a = random_floats(rng, sa), b = random_floats(rng, sb);
    Shape ea = sa, eb = sb;
    if (ea.size() == 1) ea.insert(ea.begin(), 1);
    if (eb.size() == 1) eb.push_back(1);
    const std::size_t batch_rank = std::max(ea.size(), eb.size()) - 2;
    ea.insert(ea.begin(), batch_rank + 2 - ea.size(), 1);
    eb.insert(eb.begin(), batch_rank + 2 - eb.size(), 1);
    const std::int64_t M = ea[batch_rank], K = ea[batch_rank + 1], N = eb[batch_rank + 1];
    Shape full;  // batch dims, M, N
    for (std::size_t d = 0; d < batch_rank; ++d) full.push_back(ea[d] == 1 ? eb[d] : ea[d]);
    full.push_back(M);
    full.push_back(N);
    std::vector<float> expected;
    for (std::int64_t o = 0; o < volume(full); ++o) {
      const Ints index = unravel(o, full);
      std::int64_t a_base = 0, b_base = 0;
      for (std::size_t d = 0; d < batch_rank; ++d) {
        a_base = a_base * ea[d] + (ea[d] == 1 ? 0 : index[d]);
        b_base = b_base * eb[d] + (eb[d] == 1 ? 0 : index[d]);
      }
      const std::int64_t i = index[batch_rank], j = index[batch_rank + 1];
      double sum = 0;
      for (std::int64_t k = 0; k < K; ++k)
        sum += static_cast<double>(a.data_as<float>()[(a_base * M + i) * K + k]) * b.data_as<float>()[(b_base * K + k) * N + j];
      expected.push_back(static_cast<float>(sum));
    }
    Shape ys(full.begin(), full.end() - 2);
    if (sa.size() > 1) ys.push_back(M);
    if (sb.size() > 1) ys.push_back(N);
    // B fed at run time, and B a constant (a Linear layer's weights, packed at load).
    for (bool constant_b : {false, true}) {
      INFO("B constant " << constant_b);
      OpRunner runner("MatMul", 13, "matmul");
      runner.input(a);
      if (constant_b) runner.constant(b);
      else runner.input(b);
      check_close(run_threads(runner)[0], Tensor::from_values<float>(ys, expected));
    }
  }
  OpRunner inner("MatMul", 13, "mm_inner");
  inner.input_desc(DType::Float32, {2, 3, 4}).input_desc(DType::Float32, {5, 6});
  CHECK(inner.infer_error().find("mm_inner") != std::string::npos);
  CHECK(inner.infer_error().find("[2,3,4]") != std::string::npos);
  OpRunner batch("MatMul", 13, "mm_batch");
  batch.input_desc(DType::Float32, {2, 3, 4}).input_desc(DType::Float32, {3, 4, 6});
  CHECK(batch.infer_error().find("[3,4,6]") != std::string::npos);
}
