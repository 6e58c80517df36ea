// The SIMD element-wise kernels (ops/kernels/elementwise_kernels.hpp) against
// the scalar definitions the ops use, for every instruction set this machine
// runs, at sizes around the vector widths, NaN and infinities included; and
// the ops that run them (Relu, Clip, LeakyRelu, Sigmoid, HardSigmoid,
// HardSwish, Tanh, Exp, Erf, and Add/Sub/Mul/Div on same shapes, scalars,
// per-channel and per-(n,c) operands), which must agree with scalar oracles
// and give the same bits on 1 and 3 threads.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "ops/kernels/elementwise_kernels.hpp"
#include "tests/support/isa_loop.hpp"
#include "tests/support/op_runner.hpp"

namespace k = onnxrun::kernels;
using onnxrun::DType;
using onnxrun::Shape;
using onnxrun::Tensor;
using onnxrun::testing::available_isas;
using onnxrun::testing::IsaGuard;
using onnxrun::testing::OpRunner;

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();
const std::int64_t kSizes[] = {1, 7, 8, 9, 15, 16, 17, 31, 33, 1000};

// Values in [-range, range], with NaN, the infinities and signed zeros at the
// start, near the end (in the vector tail) and spread between. The last is
// -inf, not NaN, so that an unwritten output (NaN-poisoned by OpRunner) shows.
std::vector<float> test_values(std::mt19937& rng, std::int64_t n, float range = 8.0f) {
  std::uniform_real_distribution<float> dist(-range, range);
  std::vector<float> v(static_cast<std::size_t>(n));
  for (float& x : v) x = dist(rng);
  const float specials[] = {kNaN, kInf, -kInf, 0.0f, -0.0f};
  for (std::int64_t i = 0; i < n; i += 11) v[static_cast<std::size_t>(i)] = specials[(i / 11) % 5];
  if (n > 2) v[v.size() - 2] = kNaN;
  if (n > 1) v.back() = -kInf;
  return v;
}

// Mismatching elements: NaN must meet NaN and infinities be equal; finite
// values within the project tolerance (1e-4 * max|expected| + 1e-5), or
// equal when exact.
std::int64_t mismatches(const float* actual, const std::vector<float>& expected, bool exact) {
  double max_expected = 0;
  for (float e : expected)
    if (std::isfinite(e)) max_expected = std::max(max_expected, std::abs(static_cast<double>(e)));
  const double tolerance = exact ? 0.0 : 1e-4 * max_expected + 1e-5;
  std::int64_t count = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const float a = actual[i], e = expected[i];
    if (std::isnan(e) || std::isnan(a)) count += !(std::isnan(e) && std::isnan(a));
    else if (std::isinf(e) || exact) count += !(a == e);
    else count += !(std::abs(static_cast<double>(a) - e) <= tolerance);
  }
  return count;
}

float clamp01(float v) { return v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v); }

struct UnaryCase {
  const char* name;
  k::UnaryFunction function;
  std::function<float(float)> reference;  // the scalar op's formula (ops/elementwise)
};

k::UnaryFunction activation(k::Activation kind, float alpha = 0, float beta = 0) {
  return k::UnaryFunction{k::UnaryKind::Activation, k::ActivationParams{kind, alpha, beta}};
}

std::vector<UnaryCase> unary_cases() {
  return {
      {"Relu", activation(k::Activation::Relu), [](float x) { return x < 0 ? 0.0f : x; }},
      {"Clip", activation(k::Activation::Clip, -0.5f, 0.7f),
       [](float x) {
         const float v = x < -0.5f ? -0.5f : x;
         return v > 0.7f ? 0.7f : v;
       }},
      {"Clip min > max", activation(k::Activation::Clip, 2.0f, 1.0f),
       [](float x) {
         const float v = x < 2.0f ? 2.0f : x;
         return v > 1.0f ? 1.0f : v;
       }},
      {"LeakyRelu", activation(k::Activation::LeakyRelu, 0.1f), [](float x) { return x < 0 ? x * 0.1f : x; }},
      {"Sigmoid", activation(k::Activation::Sigmoid),
       [](float x) {
         if (x >= 0) return 1.0f / (1.0f + std::exp(-x));
         const float e = std::exp(x);
         return e / (1.0f + e);
       }},
      {"HardSigmoid", activation(k::Activation::HardSigmoid, 0.2f, 0.5f),
       [](float x) { return clamp01(0.2f * x + 0.5f); }},
      {"HardSwish", activation(k::Activation::HardSwish, 1.0f / 6.0f, 0.5f),
       [](float x) { return x * clamp01(x / 6.0f + 0.5f); }},
      {"Silu", activation(k::Activation::Silu), [](float x) { return x / (1.0f + std::exp(-x)); }},
      {"Tanh", k::UnaryFunction{k::UnaryKind::Tanh, {}}, [](float x) { return std::tanh(x); }},
      {"Exp", k::UnaryFunction{k::UnaryKind::Exp, {}}, [](float x) { return std::exp(x); }},
      {"Erf", k::UnaryFunction{k::UnaryKind::Erf, {}}, [](float x) { return std::erf(x); }},
      {"identity", activation(k::Activation::None), [](float x) { return x; }},
  };
}

}  // namespace

