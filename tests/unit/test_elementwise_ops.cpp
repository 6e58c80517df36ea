// Element-wise ops (ops/elementwise, Dropout) against naive references written
// here from the ONNX spec: double precision, one output element at a time,
// broadcasting done by index arithmetic. Shapes include scalars, empty
// tensors, both directions of broadcasting and sizes past the 16384-element
// task chunk; every case runs with 1 and 3 threads, which must agree bit for bit.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <functional>
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
using namespace onnxrun::testing;  // check_close, element, OpRunner, tensor_helpers.hpp

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Flat index into `in` of the element that numpy broadcasting reads for
// output element `flat` of shape `out`.
std::int64_t broadcast_source(std::int64_t flat, const Shape& out, const Shape& in) {
  std::int64_t index = 0, stride = 1;
  for (std::size_t k = 0; k < in.size(); ++k) {
    const std::size_t d_in = in.size() - 1 - k, d_out = out.size() - 1 - k;
    const std::int64_t coordinate = (flat / [&] {
      std::int64_t s = 1;
      for (std::size_t j = d_out + 1; j < out.size(); ++j) s *= out[j];
      return s;
    }()) % out[d_out];
    if (in[d_in] != 1) index += coordinate * stride;
    stride *= in[d_in];
  }
  return index;
}

Shape broadcast(const std::vector<Shape>& shapes) {
  std::size_t rank = 0;
  for (const Shape& s : shapes) rank = std::max(rank, s.size());
  Shape out(rank, 1);
  for (const Shape& s : shapes)
    for (std::size_t k = 0; k < s.size(); ++k)
      if (s[s.size() - 1 - k] != 1) out[rank - 1 - k] = s[s.size() - 1 - k];
  return out;
}

template <class T> T saturated(double v) {
  if (v >= std::ldexp(1.0, std::numeric_limits<T>::digits)) return std::numeric_limits<T>::max();
  if (v <= static_cast<double>(std::numeric_limits<T>::lowest())) return std::numeric_limits<T>::lowest();
  return static_cast<T>(v);
}

// A tensor of `dtype` from doubles; integers saturate (so that the int64
// maximum, which a double rounds up to 2^63, can be written down).
Tensor make(DType dtype, const Shape& shape, const std::vector<double>& values) {
  Tensor t = Tensor::allocate(dtype, shape);
  REQUIRE(static_cast<std::int64_t>(values.size()) == t.element_count());
  for (std::size_t i = 0; i < values.size(); ++i) switch (dtype) {
      case DType::Float32: t.mutable_data_as<float>()[i] = static_cast<float>(values[i]); break;
      case DType::Float64: t.mutable_data_as<double>()[i] = values[i]; break;
      case DType::Int32: t.mutable_data_as<std::int32_t>()[i] = saturated<std::int32_t>(values[i]); break;
      case DType::Int64: t.mutable_data_as<std::int64_t>()[i] = saturated<std::int64_t>(values[i]); break;
      case DType::UInt8: t.mutable_data_as<std::uint8_t>()[i] = saturated<std::uint8_t>(values[i]); break;
      case DType::Bool: t.mutable_data_as<bool>()[i] = values[i] != 0; break;
    }
  return t;
}

// Random values that every dtype holds exactly: integers for integer types.
Tensor random_tensor(std::mt19937& rng, DType dtype, const Shape& shape, double low = -4, double high = 4) {
  std::uniform_real_distribution<double> dist(low, high);
  std::vector<double> values(static_cast<std::size_t>(volume(shape)));
  for (double& v : values) {
    v = dist(rng);
    if (dtype == DType::Bool) v = v > (low + high) / 2;
    else if (dtype != DType::Float32 && dtype != DType::Float64) v = std::round(v);
  }
  return make(dtype, shape, values);
}

using Reference = std::function<double(const std::vector<double>&)>;

// The naive output of an n-ary op: reference(values read with broadcasting).
Tensor naive(const std::vector<Tensor>& inputs, DType out_dtype, const Reference& reference) {
  std::vector<Shape> shapes;
  for (const Tensor& t : inputs) shapes.push_back(t.shape());
  const Shape out = broadcast(shapes);
  std::vector<double> values;
  for (std::int64_t i = 0; i < volume(out); ++i) {
    std::vector<double> args;
    for (const Tensor& t : inputs) args.push_back(element(t, broadcast_source(i, out, t.shape())));
    values.push_back(reference(args));
  }
  return make(out_dtype, out, values);
}

// Exact comparison for integer and bool outputs, NaN equal to NaN for floats.
// One assertion per tensor, naming the first mismatch: one per element made
// these tests 9 million assertions, a minute under the sanitizers.
void check_exact(const Tensor& actual, const Tensor& expected) {
  REQUIRE(onnxrun::shape_to_string(actual.shape()) == onnxrun::shape_to_string(expected.shape()));
  REQUIRE(std::string(dtype_name(actual.dtype())) == dtype_name(expected.dtype()));
  std::int64_t mismatches = 0, first = -1;
  for (std::int64_t i = 0; i < expected.element_count(); ++i) {
    const double a = element(actual, i), e = element(expected, i);
    if (a == e || (std::isnan(a) && std::isnan(e))) continue;
    if (mismatches++ == 0) first = i;
  }
  INFO(mismatches << " of " << expected.element_count() << " elements differ; the first, element " << first
                  << ": " << (first < 0 ? 0 : element(actual, first)) << ", expected "
                  << (first < 0 ? 0 : element(expected, first)));
  CHECK(mismatches == 0);
}

