#pragma once
// Checks one ConvAlgorithm run against the scalar reference convolution plus
// the scalar epilogue, on random inputs, weights, bias and residual.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "ops/conv/conv_algorithm.hpp"
#include "ops/kernels/isa.hpp"
#include "ops/reference/conv_reference.hpp"
#include "runtime/core/aligned_buffer.hpp"
#include "runtime/exec/thread_pool.hpp"
#include "tests/support/compare.hpp"

namespace onnxrun::testing {

struct ConvCheck {
  bool bias = false, residual = false;
  kernels::ActivationParams activation;
  // Numbers like a trained network's: N(0, 1) inputs, bias and residual, and
  // He-scaled N(0, 2 / fan_in) weights, instead of U(-1, 1) everywhere.
  bool he_normal = false;
  // Runs the algorithm under this instruction set instead of the one active
  // when it is built (packed or transformed weights must not depend on it).
  const kernels::Isa* run_isa = nullptr;
  // With residual: the output buffer holds the residual and is passed as
  // both (the plan's residual in place); the algorithm must allow it.
  bool residual_in_output = false;
};

// Bias, residual in the output buffer, Relu, trained-like numbers.
inline ConvCheck residual_in_output_check() {
  ConvCheck c{true, true, {kernels::Activation::Relu}, true, nullptr};
  c.residual_in_output = true;
  return c;
}

inline std::vector<float> uniform_floats(std::mt19937& rng, std::int64_t n) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(static_cast<std::size_t>(n));
  for (float& x : v) x = dist(rng);
  return v;
}

inline std::vector<float> normal_floats(std::mt19937& rng, std::int64_t n, float stddev = 1.0f) {
  std::normal_distribution<float> dist(0.0f, stddev);
  std::vector<float> v(static_cast<std::size_t>(n));
  for (float& x : v) x = dist(rng);
  return v;
}

// Builds the algorithm with `factory` from p's geometry and random weights,
// runs it (on `pool` when given) and compares with the reference. The
// factory must accept the layer.
template <class Factory>
void check_conv_algorithm(Factory factory, const reference::ConvParams& p, const ConvCheck& c, std::mt19937& rng,
                          ThreadPool* pool = nullptr) {
  const std::int64_t in_size = p.in[0] * p.in[1] * p.in[2], out_size = p.out[0] * p.out[1] * p.out[2];
  const std::int64_t taps = p.kernel[0] * p.kernel[1] * p.kernel[2];
  const std::int64_t out_rows = p.batch * p.out_channels, fan_in = p.in_channels / p.groups * taps;
  const auto values = [&](std::int64_t n, float stddev) {
    return c.he_normal ? normal_floats(rng, n, stddev) : uniform_floats(rng, n);
  };
  const std::vector<float> input = values(p.batch * p.in_channels * in_size, 1.0f);
  const std::vector<float> weight =
      values(p.out_channels * fan_in, std::sqrt(2.0f / static_cast<float>(std::max<std::int64_t>(fan_in, 1))));
  const std::vector<float> bias = values(p.out_channels, 1.0f);
  const std::vector<float> residual = values(out_rows * out_size, 1.0f);

  ConvSetup setup;
  setup.params = p;
  setup.weight = weight.data();
  setup.activation = c.activation;
  setup.threads = pool ? pool->size() : 1;
  const auto algorithm = factory(setup);
  REQUIRE(algorithm);
  const AlignedBuffer workspace = allocate_aligned(algorithm->workspace_bytes());  // promised 64-byte aligned
  std::vector<float> actual(static_cast<std::size_t>(out_rows * out_size), NAN);
  ConvRunArgs args;
  args.input = input.data();
  args.bias = c.bias ? bias.data() : nullptr;
  args.residual = c.residual ? residual.data() : nullptr;
  if (c.residual && c.residual_in_output) {
    REQUIRE(algorithm->residual_may_be_output());
    actual = residual;
    args.residual = actual.data();
  }
  args.output = actual.data();
  args.workspace = workspace.get();
  args.pool = pool;
  const kernels::Isa made_with = kernels::active_isa();
  if (c.run_isa) kernels::set_active_isa(*c.run_isa);
  algorithm->run(args);
  kernels::set_active_isa(made_with);

  // The reference adds the bias itself; the rest of the epilogue follows.
  std::vector<float> expected(actual.size());
  reference::conv_reference(p, input.data(), weight.data(), c.bias ? bias.data() : nullptr, expected.data(), 0,
                            out_rows);
  const kernels::Epilogue rest{nullptr, nullptr, c.activation};
  for (std::int64_t row = 0; row < out_rows; ++row)
    kernels::apply_epilogue_row(expected.data() + row * out_size, out_size, rest, 0,
                                c.residual ? residual.data() + row * out_size : nullptr);
  const Shape shape{p.batch, p.out_channels, out_size};
  check_close(Tensor::view(DType::Float32, shape, actual.data()), Tensor::view(DType::Float32, shape, expected.data()));
}

}  // namespace onnxrun::testing
