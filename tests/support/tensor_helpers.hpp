#pragma once
// What the op tests (tests/unit/test_*_ops.cpp and friends) share around their
// naive oracles: index arithmetic over a Shape, seeded random float tensors,
// the "1 and 3 threads agree bit for bit" run, and error-message checks.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "onnxrun/tensor.hpp"
#include "tests/support/op_runner.hpp"

namespace onnxrun::testing {

using Ints = std::vector<std::int64_t>;

inline std::int64_t volume(const Shape& shape) {
  std::int64_t n = 1;
  for (std::int64_t d : shape) n *= d;
  return n;
}

// Row-major coordinates of element `flat`.
inline Ints unravel(std::int64_t flat, const Shape& shape) {
  Ints index(shape.size());
  for (std::size_t d = shape.size(); d-- > 0;) {
    index[d] = flat % shape[d];
    flat /= shape[d];
  }
  return index;
}

// Flat row-major offset of `index`; an index outside the shape is a bug in the
// oracle. A plain throw, not REQUIRE: oracles call this millions of times per
// test, and doctest still reports the exception as a failure.
inline std::int64_t ravel(const Ints& index, const Shape& shape) {
  std::int64_t flat = 0;
  for (std::size_t d = 0; d < shape.size(); ++d) {
    if (index[d] < 0 || index[d] >= shape[d]) throw std::out_of_range("ravel: index outside the shape");
    flat = flat * shape[d] + index[d];
  }
  return flat;
}

// Uniform in [low, high); the same rng seed gives the same tensor.
inline Tensor random_floats(std::mt19937& rng, const Shape& shape, float low = -1.0f, float high = 1.0f) {
  std::uniform_real_distribution<float> dist(low, high);
  std::vector<float> values(static_cast<std::size_t>(volume(shape)));
  for (float& v : values) v = dist(rng);
  return Tensor::from_values<float>(shape, values);
}

// The naive global pool of float tensor x [N, C, spatial...]: one value per
// (n, c) plane, reduce(first element of the plane, plane size), shaped
// [N, C, 1, ...].
template <class Reduce>
Tensor naive_global_pool(const Tensor& x, Reduce reduce) {
  const Shape& shape = x.shape();
  Shape ys{shape[0], shape[1]};
  ys.resize(shape.size(), 1);
  const std::int64_t planes = shape[0] * shape[1], plane = volume(shape) / planes;
  std::vector<float> values;
  for (std::int64_t p = 0; p < planes; ++p) values.push_back(reduce(x.data_as<float>() + p * plane, plane));
  return Tensor::from_values<float>(ys, values);
}

// Same shape, same dtype, same bytes.
inline void check_identical(const Tensor& actual, const Tensor& expected) {
  REQUIRE(shape_to_string(actual.shape()) == shape_to_string(expected.shape()));
  REQUIRE(std::string(dtype_name(actual.dtype())) == dtype_name(expected.dtype()));
  CHECK(std::memcmp(actual.data(), expected.data(), expected.byte_size()) == 0);
}

// Runs with 1 and with 3 threads; partitioning must not change a single bit.
// Returns the single-thread outputs (an empty tensor: an optional output left out).
inline std::vector<Tensor> run_threads(const OpRunner& runner) {
  std::vector<Tensor> one = runner.run(1), three = runner.run(3);
  REQUIRE(one.size() == three.size());
  for (std::size_t i = 0; i < one.size(); ++i)
    if (!one[i].empty()) check_identical(one[i], three[i]);
  return one;
}

// run_threads for an op with one output: that output.
inline Tensor run_threads_single(const OpRunner& runner) { return run_threads(runner).at(0); }

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// An error message must name every part (node, input, shapes...).
inline void check_mentions(const std::string& message, std::initializer_list<std::string> parts) {
  INFO("message: " << message);
  for (const std::string& part : parts) CHECK(contains(message, part));
}

}  // namespace onnxrun::testing