// Wrapping integer arithmetic, the reference way: in 64 bits, then reduced
// modulo 2^bits by the conversion to the narrower type.
double wrap_to(DType dtype, std::uint64_t v) {
  switch (dtype) {
    case DType::Int32: return static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
    case DType::Int64: return static_cast<double>(static_cast<std::int64_t>(v));
    case DType::UInt8: return static_cast<std::uint8_t>(v);
    default: return static_cast<double>(v);
  }
}

const std::vector<std::pair<Shape, Shape>> kBroadcastPairs = {
    {{2, 3, 4}, {4}},  {{4}, {2, 3, 4}},        {{2, 1, 4}, {3, 1}}, {{13, 1}, {1, 7}},     {{1}, {}},
    {{}, {}},          {{7, 13}, {7, 13}},      {{1, 1, 1}, {7, 1, 13}}, {{7, 1, 13}, {7, 13, 1}},
    {{0, 3}, {1, 3}},  {{3000, 7, 1}, {1, 7, 13}}, {{40000}, {40000}}, {{2, 20000}, {1}},
    // A short innermost pattern repeated (binary_ops.cpp's own path): an
    // NCHW8c squeeze-excitation scale both ways round, groups longer than
    // its 256-float tile, and a 4-long pattern.
    {{2, 3, 1, 1, 8}, {2, 3, 5, 7, 8}}, {{2, 3, 5, 7, 8}, {2, 3, 1, 1, 8}}, {{1, 2, 1, 1, 8}, {1, 2, 9, 40, 8}},
    {{3, 50, 4}, {3, 1, 4}},
};

}  // namespace

TEST_CASE("unary float ops match double references, float32 and float64") {
  struct Case {
    const char* op;
    std::int64_t opset;
    double low, high;
    Reference reference;
    std::vector<std::pair<const char*, float>> attrs = {};
    const char* approximate = nullptr;
  };
  const float alpha = 0.1f;
  const std::vector<Case> cases = {
      {"LeakyRelu", 16, -4, 4, [&](auto v) { return v[0] < 0 ? alpha * v[0] : v[0]; }, {{"alpha", alpha}}},
      {"LeakyRelu", 6, -4, 4, [](auto v) { return v[0] < 0 ? double(0.01f) * v[0] : v[0]; }},
      {"Sigmoid", 13, -30, 30, [](auto v) { return 1 / (1 + std::exp(-v[0])); }},
      {"HardSigmoid", 6, -4, 4, [](auto v) { return std::clamp(double(0.5f) * v[0] + double(0.6f), 0.0, 1.0); },
       {{"alpha", 0.5f}, {"beta", 0.6f}}},
      {"HardSigmoid", 6, -4, 4, [](auto v) { return std::clamp(double(0.2f) * v[0] + 0.5, 0.0, 1.0); }},
      {"HardSwish", 14, -5, 5, [](auto v) { return v[0] * std::clamp(v[0] / 6 + 0.5, 0.0, 1.0); }},
      {"Tanh", 13, -5, 5, [](auto v) { return std::tanh(v[0]); }},
      {"Erf", 13, -3, 3, [](auto v) { return std::erf(v[0]); }},
      {"Gelu", 20, -5, 5, [](auto v) { return 0.5 * v[0] * (1 + std::erf(v[0] / std::sqrt(2.0))); }},
      {"Gelu", 20, -5, 5,
       [](auto v) { return 0.5 * v[0] * (1 + std::tanh(std::sqrt(2 / M_PI) * (v[0] + 0.044715 * std::pow(v[0], 3)))); },
       {}, "tanh"},
      {"Sqrt", 13, 0, 100, [](auto v) { return std::sqrt(v[0]); }},
      {"Exp", 13, -10, 10, [](auto v) { return std::exp(v[0]); }},
      {"Log", 13, 0.01, 100, [](auto v) { return std::log(v[0]); }},
      {"Reciprocal", 13, 0.5, 4, [](auto v) { return 1 / v[0]; }},
      {"Floor", 13, -4, 4, [](auto v) { return std::floor(v[0]); }},
      {"Ceil", 13, -4, 4, [](auto v) { return std::ceil(v[0]); }},
      {"Abs", 13, -4, 4, [](auto v) { return std::abs(v[0]); }},
      {"Neg", 13, -4, 4, [](auto v) { return -v[0]; }},
      {"Softplus", 1, -30, 30, [](auto v) { return std::log(1 + std::exp(v[0])); }},
      {"Elu", 6, -4, 4, [](auto v) { return v[0] < 0 ? 2 * (std::exp(v[0]) - 1) : v[0]; }, {{"alpha", 2.0f}}},
      {"Selu", 6, -4, 4,
       [](auto v) { return 1.0507009873554805 * (v[0] > 0 ? v[0] : 1.6732632423543772 * (std::exp(v[0]) - 1)); }},
      {"Relu", 14, -4, 4, [](auto v) { return std::max(0.0, v[0]); }},
  };
  std::mt19937 rng(7);
  for (const Case& c : cases)
    for (DType dtype : {DType::Float32, DType::Float64})
      for (const Shape& shape : {Shape{}, Shape{1}, Shape{0, 3}, Shape{13, 17}, Shape{3, 7, 13, 97}}) {
        if (std::string(c.op) == "Relu" && dtype == DType::Float64) continue;  // Relu stays float32-only
        INFO(std::string(c.op) << "-" << c.opset << " " << std::string(dtype_name(dtype)) << " " << onnxrun::shape_to_string(shape));
        const Tensor x = random_tensor(rng, dtype, shape, c.low, c.high);
        OpRunner runner(c.op, c.opset, "unary");
        runner.input(x);
        for (const auto& [name, value] : c.attrs) runner.attr_float(name, value);
        if (c.approximate) runner.attr_string("approximate", c.approximate);
        check_close(run_threads(runner)[0], naive({x}, dtype, c.reference));
      }
}