TEST_CASE("simd unary kernels match the scalar ops at vector edges, NaN and infinities included, every ISA") {
  IsaGuard guard;
  std::mt19937 rng(3);
  for (k::Isa isa : available_isas()) {
    k::set_active_isa(isa);
    for (const UnaryCase& c : unary_cases())
      for (std::int64_t n : kSizes) {
        INFO(c.name << " n " << n << " isa " << std::string(k::isa_name(isa)));
        const std::vector<float> x = test_values(rng, n);
        std::vector<float> expected(x.size()), y(x.size(), 12345.0f);
        std::transform(x.begin(), x.end(), expected.begin(), c.reference);
        k::elementwise_unary(c.function, x.data(), y.data(), n);
        CHECK(mismatches(y.data(), expected, false) == 0);
        // In place, and cut into ranges as threads would: the same bits.
        std::vector<float> in_place = x;
        const std::int64_t cut = n / 3;
        k::elementwise_unary(c.function, in_place.data(), in_place.data(), cut);
        k::elementwise_unary(c.function, in_place.data() + cut, in_place.data() + cut, n - cut);
        CHECK(std::memcmp(in_place.data(), y.data(), y.size() * sizeof(float)) == 0);
      }
  }
}

// The vector Sigmoid and SiLU (ops/kernels/sigmoid_simd.hpp) build e^-x from
// a polynomial instead of xsimd::exp: over [-100, 100] in steps of 1/4096,
// they stay within 1e-6 of the double formula, relative, where the result is
// a normal float (3e-7 measured on SSE2 and AVX2); below -87, where the
// argument is clamped, within 2e-38 absolute (Sigmoid) or 100 e^-87 (SiLU).
TEST_CASE("simd Sigmoid and SiLU stay within 1e-6 relative error of the double formula over [-100, 100], every ISA") {
  IsaGuard guard;
  std::vector<float> x;
  for (double v = -100.0; v <= 100.0; v += 1.0 / 4096) x.push_back(static_cast<float>(v));
  const double silu_bound = 100.0 * std::exp(-87.0);  // |silu| below -87, where the kernel gives -0
  for (k::Isa isa : available_isas()) {
    k::set_active_isa(isa);
    for (k::Activation kind : {k::Activation::Sigmoid, k::Activation::Silu}) {
      const bool silu = kind == k::Activation::Silu;
      INFO((silu ? "Silu" : "Sigmoid") << " isa " << std::string(k::isa_name(isa)));
      std::vector<float> y(x.size());
      k::elementwise_unary(activation(kind), x.data(), y.data(), static_cast<std::int64_t>(x.size()));
      std::int64_t bad = 0;
      double worst = 0;
      for (std::size_t i = 0; i < x.size(); ++i) {
        const double v = x[i], sigmoid = 1.0 / (1.0 + std::exp(-v)), expected = silu ? v * sigmoid : sigmoid;
        const double error = std::abs(y[i] - expected);
        const bool clamped = v < -87.0;
        const bool ok = clamped ? error <= (silu ? silu_bound : 2e-38)
                                : error <= 1e-6 * std::abs(expected) || std::abs(expected) < 1.2e-38;
        bad += !ok;
        if (!clamped && std::abs(expected) >= 1.2e-38) worst = std::max(worst, error / std::abs(expected));
      }
      INFO("worst relative error " << worst);
      CHECK(bad == 0);
      CHECK(worst > 0.0);  // the sweep reached finite, non-clamped values
    }
  }
}

namespace {

float arith(k::BinaryArith op, float a, float b) {
  switch (op) {
    case k::BinaryArith::Add: return a + b;
    case k::BinaryArith::Sub: return a - b;
    case k::BinaryArith::Mul: return a * b;
    case k::BinaryArith::Div: return a / b;
  }
  return 0;
}

const k::BinaryArith kArith[] = {k::BinaryArith::Add, k::BinaryArith::Sub, k::BinaryArith::Mul, k::BinaryArith::Div};
const char* const kArithNames[] = {"Add", "Sub", "Mul", "Div"};

}  // namespace

