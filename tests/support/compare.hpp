#pragma once
// The project's accuracy rule: max |actual - expected| <= 1e-4 * max|expected|
// + 1e-5, with shapes and dtypes equal. Shared by every test that compares
// onnxrun with PyTorch or a kernel with its reference.
#include <doctest/doctest.h>

#include <cmath>

#include "onnxrun/tensor.hpp"

namespace onnxrun::testing {

inline double element(const Tensor& t, std::int64_t i) {
  switch (t.dtype()) {
    case DType::Float32: return t.data_as<float>()[i];
    case DType::Float64: return t.data_as<double>()[i];
    case DType::Int32: return t.data_as<std::int32_t>()[i];
    case DType::Int64: return static_cast<double>(t.data_as<std::int64_t>()[i]);
    case DType::UInt8: return t.data_as<std::uint8_t>()[i];
    case DType::Bool: return t.data_as<bool>()[i];
  }
  return 0;
}

struct Difference {
  double max_abs_error = 0, max_abs_expected = 0, tolerance = 0;
};

inline Difference difference(const Tensor& actual, const Tensor& expected, double relative = 1e-4,
                             double absolute = 1e-5) {
  Difference d;
  for (std::int64_t i = 0; i < expected.element_count(); ++i) {
    d.max_abs_expected = std::max(d.max_abs_expected, std::abs(element(expected, i)));
    const double a = element(actual, i), e = element(expected, i);
    // NaN where NaN is expected is a match; NaN anywhere else is infinitely wrong.
    const double error = (std::isnan(a) || std::isnan(e)) ? (std::isnan(a) && std::isnan(e) ? 0 : INFINITY)
                                                          : std::abs(a - e);
    d.max_abs_error = std::max(d.max_abs_error, error);
  }
  d.tolerance = relative * d.max_abs_expected + absolute;
  return d;
}

inline void check_close(const Tensor& actual, const Tensor& expected, double relative = 1e-4, double absolute = 1e-5) {
  REQUIRE(shape_to_string(actual.shape()) == shape_to_string(expected.shape()));
  REQUIRE(dtype_name(actual.dtype()) == std::string(dtype_name(expected.dtype())));
  const Difference d = difference(actual, expected, relative, absolute);
  INFO("max abs error " << d.max_abs_error << ", tolerance " << d.tolerance << " (max |expected| "
                        << d.max_abs_expected << ")");
  CHECK(d.max_abs_error <= d.tolerance);
}

}  // namespace onnxrun::testing