TEST_CASE("unary ops: Sigmoid stays accurate for large |x|, NaN propagates, integer Abs and Neg wrap") {
  const std::vector<double> xs = {-1000, -100, -87, -20, 0, 20, 100, 1000};
  OpRunner sigmoid("Sigmoid", 13, "sigmoid");
  sigmoid.input(make(DType::Float32, {8}, xs));
  const Tensor y = run_threads(sigmoid)[0];
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const double expected = 1 / (1 + std::exp(-xs[i]));
    INFO("x " << xs[i]);
    // Relative accuracy all the way down to the float denormals (~1e-38).
    if (expected > 1e-37) CHECK(std::abs(element(y, i) - expected) <= 1e-6 * expected);
    else CHECK(element(y, i) < 1e-37);
    CHECK(!std::isnan(element(y, i)));
  }
  for (const char* op : {"Relu", "LeakyRelu", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh", "Exp", "Abs", "Elu",
                         "Selu", "Softplus", "Floor", "Gelu"}) {
    OpRunner runner(op, 20, "nan");
    runner.input(make(DType::Float32, {3}, {kNaN, 1, -1}));
    INFO(std::string(op));
    CHECK(std::isnan(element(run_threads(runner)[0], 0)));
  }
  const double int32_min = std::numeric_limits<std::int32_t>::min();
  for (const char* op : {"Abs", "Neg"}) {
    OpRunner runner(op, 13, "int");
    runner.input(make(DType::Int32, {4}, {int32_min, -5, 0, 7}));
    const std::vector<double> expected = std::string(op) == "Abs" ? std::vector<double>{int32_min, 5, 0, 7}
                                                                  : std::vector<double>{int32_min, 5, 0, -7};
    check_exact(run_threads(runner)[0], make(DType::Int32, {4}, expected));
    OpRunner wide(op, 13, "int64");
    wide.input(make(DType::Int64, {2}, {-3e12, 4e12}));
    check_exact(run_threads(wide)[0],
                make(DType::Int64, {2}, std::string(op) == "Abs" ? std::vector<double>{3e12, 4e12}
                                                                 : std::vector<double>{3e12, -4e12}));
  }
  OpRunner negate("Not", 1, "not");
  negate.input(make(DType::Bool, {2, 2}, {1, 0, 0, 1}));
  check_exact(run_threads(negate)[0], make(DType::Bool, {2, 2}, {0, 1, 1, 0}));
}

TEST_CASE("unary ops refuse other dtypes and bad attributes, naming node and shape") {
  OpRunner sigmoid("Sigmoid", 13, "my_sigmoid");
  sigmoid.input_desc(DType::Int32, {2, 3});
  const std::string message = sigmoid.infer_error();
  CHECK(message.find("my_sigmoid") != std::string::npos);
  CHECK(message.find("int32 [2,3]") != std::string::npos);
  CHECK(message.find("float32, float64") != std::string::npos);
  OpRunner gelu("Gelu", 20, "gelu");
  gelu.input_desc(DType::Float32, {2}).attr_string("approximate", "fast");
  CHECK(gelu.infer_error().find("approximate") != std::string::npos);
  OpRunner neg("Neg", 13, "neg");
  neg.input_desc(DType::UInt8, {2});
  CHECK(neg.infer_error().find("uint8") != std::string::npos);
  OpRunner not_float("Not", 1, "not");
  not_float.input_desc(DType::Float32, {2});
  CHECK(!not_float.infer_error().empty());
  CHECK_THROWS(OpRunner("Gelu", 19, "old_gelu").input_desc(DType::Float32, {1}).infer());
}