TEST_CASE("simd binary kernels give the scalar results exactly: vector-vector, vector-scalar, scalar-vector") {
  IsaGuard guard;
  std::mt19937 rng(9);
  for (k::Isa isa : available_isas()) {
    k::set_active_isa(isa);
    for (int o = 0; o < 4; ++o)
      for (std::int64_t n : kSizes) {
        const k::BinaryArith op = kArith[o];
        INFO(kArithNames[o] << " n " << n << " isa " << std::string(k::isa_name(isa)));
        const std::vector<float> a = test_values(rng, n, 2.0f), b = test_values(rng, n, 2.0f);
        const float s = -1.75f;
        std::vector<float> vv(a.size()), vs(a.size()), sv(a.size()), out(a.size(), 12345.0f);
        for (std::size_t i = 0; i < a.size(); ++i) {
          vv[i] = arith(op, a[i], b[i]);
          vs[i] = arith(op, a[i], s);
          sv[i] = arith(op, s, b[i]);
        }
        k::elementwise_binary(op, a.data(), b.data(), out.data(), n);
        CHECK(mismatches(out.data(), vv, true) == 0);
        k::elementwise_binary_vs(op, a.data(), s, out.data(), n);
        CHECK(mismatches(out.data(), vs, true) == 0);
        k::elementwise_binary_sv(op, s, b.data(), out.data(), n);
        CHECK(mismatches(out.data(), sv, true) == 0);
        // In place over either operand.
        std::vector<float> a_copy = a, b_copy = b;
        k::elementwise_binary(op, a_copy.data(), b.data(), a_copy.data(), n);
        CHECK(mismatches(a_copy.data(), vv, true) == 0);
        k::elementwise_binary_sv(op, s, b_copy.data(), b_copy.data(), n);
        CHECK(mismatches(b_copy.data(), sv, true) == 0);
      }
  }
}

namespace {

std::int64_t volume(const Shape& shape) {
  std::int64_t n = 1;
  for (std::int64_t d : shape) n *= d;
  return n;
}

Tensor tensor_of(const Shape& shape, const std::vector<float>& v) { return Tensor::from_values<float>(shape, v); }

// The op run with 1 and 3 threads, which must give the same bits.
Tensor run_both(const OpRunner& runner) {
  const Tensor one = runner.run(1)[0], three = runner.run(3)[0];
  REQUIRE(one.shape() == three.shape());
  CHECK(std::memcmp(one.data(), three.data(), one.byte_size()) == 0);
  return one;
}

// numpy broadcasting, one output element at a time.
std::vector<float> broadcast_oracle(k::BinaryArith op, const Tensor& a, const Tensor& b, const Shape& out) {
  const std::size_t rank = out.size();
  auto offset = [&](const Shape& shape, std::int64_t flat) {
    std::int64_t result = 0, stride = 1;
    for (std::size_t d = rank; d-- > 0;) {
      const std::int64_t index = flat % out[d];
      flat /= out[d];
      const std::size_t skip = rank - shape.size();
      if (d >= skip && shape[d - skip] != 1) result += index * stride;
      if (d >= skip) stride *= shape[d - skip];
    }
    return result;
  };
  std::vector<float> y(static_cast<std::size_t>(volume(out)));
  for (std::int64_t i = 0; i < volume(out); ++i)
    y[static_cast<std::size_t>(i)] =
        arith(op, a.data_as<float>()[offset(a.shape(), i)], b.data_as<float>()[offset(b.shape(), i)]);
  return y;
}

}  // namespace

TEST_CASE("unary ops and Clip on float32 match the scalar formulas, NaN passing through, every ISA") {
  IsaGuard guard;
  std::mt19937 rng(13);
  struct OpCase {
    const char* op;
    float alpha, beta;  // attributes where the op has them
    std::function<float(float)> reference;
  };
  const std::vector<OpCase> cases = {
      {"Relu", 0, 0, [](float x) { return x < 0 ? 0.0f : x; }},
      {"LeakyRelu", 0.3f, 0, [](float x) { return x < 0 ? x * 0.3f : x; }},
      {"Sigmoid", 0, 0, unary_cases()[4].reference},
      {"HardSigmoid", 0.3f, 0.4f, [](float x) { return clamp01(0.3f * x + 0.4f); }},
      {"HardSwish", 0, 0, unary_cases()[6].reference},
      {"Tanh", 0, 0, [](float x) { return std::tanh(x); }},
      {"Exp", 0, 0, [](float x) { return std::exp(x); }},
      {"Clip", -1.5f, 2.5f,
       [](float x) {
         const float v = x < -1.5f ? -1.5f : x;
         return v > 2.5f ? 2.5f : v;
       }},
  };
  // Small and odd, and large enough to be split over threads mid-vector.
  const Shape shapes[] = {{2, 3, 5, 7}, {1, 16, 67, 67}};
  for (k::Isa isa : available_isas()) {
    k::set_active_isa(isa);
    for (const OpCase& c : cases)
      for (const Shape& shape : shapes) {
        const std::vector<float> x = test_values(rng, volume(shape));
        OpRunner runner(c.op, 14, "unary");
        runner.input(tensor_of(shape, x));
        const std::string op = c.op;
        if (op == "LeakyRelu") runner.attr_float("alpha", c.alpha);
        if (op == "HardSigmoid") runner.attr_float("alpha", c.alpha).attr_float("beta", c.beta);
        if (op == "Clip") runner.constant(tensor_of({}, {c.alpha})).constant(tensor_of({}, {c.beta}));
        std::vector<float> expected(x.size());
        std::transform(x.begin(), x.end(), expected.begin(), c.reference);
        INFO(c.op << " " << onnxrun::shape_to_string(shape) << " isa " << std::string(k::isa_name(isa)));
        CHECK(mismatches(run_both(runner).data_as<float>(), expected, false) == 0);
      }
    // A NaN bound clips nothing (every comparison with it is false).
    const std::vector<float> x = test_values(rng, 37);
    OpRunner nan_bounds("Clip", 13, "clip");
    nan_bounds.input(tensor_of({37}, x)).constant(tensor_of({}, {kNaN})).constant(tensor_of({}, {kNaN}));
    CHECK(mismatches(run_both(nan_bounds).data_as<float>(), x, true) == 0);
  }
}