TEST_CASE("Clip: attributes (opset 6), optional inputs (11+), integer types (12+)") {
  std::mt19937 rng(11);
  const Tensor x = random_tensor(rng, DType::Float32, {7, 13}, -3, 3);
  auto clipped = [&](const Tensor& in, double low, double high) {
    return naive({in}, in.dtype(), [&](auto v) { return std::min(std::max(v[0], low), high); });
  };
  OpRunner old("Clip", 6, "clip6");
  old.input(x).attr_float("min", -1.0f).attr_float("max", 0.5f);
  check_close(run_threads(old)[0], clipped(x, -1.0, 0.5));
  OpRunner old_default("Clip", 6, "clip6");
  old_default.input(x).attr_float("max", 0.5f);
  check_close(run_threads(old_default)[0], clipped(x, -kInf, 0.5));

  const Tensor low = make(DType::Float32, {}, {-1}), high = make(DType::Float32, {1}, {0.5});
  OpRunner both("Clip", 13, "clip");
  both.input(x).constant(low).constant(high);
  check_close(run_threads(both)[0], clipped(x, -1, 0.5));
  OpRunner max_only("Clip", 13, "clip");
  max_only.input(x).missing_input().constant(high);
  check_close(run_threads(max_only)[0], clipped(x, -kInf, 0.5));
  OpRunner min_only("Clip", 11, "clip");
  min_only.input(x).constant(low);
  check_close(run_threads(min_only)[0], clipped(x, -1, kInf));
  OpRunner none("Clip", 13, "clip");
  none.input(x);
  check_identical(run_threads(none)[0], x);
  // min > max gives max everywhere; NaN passes through.
  OpRunner crossed("Clip", 13, "clip");
  crossed.input(make(DType::Float32, {3}, {kNaN, -5, 5})).constant(make(DType::Float32, {}, {2}))
      .constant(make(DType::Float32, {}, {1}));
  check_exact(run_threads(crossed)[0], make(DType::Float32, {3}, {kNaN, 1, 1}));

  for (DType dtype : {DType::Int32, DType::Int64, DType::UInt8, DType::Float64}) {
    INFO(std::string(dtype_name(dtype)));
    const Tensor xi = random_tensor(rng, dtype, {3, 40000}, 0, 200);
    OpRunner runner("Clip", 12, "clip_int");
    runner.input(xi).constant(make(dtype, {}, {20})).constant(make(dtype, {}, {150}));
    check_exact(run_threads(runner)[0], clipped(xi, 20, 150));
  }
  OpRunner int_at_11("Clip", 11, "clip11");
  int_at_11.input_desc(DType::Int32, {2});
  CHECK(int_at_11.infer_error().find("int32") != std::string::npos);
  OpRunner mismatched("Clip", 13, "clip");
  mismatched.input(x).constant(make(DType::Float64, {}, {0}));
  CHECK(mismatched.infer_error().find("float64 []") != std::string::npos);
  OpRunner not_scalar("Clip", 13, "clip");
  not_scalar.input(x).constant(make(DType::Float32, {2}, {0, 1}));
  CHECK(not_scalar.infer_error().find("[2]") != std::string::npos);
  OpRunner computed("Clip", 13, "clip_runtime");
  computed.input(x).input(low);
  CHECK(computed.infer_error().find("computed at run time") != std::string::npos);
}

TEST_CASE("Add, Sub, Mul, Div broadcast both ways for every numeric dtype") {
  struct Arithmetic {
    const char* op;
    std::function<double(double, double)> real;           // float reference
    std::function<std::uint64_t(std::int64_t, std::int64_t)> integer;  // wrapped 64-bit result
  };
  const std::vector<Arithmetic> ops = {
      {"Add", std::plus<double>(), [](std::int64_t a, std::int64_t b) { return std::uint64_t(a) + std::uint64_t(b); }},
      {"Sub", std::minus<double>(), [](std::int64_t a, std::int64_t b) { return std::uint64_t(a) - std::uint64_t(b); }},
      {"Mul", std::multiplies<double>(), [](std::int64_t a, std::int64_t b) { return std::uint64_t(a) * std::uint64_t(b); }},
      {"Div", std::divides<double>(),
       [](std::int64_t a, std::int64_t b) { return b == 0 ? 0 : std::uint64_t(std::trunc(double(a) / double(b))); }},
  };
  std::mt19937 rng(3);
  for (const Arithmetic& op : ops)
    for (DType dtype : {DType::Float32, DType::Float64, DType::Int32, DType::Int64, DType::UInt8})
      for (const auto& [sa, sb] : kBroadcastPairs) {
        INFO(std::string(op.op) << " " << std::string(dtype_name(dtype)) << " " << onnxrun::shape_to_string(sa) << " "
                   << onnxrun::shape_to_string(sb));
        const bool is_float = dtype == DType::Float32 || dtype == DType::Float64;
        const double range = dtype == DType::UInt8 ? 255 : 1000;
        const Tensor a = random_tensor(rng, dtype, sa, is_float ? -4 : (dtype == DType::UInt8 ? 0 : -range), range);
        const Tensor b = random_tensor(rng, dtype, sb, is_float ? 0.5 : (dtype == DType::UInt8 ? 0 : -range), range);
        OpRunner runner(op.op, 14, "binary");
        runner.input(a).constant(b);
        const Tensor y = run_threads(runner)[0];
        if (is_float) {
          check_close(y, naive({a, b}, dtype, [&](auto v) { return op.real(v[0], v[1]); }));
        } else {
          check_exact(y, naive({a, b}, dtype, [&](auto v) {
            return wrap_to(dtype, op.integer(std::int64_t(v[0]), std::int64_t(v[1])));
          }));
        }
      }
}

TEST_CASE("integer arithmetic wraps and division by zero is defined") {
  const double i32_max = std::numeric_limits<std::int32_t>::max(), i32_min = std::numeric_limits<std::int32_t>::min();
  auto run2 = [](const char* op, const Tensor& a, const Tensor& b) {
    OpRunner runner(op, 14, "wrap");
    runner.input(a).input(b);
    return run_threads(runner)[0];
  };
  const Tensor a = make(DType::Int32, {4}, {i32_max, i32_min, 7, -7});
  check_exact(run2("Add", a, make(DType::Int32, {}, {1})), make(DType::Int32, {4}, {i32_min, i32_min + 1, 8, -6}));
  check_exact(run2("Mul", a, make(DType::Int32, {}, {2})), make(DType::Int32, {4}, {-2, 0, 14, -14}));
  // Truncation toward zero; x / 0 = 0; INT_MIN / -1 wraps to INT_MIN.
  check_exact(run2("Div", a, make(DType::Int32, {4}, {0, -1, 2, 2})), make(DType::Int32, {4}, {0, i32_min, 3, -3}));
  check_exact(run2("Div", make(DType::UInt8, {3}, {255, 7, 9}), make(DType::UInt8, {3}, {0, 2, 10})),
              make(DType::UInt8, {3}, {0, 3, 0}));
  check_exact(run2("Add", make(DType::UInt8, {2}, {250, 3}), make(DType::UInt8, {2}, {10, 4})),
              make(DType::UInt8, {2}, {4, 7}));
  check_exact(run2("Mul", make(DType::UInt8, {1}, {255}), make(DType::UInt8, {1}, {255})), make(DType::UInt8, {1}, {1}));
  check_exact(run2("Sub", make(DType::UInt8, {1}, {3}), make(DType::UInt8, {1}, {5})), make(DType::UInt8, {1}, {254}));
  // Float division by zero is IEEE.
  check_exact(run2("Div", make(DType::Float32, {3}, {1, -1, 0}), make(DType::Float32, {}, {0})),
              make(DType::Float32, {3}, {kInf, -kInf, kNaN}));
}

TEST_CASE("Pow: float, integer and mixed base and exponent types") {
  std::mt19937 rng(5);
  for (const auto& [sa, sb] : kBroadcastPairs) {
    const Tensor a = random_tensor(rng, DType::Float32, sa, 0.1, 3), b = random_tensor(rng, DType::Float32, sb, -3, 3);
    OpRunner runner("Pow", 15, "pow");
    runner.input(a).input(b);
    check_close(run_threads(runner)[0], naive({a, b}, DType::Float32, [](auto v) { return std::pow(v[0], v[1]); }));
  }
  struct Mixed {
    DType base, exponent;
    std::vector<double> x, y, expected;
  };
  const double big = 3486784401.0;  // 3^20 wraps in int32 to -808182895
  const std::vector<Mixed> cases = {
      {DType::Float32, DType::Int64, {2, -2, 0.5}, {3, 3, -2}, {8, -8, 4}},
      {DType::Float32, DType::Int32, {1.5, 2, 4}, {2, 0, -1}, {2.25, 1, 0.25}},
      {DType::Float32, DType::UInt8, {1.5, 2, 3}, {2, 10, 0}, {2.25, 1024, 1}},
      {DType::Float64, DType::Float32, {2, 9, 3}, {0.5, 0.5, 2}, {std::sqrt(2.0), 3, 9}},
      {DType::Int32, DType::Float32, {2, 3, 9, 2}, {0.5, 2, 0.5, 31}, {1, 9, 3, 2147483647}},
      {DType::Int64, DType::Float32, {2, 5}, {10, 3}, {1024, 125}},
      {DType::Int32, DType::Int32, {3, 1, -1, -1, 2, 0, -2}, {20, -5, -3, -4, -1, -1, 3}, {big - 4294967296.0, 1, -1, 1, 0, 0, -8}},
  };
  for (const Mixed& c : cases) {
    INFO(dtype_name(c.base) << " ** " << dtype_name(c.exponent));
    const Shape s{static_cast<std::int64_t>(c.x.size())};
    OpRunner runner("Pow", 15, "pow_mixed");
    runner.input(make(c.base, s, c.x)).input(make(c.exponent, s, c.y));
    const Tensor y = run_threads(runner)[0];
    if (c.base == DType::Float32 || c.base == DType::Float64) check_close(y, make(c.base, s, c.expected));
    else check_exact(y, make(c.base, s, c.expected));
  }
  // int64 results beyond 2^53, exact and wrapped: 3^39 fits, 3^41 wraps.
  OpRunner int64_pow("Pow", 15, "pow_int64");
  int64_pow.input(Tensor::from_values<std::int64_t>({3}, {3, 3, -3}))
      .input(Tensor::from_values<std::int64_t>({3}, {39, 41, 3}));
  check_identical(run_threads(int64_pow)[0],
                  Tensor::from_values<std::int64_t>({3}, {4052555153018976267, static_cast<std::int64_t>(3 * 3 * 4052555153018976267ull), -27}));
  OpRunner bool_exponent("Pow", 15, "pow");
  bool_exponent.input_desc(DType::Float32, {2}).input_desc(DType::Bool, {2});
  CHECK(bool_exponent.infer_error().find("input 1 is bool [2]") != std::string::npos);
}

TEST_CASE("comparisons and logical ops give bool with broadcasting") {
  struct Case {
    const char* op;
    std::int64_t opset;
    std::function<bool(double, double)> reference;
  };
  const std::vector<Case> cases = {
      {"Equal", 19, std::equal_to<double>()},   {"Less", 13, std::less<double>()},
      {"Greater", 13, std::greater<double>()},  {"LessOrEqual", 16, std::less_equal<double>()},
      {"GreaterOrEqual", 16, std::greater_equal<double>()},
  };
  std::mt19937 rng(17);
  for (const Case& c : cases)
    for (DType dtype : {DType::Float32, DType::Float64, DType::Int32, DType::Int64, DType::UInt8})
      for (const auto& [sa, sb] : kBroadcastPairs) {
        INFO(std::string(c.op) << " " << std::string(dtype_name(dtype)) << " " << onnxrun::shape_to_string(sa) << " " << onnxrun::shape_to_string(sb));
        // Few distinct values, so that equal pairs are common.
        Tensor a = random_tensor(rng, dtype, sa, 0, 3), b = random_tensor(rng, dtype, sb, 0, 3);
        if (dtype == DType::Float32 || dtype == DType::Float64) {
          a = naive({a}, dtype, [](auto v) { return std::round(v[0]); });
          b = naive({b}, dtype, [](auto v) { return std::round(v[0]); });
        }
        OpRunner runner(c.op, c.opset, "compare");
        runner.input(a).input(b);
        check_exact(run_threads(runner)[0], naive({a, b}, DType::Bool, [&](auto v) { return c.reference(v[0], v[1]); }));
      }
  OpRunner nan("Equal", 13, "nan");
  nan.input(make(DType::Float32, {2}, {kNaN, 1})).input(make(DType::Float32, {2}, {kNaN, 1}));
  check_exact(run_threads(nan)[0], make(DType::Bool, {2}, {0, 1}));
  OpRunner bools("Equal", 13, "bools");
  bools.input(make(DType::Bool, {4}, {0, 0, 1, 1})).input(make(DType::Bool, {4}, {0, 1, 0, 1}));
  check_exact(run_threads(bools)[0], make(DType::Bool, {4}, {1, 0, 0, 1}));
  const std::vector<std::pair<const char*, std::vector<double>>> logical = {
      {"And", {0, 0, 0, 1}}, {"Or", {0, 1, 1, 1}}, {"Xor", {0, 1, 1, 0}}};
  for (const auto& [op, expected] : logical) {
    OpRunner runner(op, 7, "logical");
    runner.input(make(DType::Bool, {2, 1}, {0, 1})).input(make(DType::Bool, {1, 2}, {0, 1}));
    check_exact(run_threads(runner)[0], make(DType::Bool, {2, 2}, expected));
  }
  OpRunner less_bool("Less", 13, "less");
  less_bool.input_desc(DType::Bool, {2}).input_desc(DType::Bool, {2});
  CHECK(less_bool.infer_error().find("bool") != std::string::npos);
}