TEST_CASE("Add, Sub, Mul, Div on float32: same shapes, scalars, per-channel and per-(n,c) operands, every ISA") {
  IsaGuard guard;
  std::mt19937 rng(19);
  struct ShapePair {
    Shape a, b;
  };
  const std::vector<ShapePair> pairs = {
      {{2, 3, 5, 7}, {2, 3, 5, 7}},      // same shape
      {{2, 3, 5, 7}, {3, 1, 1}},         // per-channel, [C,1,1]
      {{2, 3, 5, 7}, {1, 3, 1, 1}},      // per-channel, [1,C,1,1]
      {{1, 3, 1, 1}, {2, 3, 5, 7}},      // per-channel on the left (Sub, Div are not symmetric)
      {{2, 3, 5, 7}, {}},                // scalar
      {{2, 3, 5, 7}, {1}},               // scalar as [1]
      {{}, {2, 3, 5, 7}},                // scalar on the left
      {{2, 3, 5, 7}, {2, 3, 1, 1}},      // per-(n,c): squeeze-and-excitation
      {{2, 1, 5, 7}, {2, 3, 1, 1}},      // both broadcast
      {{2, 3, 5, 7}, {5, 7}},            // trailing dims
      {{3, 1}, {1, 1}},                  // runs with both operands constant: the scalar path
      {{1, 64, 56, 56}, {1, 64, 56, 56}},  // rows split over threads mid-vector
      {{1, 64, 56, 56}, {1, 64, 1, 1}},
      {{4, 96, 7, 7}, {4, 96, 1, 1}},
  };
  for (k::Isa isa : available_isas()) {
    k::set_active_isa(isa);
    for (int o = 0; o < 4; ++o)
      for (const ShapePair& pair : pairs) {
        const Tensor a = tensor_of(pair.a, test_values(rng, volume(pair.a), 3.0f));
        const Tensor b = tensor_of(pair.b, test_values(rng, volume(pair.b), 3.0f));
        OpRunner runner(kArithNames[o], 14, "binary");
        runner.input(a).input(b);
        const Tensor y = run_both(runner);
        INFO(kArithNames[o] << " " << onnxrun::shape_to_string(pair.a) << " and "
                            << onnxrun::shape_to_string(pair.b) << " isa " << std::string(k::isa_name(isa)));
        const std::vector<float> expected = broadcast_oracle(kArith[o], a, b, y.shape());
        CHECK(mismatches(y.data_as<float>(), expected, true) == 0);
      }
  }
}

TEST_CASE("simd Erf is within a few ulp of std::erf over its whole curve, every ISA") {
  IsaGuard guard;
  std::vector<float> x;
  for (float v = -6.0f; v <= 6.0f; v += 1.0f / 1024) x.push_back(v);
  for (float v : {1e-30f, -1e-30f, 1e-8f, 30.0f, -30.0f}) x.push_back(v);
  std::vector<float> y(x.size());
  for (k::Isa isa : available_isas()) {
    k::set_active_isa(isa);
    const auto n = static_cast<std::int64_t>(x.size());
    k::elementwise_unary(k::UnaryFunction{k::UnaryKind::Erf, {}}, x.data(), y.data(), n);
    double worst = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double exact = std::erf(static_cast<double>(x[i]));
      // In units of the float spacing at the exact value (erf is at most 1).
      const double ulp = std::max(std::abs(exact), 1e-30) * 0x1p-23;
      worst = std::max(worst, std::abs(y[i] - exact) / ulp);
    }
    INFO("isa " << std::string(k::isa_name(isa)) << " worst " << worst << " ulp");
    CHECK(worst <= 4.0);
  }
}