TEST_CASE("binary ops refuse mismatched types and shapes that do not broadcast") {
  OpRunner mixed("Add", 14, "my_add");
  mixed.input_desc(DType::Float32, {2, 3}).input_desc(DType::Int64, {3});
  const std::string message = mixed.infer_error();
  CHECK(message.find("my_add") != std::string::npos);
  CHECK(message.find("float32 [2,3]") != std::string::npos);
  CHECK(message.find("int64 [3]") != std::string::npos);
  OpRunner shapes("Mul", 14, "my_mul");
  shapes.input_desc(DType::Float32, {2, 3}).input_desc(DType::Float32, {2});
  const std::string shape_message = shapes.infer_error();
  CHECK(shape_message.find("[2,3]") != std::string::npos);
  CHECK(shape_message.find("cannot be broadcast") != std::string::npos);
  OpRunner bools("Sub", 14, "sub");
  bools.input_desc(DType::Bool, {2}).input_desc(DType::Bool, {2});
  CHECK(bools.infer_error().find("bool") != std::string::npos);
  OpRunner one_input("Div", 14, "div");
  one_input.input_desc(DType::Float32, {2});
  CHECK(!one_input.infer_error().empty());
}

TEST_CASE("Max, Min, Sum, Mean fold 1..4 inputs with broadcasting") {
  const std::vector<std::vector<Shape>> shape_sets = {
      {{7, 13}},
      {{7, 13}, {13}},
      {{3, 1, 5}, {4, 1}, {}},
      {{2, 1, 1, 5}, {1, 3, 1, 1}, {4, 1}, {5}},
      {{1}, {2, 20000}, {2, 1}},
      {{0, 3}, {3}},
  };
  struct Case {
    const char* op;
    Reference reference;
  };
  const std::vector<Case> cases = {
      {"Max", [](auto v) { return *std::max_element(v.begin(), v.end()); }},
      {"Min", [](auto v) { return *std::min_element(v.begin(), v.end()); }},
      {"Sum", [](auto v) { double s = 0; for (double x : v) s += x; return s; }},
      {"Mean", [](auto v) { double s = 0; for (double x : v) s += x; return s / double(v.size()); }},
  };
  std::mt19937 rng(23);
  for (const Case& c : cases)
    for (DType dtype : {DType::Float32, DType::Float64, DType::Int32, DType::Int64, DType::UInt8})
      for (const auto& shapes : shape_sets) {
        const bool is_float = dtype == DType::Float32 || dtype == DType::Float64;
        if (std::string(c.op) == "Mean" && !is_float) continue;
        INFO(std::string(c.op) << " " << std::string(dtype_name(dtype)) << " with " << shapes.size() << " inputs");
        std::vector<Tensor> inputs;
        OpRunner runner(c.op, 13, "variadic");
        for (const Shape& s : shapes) {
          inputs.push_back(random_tensor(rng, dtype, s, 0, 60));
          runner.input(inputs.back());
        }
        const Tensor y = run_threads(runner)[0];
        const Tensor expected = naive(inputs, dtype, c.reference);
        if (is_float) check_close(y, expected);
        else check_exact(y, expected);
      }
  // NaN wins in either position, as numpy.maximum / minimum.
  for (const char* op : {"Max", "Min"}) {
    OpRunner runner(op, 13, "nan");
    runner.input(make(DType::Float32, {3}, {kNaN, 1, 2})).input(make(DType::Float32, {3}, {0, kNaN, 1}));
    const Tensor y = run_threads(runner)[0];
    CHECK(std::isnan(element(y, 0)));
    CHECK(std::isnan(element(y, 1)));
    CHECK(element(y, 2) == (std::string(op) == "Max" ? 2 : 1));
  }
  OpRunner sum_wrap("Sum", 13, "sum");
  sum_wrap.input(make(DType::UInt8, {1}, {200})).input(make(DType::UInt8, {1}, {100}));
  check_exact(run_threads(sum_wrap)[0], make(DType::UInt8, {1}, {44}));
  OpRunner mixed("Max", 13, "max");
  mixed.input_desc(DType::Float32, {2}).input_desc(DType::Float32, {2}).input_desc(DType::Int32, {2});
  CHECK(mixed.infer_error().find("input 2 is int32 [2]") != std::string::npos);
  OpRunner mean_int("Mean", 13, "mean");
  mean_int.input_desc(DType::Int32, {2});
  CHECK(mean_int.infer_error().find("int32") != std::string::npos);
  OpRunner bad_shapes("Sum", 13, "sum");
  bad_shapes.input_desc(DType::Float32, {2}).input_desc(DType::Float32, {1}).input_desc(DType::Float32, {3});
  CHECK(bad_shapes.infer_error().find("cannot be broadcast") != std::string::npos);
}

TEST_CASE("Where broadcasts condition and both branches") {
  std::mt19937 rng(29);
  const std::vector<std::vector<Shape>> shape_sets = {
      {{2, 2}, {2, 2}, {2, 2}}, {{3, 1}, {1, 4}, {}}, {{5}, {2, 1, 5}, {3, 1}}, {{}, {7, 13}, {13}},
      {{40000}, {1}, {40000}}, {{0}, {1}, {1}},
  };
  for (DType dtype : {DType::Float32, DType::Int64, DType::UInt8, DType::Bool, DType::Float64, DType::Int32})
    for (const auto& shapes : shape_sets) {
      INFO(std::string(dtype_name(dtype)));
      const Tensor c = random_tensor(rng, DType::Bool, shapes[0]);
      const Tensor x = random_tensor(rng, dtype, shapes[1], 0, 100), y = random_tensor(rng, dtype, shapes[2], 0, 100);
      OpRunner runner("Where", 16, "where");
      runner.input(c).input(x).input(y);
      check_exact(run_threads(runner)[0], naive({c, x, y}, dtype, [](auto v) { return v[0] != 0 ? v[1] : v[2]; }));
    }
  OpRunner not_bool("Where", 16, "where");
  not_bool.input_desc(DType::Float32, {2}).input_desc(DType::Float32, {2}).input_desc(DType::Float32, {2});
  CHECK(not_bool.infer_error().find("condition") != std::string::npos);
}

TEST_CASE("Cast between every pair of dtypes, with defined edge cases") {
  // ONNX TensorProto.DataType codes.
  const std::vector<std::pair<DType, std::int64_t>> codes = {{DType::Float32, 1}, {DType::UInt8, 2},
                                                             {DType::Int32, 6},   {DType::Int64, 7},
                                                             {DType::Bool, 9},    {DType::Float64, 11}};
  const std::vector<double> values = {0, 1, 7, 100, 0, 255, 3, 1};
  for (const auto& [from, from_code] : codes)
    for (const auto& [to, to_code] : codes) {
      INFO(std::string(dtype_name(from)) << " -> " << std::string(dtype_name(to)));
      const Tensor x = naive({make(DType::Float64, {2, 4}, values)}, from, [&](auto v) {
        return from == DType::Bool ? double(v[0] != 0) : v[0];
      });
      OpRunner cast("Cast", 13, "cast");
      cast.input(x).attr_int("to", to_code);
      const Tensor expected = naive({x}, to, [&](auto v) { return to == DType::Bool ? double(v[0] != 0) : v[0]; });
      check_exact(run_threads(cast)[0], expected);
      OpRunner like("CastLike", 15, "castlike");
      like.input(x).input(make(to, {}, {0}));
      check_exact(run_threads(like)[0], expected);
      (void)from_code;
    }
  const double i32_max = std::numeric_limits<std::int32_t>::max(), i32_min = std::numeric_limits<std::int32_t>::min();
  const double i64_max = static_cast<double>(std::numeric_limits<std::int64_t>::max());
  const double i64_min = static_cast<double>(std::numeric_limits<std::int64_t>::min());
  const std::vector<double> edges = {kNaN, kInf, -kInf, 0.5, -1.5, 300.7, 3e9, -3e9, 1e20, -0.0};
  struct Edge {
    DType from, to;
    std::int64_t to_code;
    std::vector<double> expected;
  };
  const std::vector<Edge> cases = {
      {DType::Float32, DType::Int32, 6, {0, i32_max, i32_min, 0, -1, 300, i32_max, i32_min, i32_max, 0}},
      {DType::Float64, DType::Int64, 7, {0, i64_max, i64_min, 0, -1, 300, 3e9, -3e9, i64_max, 0}},
      {DType::Float32, DType::UInt8, 2, {0, 255, 0, 0, 0, 255, 255, 0, 255, 0}},
      {DType::Float32, DType::Bool, 9, {1, 1, 1, 1, 1, 1, 1, 1, 1, 0}},
      {DType::Float64, DType::Float32, 1, {kNaN, kInf, -kInf, 0.5, -1.5, double(300.7f), 3e9, -3e9, double(1e20f), 0}},
  };
  for (const Edge& e : cases) {
    INFO(dtype_name(e.from) << " -> " << dtype_name(e.to));
    OpRunner cast("Cast", 19, "cast_edges");
    cast.input(make(e.from, {10}, edges)).attr_int("to", e.to_code).attr_int("saturate", 0);
    check_exact(run_threads(cast)[0], make(e.to, {10}, e.expected));
  }
  OpRunner overflow("Cast", 13, "cast");
  overflow.input(make(DType::Float64, {2}, {1e300, -1e300})).attr_int("to", 1);
  check_exact(run_threads(overflow)[0], make(DType::Float32, {2}, {kInf, -kInf}));
  // Integer narrowing wraps modulo 2^bits.
  OpRunner narrow("Cast", 13, "cast");
  narrow.input(make(DType::Int64, {3}, {4294967301.0, -1, 2147483648.0})).attr_int("to", 6);
  check_exact(run_threads(narrow)[0], make(DType::Int32, {3}, {5, -1, i32_min}));
  OpRunner to_byte("Cast", 13, "cast");
  to_byte.input(make(DType::Int32, {3}, {300, -1, 255})).attr_int("to", 2);
  check_exact(run_threads(to_byte)[0], make(DType::UInt8, {3}, {44, 255, 255}));

  OpRunner half("Cast", 13, "my_cast");
  half.input_desc(DType::Float32, {2}).attr_int("to", 10);
  CHECK(half.infer_error().find("FLOAT16") != std::string::npos);
  OpRunner no_to("Cast", 13, "my_cast");
  no_to.input_desc(DType::Float32, {2});
  CHECK(no_to.infer_error().find("'to'") != std::string::npos);
}

TEST_CASE("Dropout: identity with an all-true mask; training only with ratio 0") {
  std::mt19937 rng(31);
  const Tensor x = random_tensor(rng, DType::Float32, {3, 4, 5});
  const Tensor ones = naive({x}, DType::Bool, [](auto) { return 1.0; });
  OpRunner masked("Dropout", 13, "dropout");
  masked.input(x).set_output_count(2);
  std::vector<Tensor> y = run_threads(masked);
  check_identical(y[0], x);
  check_exact(y[1], ones);

  OpRunner old("Dropout", 7, "dropout7");
  old.input(x).attr_float("ratio", 0.3f).set_output_count(2);
  y = run_threads(old);
  check_identical(y[0], x);
  check_exact(y[1], naive({x}, DType::Float32, [](auto) { return 1.0; }));

  const Tensor yes = make(DType::Bool, {}, {1}), no = make(DType::Bool, {}, {0});
  OpRunner ratio_zero("Dropout", 13, "dropout");
  ratio_zero.input(x).constant(make(DType::Float32, {}, {0})).constant(yes).set_output_count(2);
  y = run_threads(ratio_zero);
  check_identical(y[0], x);
  check_exact(y[1], ones);
  OpRunner inference("Dropout", 13, "dropout");
  inference.input(x).input(make(DType::Float32, {}, {0.7})).constant(no);  // ratio unused: need not be constant
  check_identical(run_threads(inference)[0], x);

  OpRunner training("Dropout", 13, "my_dropout");
  training.input(x).constant(make(DType::Float32, {}, {0.5})).constant(yes);
  const std::string message = training.infer_error();
  CHECK(message.find("my_dropout") != std::string::npos);
  CHECK(message.find("training_mode") != std::string::npos);
  OpRunner default_ratio("Dropout", 13, "dropout");
  default_ratio.input(x).missing_input().constant(yes);
  CHECK(!default_ratio.infer_error().empty());
}

TEST_CASE("Round halves to even, Sign keeps NaN, Mod follows the divisor's or the dividend's sign") {
  OpRunner round("Round", 11, "round");
  round.input(make(DType::Float32, {9}, {-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.4, -2.6, kNaN}));
  check_exact(run_threads(round)[0], make(DType::Float32, {9}, {-2, -2, -0.0, 0, 2, 2, 2, -3, kNaN}));
  OpRunner sign("Sign", 13, "sign");
  sign.input(make(DType::Float64, {4}, {-3, 0, 2, kNaN}));
  check_exact(run_threads(sign)[0], make(DType::Float64, {4}, {-1, 0, 1, kNaN}));
  OpRunner int_sign("Sign", 13, "sign");
  int_sign.input(make(DType::Int32, {3}, {-5, 0, 7}));
  check_exact(run_threads(int_sign)[0], make(DType::Int32, {3}, {-1, 0, 1}));
  OpRunner byte_sign("Sign", 13, "sign");
  byte_sign.input(make(DType::UInt8, {2}, {0, 5}));
  check_exact(run_threads(byte_sign)[0], make(DType::UInt8, {2}, {0, 1}));

  std::mt19937 rng(37);
  for (int fmod : {0, 1})
    for (DType dtype : {DType::Int32, DType::Int64, DType::UInt8, DType::Float32, DType::Float64})
      for (const auto& [sa, sb] : kBroadcastPairs) {
        INFO("fmod " << fmod << " " << std::string(dtype_name(dtype)) << " " << onnxrun::shape_to_string(sa) << " "
                     << onnxrun::shape_to_string(sb));
        const bool is_float = dtype == DType::Float32 || dtype == DType::Float64;
        const double low = dtype == DType::UInt8 ? 0 : -50;
        const Tensor a = random_tensor(rng, dtype, sa, low, 50), b = random_tensor(rng, dtype, sb, low, 50);
        OpRunner runner("Mod", 13, "mod");
        runner.input(a).input(b).attr_int("fmod", fmod);
        const Tensor expected = naive({a, b}, dtype, [&](auto v) {
          if (v[1] == 0) return is_float ? kNaN : 0.0;
          const double r = std::fmod(v[0], v[1]);
          return fmod == 0 && r != 0 && (r < 0) != (v[1] < 0) ? r + v[1] : r;
        });
        if (is_float) check_close(run_threads(runner)[0], expected);
        else check_exact(run_threads(runner)[0], expected);
      }
  const double i32_min = std::numeric_limits<std::int32_t>::min();
  OpRunner edges("Mod", 13, "mod");
  edges.input(make(DType::Int32, {4}, {i32_min, 7, -7, 7})).input(make(DType::Int32, {4}, {-1, 0, 3, -3}));
  check_exact(run_threads(edges)[0], make(DType::Int32, {4}, {0, 0, 2, -2}));
}
