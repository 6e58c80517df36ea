// Winograd convolution F(2x2), F(4x4), F(6x6) with 3x3 filters: the SIMD
// transforms against their scalar references at tile counts around the vector
// and panel widths, and the whole algorithm against the scalar reference
// convolution plus the scalar epilogue, for every instruction set this machine
// runs: odd sizes, sizes that are not multiples of the tile, tiny inputs with
// pads, asymmetric pads, batches whose tile blocks span images, channel counts
// 1 to 300 (more than one SGEMM K block), every epilogue, with thread pools.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "ops/conv/conv_winograd.hpp"
#include "ops/kernels/isa.hpp"
#include "ops/kernels/sgemm.hpp"
#include "ops/kernels/winograd.hpp"
#include "ops/reference/conv_reference.hpp"
#include "runtime/exec/thread_pool.hpp"
#include "tests/support/conv_check.hpp"
#include "tests/support/isa_loop.hpp"

namespace k = onnxrun::kernels;
using onnxrun::testing::available_isas;
using onnxrun::testing::IsaGuard;
using onnxrun::ConvSetup;
using onnxrun::testing::normal_floats;

namespace {

struct Pads {
  std::int64_t top, left, bottom, right;
};

struct Case {
  std::int64_t batch = 1, in_channels = 3, out_channels = 3, h = 1, w = 1;
  Pads pads{1, 1, 1, 1};
  bool bias = true, residual = false;
  k::ActivationParams activation;
};

onnxrun::reference::ConvParams conv_params(const Case& c) {
  onnxrun::reference::ConvParams p;
  p.batch = c.batch;
  p.in_channels = c.in_channels;
  p.out_channels = c.out_channels;
  p.in[1] = c.h;
  p.in[2] = c.w;
  p.out[1] = c.h + c.pads.top + c.pads.bottom - 2;
  p.out[2] = c.w + c.pads.left + c.pads.right - 2;
  p.kernel[1] = p.kernel[2] = 3;
  p.pad[1] = c.pads.top;
  p.pad[2] = c.pads.left;
  return p;
}

std::string describe(const Case& c) {
  return "N " + std::to_string(c.batch) + " C " + std::to_string(c.in_channels) + " M " +
         std::to_string(c.out_channels) + " H " + std::to_string(c.h) + " W " + std::to_string(c.w) +
         " pads (t l b r) " + std::to_string(c.pads.top) + " " + std::to_string(c.pads.left) + " " +
         std::to_string(c.pads.bottom) + " " + std::to_string(c.pads.right) + " bias " + std::to_string(c.bias) +
         " residual " + std::to_string(c.residual) + " activation " +
         std::to_string(static_cast<int>(c.activation.kind));
}

// Runs one case through make_conv_winograd (made under the active ISA, run
// under `run_isa` when given) and through the reference; N(0,1) inputs,
// He-scaled weights, as in a trained network.
void check_case(int m, const Case& c, std::mt19937& rng, onnxrun::ThreadPool* pool = nullptr,
                const k::Isa* run_isa = nullptr) {
  const onnxrun::reference::ConvParams p = conv_params(c);
  REQUIRE(p.out[1] > 0);
  REQUIRE(p.out[2] > 0);
  INFO("made with " << std::string(k::isa_name(k::active_isa())) << ", run with "
                    << std::string(k::isa_name(run_isa ? *run_isa : k::active_isa())) << " F(" << m << "x" << m
                    << ") " << describe(c) << " threads " << (pool ? pool->size() : 1));
  const auto make = [m](const ConvSetup& setup) {
    auto algorithm = onnxrun::make_conv_winograd(setup, m);
    if (algorithm) CHECK(algorithm->name() == "winograd_f" + std::to_string(m) + "x" + std::to_string(m));
    return algorithm;
  };
  onnxrun::testing::check_conv_algorithm(make, p, {c.bias, c.residual, c.activation, true, run_isa}, rng, pool);
}

// Geometry and channel sweep, then every epilogue, then thread pools.
void check_tile_size(int m) {
  IsaGuard guard;
  std::mt19937 rng(static_cast<unsigned>(100 + m));
  struct Geometry {
    std::int64_t batch, h, w;
    Pads pads;
  };
  const Geometry geometries[] = {
      {1, 7, 7, {1, 1, 1, 1}},     // odd, not a multiple of 4 or 6
      {1, 1, 1, {1, 1, 1, 1}},     // 1x1 input, all taps but the centre in the padding
      {1, 1, 1, {2, 2, 2, 2}},     // 1x1 input, 3x3 output
      {1, 3, 3, {0, 0, 0, 0}},     // one output
      {1, 10, 13, {0, 1, 2, 0}},   // asymmetric pads
      {1, 13, 10, {2, 0, 0, 1}},   // asymmetric pads, the other way
      {1, 14, 11, {0, 0, 0, 0}},   // no pads: every tile row but the last interior
      {2, 17, 17, {1, 1, 1, 1}},   // batch 2: tile blocks span images
      {1, 2, 40, {1, 1, 1, 1}},    // one tile row, many tiles across
      {3, 6, 6, {1, 1, 1, 1}},     // tile rows shorter than a vector of tiles
  };
  const std::int64_t channels[][2] = {{1, 1}, {3, 5}, {17, 17}, {64, 64}, {300, 7}};
  for (k::Isa isa : available_isas()) {
    k::set_active_isa(isa);
    for (const Geometry& g : geometries)
      for (const auto& ch : channels) {
        if (ch[0] == 300 && g.h * g.w > 100) continue;  // the K-block case only needs small planes
        Case c;
        c.batch = g.batch;
        c.h = g.h;
        c.w = g.w;
        c.pads = g.pads;
        c.in_channels = ch[0];
        c.out_channels = ch[1];
        check_case(m, c, rng);
      }

    using A = k::Activation;
    const k::ActivationParams activations[] = {{A::None},        {A::Relu},
                                               {A::Clip, 0.0f, 6.0f}, {A::LeakyRelu, 0.1f},
                                               {A::Sigmoid},     {A::HardSigmoid, 0.2f, 0.5f},
                                               {A::HardSwish, 1.0f / 6.0f, 0.5f}};
    for (const k::ActivationParams& activation : activations)
      for (int variant = 0; variant < 4; ++variant) {
        Case c;
        c.batch = 2;
        c.in_channels = 5;
        c.out_channels = 9;
        c.h = 11;
        c.w = 15;
        c.pads = {1, 0, 1, 2};
        c.bias = variant != 1;
        c.residual = variant >= 2;
        c.activation = activation;
        check_case(m, c, rng);
      }
  }

  // Threads: more slots than blocks, as many, and fewer, with every epilogue part.
  for (int threads : {2, 3}) {
    onnxrun::ThreadPool pool(threads);
    for (std::int64_t hw : {5, 23, 57}) {
      Case c;
      c.batch = 2;
      c.in_channels = 16;
      c.out_channels = 8;
      c.h = c.w = hw;
      c.residual = true;
      c.activation = {k::Activation::Relu};
      check_case(m, c, rng, &pool);
    }
    // Fewer tiles than threads have chunks: each phase split by channel or
    // position, here with fewer channels than threads too.
    Case tiny;
    tiny.h = tiny.w = 4;
    tiny.in_channels = 1;
    tiny.out_channels = 2;
    tiny.residual = true;
    check_case(m, tiny, rng, &pool);
  }
}

// A 3x3 ConvSetup of the given geometry that make_conv_winograd accepts.
ConvSetup qualifying_setup(const std::vector<float>& weight) {
  ConvSetup setup;
  onnxrun::reference::ConvParams& p = setup.params;
  p.in_channels = p.out_channels = 2;
  p.in[1] = p.in[2] = p.out[1] = p.out[2] = 8;
  p.kernel[1] = p.kernel[2] = 3;
  p.pad[1] = p.pad[2] = 1;
  setup.weight = weight.data();
  return setup;
}

}  // namespace

TEST_CASE("winograd_f2x2 conv matches the reference: sizes, pads, channels, epilogues, threads, every ISA") {
  check_tile_size(2);
}

TEST_CASE("winograd_f4x4 conv matches the reference: sizes, pads, channels, epilogues, threads, every ISA") {
  check_tile_size(4);
}

TEST_CASE("winograd_f6x6 conv matches the reference: sizes, pads, channels, epilogues, threads, every ISA") {
  check_tile_size(6);
}

TEST_CASE("winograd conv made under one ISA runs correctly under another") {
  IsaGuard guard;
  std::mt19937 rng(9);
  const std::vector<k::Isa> isas = available_isas();
  for (int m : {2, 4, 6})
    for (k::Isa made : isas)
      for (k::Isa run : isas) {
        k::set_active_isa(made);
        Case c;
        c.batch = 2;
        c.in_channels = 7;
        c.out_channels = 11;
        c.h = 19;
        c.w = 21;
        c.residual = true;
        check_case(m, c, rng, nullptr, &run);
      }
}

TEST_CASE("winograd conv at ResNet shapes (He weights, N(0,1) inputs) is within the project tolerance") {
  // The accuracy table in conv_winograd.cpp; these two rows keep the test short.
  std::mt19937 rng(3);
  for (int m : {2, 4, 6}) {
    for (std::int64_t channels_hw : {64 * 1000 + 56, 256 * 1000 + 14}) {
      Case c;
      c.in_channels = c.out_channels = channels_hw / 1000;
      c.h = c.w = channels_hw % 1000;
      c.bias = false;
      check_case(m, c, rng);
    }
  }
}

TEST_CASE("winograd factory refuses layers it cannot compute and tile sizes it does not have") {
  const std::vector<float> weight(2 * 2 * 25, 0.5f);
  CHECK(onnxrun::make_conv_winograd(qualifying_setup(weight), 2));
  CHECK(onnxrun::make_conv_winograd(qualifying_setup(weight), 4));
  CHECK(onnxrun::make_conv_winograd(qualifying_setup(weight), 6));
  for (int tile : {0, 1, 3, 5, 8}) CHECK_FALSE(onnxrun::make_conv_winograd(qualifying_setup(weight), tile));

  ConvSetup s = qualifying_setup(weight);
  s.params.stride[1] = 2;
  s.params.out[1] = 4;
  CHECK_FALSE(onnxrun::make_conv_winograd(s, 4));
  s = qualifying_setup(weight);
  s.params.dilation[2] = 2;
  s.params.out[2] = 6;
  CHECK_FALSE(onnxrun::make_conv_winograd(s, 4));
  s = qualifying_setup(weight);
  s.params.groups = 2;
  CHECK_FALSE(onnxrun::make_conv_winograd(s, 4));
  s = qualifying_setup(weight);
  s.params.kernel[1] = s.params.kernel[2] = 5;
  s.params.pad[1] = s.params.pad[2] = 2;
  CHECK_FALSE(onnxrun::make_conv_winograd(s, 4));
  s = qualifying_setup(weight);
  s.params.kernel[1] = 1;  // 1x3
  s.params.pad[1] = 0;
  CHECK_FALSE(onnxrun::make_conv_winograd(s, 4));
  s = qualifying_setup(weight);  // 3D: depth 3
  s.params.in[0] = s.params.kernel[0] = 3;
  CHECK_FALSE(onnxrun::make_conv_winograd(s, 4));
  s = qualifying_setup(weight);  // 1D: kernel 1x1x3
  s.params.in[1] = s.params.out[1] = 1;
  s.params.kernel[1] = 1;
  s.params.pad[1] = 0;
  CHECK_FALSE(onnxrun::make_conv_winograd(s, 4));
}

TEST_CASE("winograd SIMD transforms match the scalar transforms at tile counts around the vector and panel widths") {
  IsaGuard guard;
  std::mt19937 rng(21);
  for (k::Isa isa : available_isas()) {
    k::set_active_isa(isa);
    const std::int64_t nr = k::sgemm_nr(), width = nr / 2;
    for (std::int64_t m : {2, 4, 6}) {
      // Batch 2 with 5x9 tiles per image and C = 260 (two SGEMM K blocks).
      k::WinogradLayer l;
      l.m = m;
      l.in_channels = 260;
      l.out_channels = 3;
      l.in_h = 5 * m - 1;
      l.in_w = 9 * m - 2;
      l.pad_top = 1;
      l.pad_left = 0;
      l.out_h = l.in_h;
      l.out_w = l.in_w - 2 + 1;  // pads (t l b r) = (1 0 1 1)
      k::winograd_set_tiles(l);
      const std::int64_t alpha = m + 2, positions = alpha * alpha;
      const std::int64_t total = 2 * l.tiles_h * l.tiles_w;
      const std::vector<float> input = normal_floats(rng, 2 * l.in_channels * l.in_h * l.in_w);
      const std::vector<float> residual = normal_floats(rng, 2 * l.out_channels * l.out_h * l.out_w);
      const std::vector<float> bias = normal_floats(rng, l.out_channels);
      for (std::int64_t count : {std::int64_t{1}, width - 1, width, width + 1, nr + 1, std::int64_t{37}})
        for (std::int64_t begin : {std::int64_t{0}, std::int64_t{7}, total - count}) {
          INFO("isa " << std::string(k::isa_name(isa))
               << " m " << m << " tiles [" << begin << ", " << begin + count << ")");
          const std::int64_t n_pad = (count + nr - 1) / nr * nr;
          const std::int64_t v_stride = l.in_channels * n_pad + 5;  // odd on purpose
          std::vector<float> simd(static_cast<std::size_t>(positions * v_stride), 1234.0f), scalar = simd;
          k::winograd_input_transform(l, input.data(), begin, count, simd.data(), v_stride);
          k::winograd_input_transform_reference(l, input.data(), begin, count, scalar.data(), v_stride);
          float error = 0, largest = 0;
          for (std::size_t i = 0; i < simd.size(); ++i) {
            error = std::max(error, std::isnan(simd[i]) ? INFINITY : std::abs(simd[i] - scalar[i]));
            largest = std::max(largest, std::abs(scalar[i]));
          }
          CHECK(error <= 1e-6f * largest);
          // Split by channel, the parts write exactly the whole's values.
          std::vector<float> split(simd.size(), 1234.0f);
          const std::int64_t half = l.in_channels / 2;
          k::winograd_input_transform(l, input.data(), begin, count, split.data(), v_stride, {half, -1});
          k::winograd_input_transform(l, input.data(), begin, count, split.data(), v_stride, {0, half});
          CHECK(split == simd);

          // Output: GEMM results with a leading dimension wider than needed.
          const std::int64_t ldm = n_pad + nr, gemm_stride = l.out_channels * ldm + 3;
          const std::vector<float> gemm = normal_floats(rng, positions * gemm_stride);
          using A = k::Activation;
          for (const k::Epilogue& e : {k::Epilogue{}, k::Epilogue{bias.data(), nullptr, {A::Relu}},
                                       k::Epilogue{bias.data(), residual.data(), {A::HardSwish, 1.0f / 6, 0.5f}},
                                       k::Epilogue{nullptr, residual.data(), {}}}) {
            std::vector<float> out_simd(residual.size(), NAN), out_scalar(residual.size(), NAN);
            k::winograd_output_transform(l, gemm.data(), gemm_stride, ldm, begin, count, e, out_simd.data());
            std::vector<float> out_split(residual.size(), NAN);
            const std::int64_t out_half = l.out_channels / 2 + 1;
            k::winograd_output_transform(l, gemm.data(), gemm_stride, ldm, begin, count, e, out_split.data(),
                                         {0, out_half});
            k::winograd_output_transform(l, gemm.data(), gemm_stride, ldm, begin, count, e, out_split.data(),
                                         {out_half, l.out_channels});
            CHECK(std::equal(out_split.begin(), out_split.end(), out_simd.begin(),
                             [](float a, float b) { return a == b || (std::isnan(a) && std::isnan(b)); }));
            k::winograd_output_transform_reference(l, gemm.data(), gemm_stride, ldm, begin, count, e,
                                                   out_scalar.data());
            float out_error = 0, out_largest = 0;
            for (std::size_t i = 0; i < out_simd.size(); ++i) {
              // Tiles outside the range stay NaN in both.
              if (std::isnan(out_scalar[i]) != std::isnan(out_simd[i])) out_error = INFINITY;
              if (std::isnan(out_scalar[i])) continue;
              out_error = std::max(out_error, std::abs(out_simd[i] - out_scalar[i]));
              out_largest = std::max(out_largest, std::abs(out_scalar[i]));
            }
            CHECK(out_largest > 0);
            CHECK(out_error <= 1e-6f * out_largest);
          }
        }
    }
  }
}

TEST_CASE("winograd weight transform and matrices compute a 3x3 correlation exactly enough, every tile size") {
  // Y = A^T [U (.) V] A on one tile, from the scalar transforms alone: checks the
  // tables in winograd_matrices.hpp (and so the derivation) independently of
  // the convolution plumbing.
  std::mt19937 rng(4);
  for (std::int64_t m : {2, 4, 6}) {
    const std::int64_t alpha = m + 2;
    k::WinogradLayer l;
    l.m = m;
    l.in_h = l.in_w = alpha;
    l.out_h = l.out_w = m;
    k::winograd_set_tiles(l);
    REQUIRE(l.tiles_h == 1);
    const std::vector<float> d = normal_floats(rng, alpha * alpha), g = normal_floats(rng, 9);
    const std::int64_t nr = k::sgemm_nr();
    std::vector<float> v(static_cast<std::size_t>(alpha * alpha * nr)), u(static_cast<std::size_t>(alpha * alpha));
    k::winograd_input_transform_reference(l, d.data(), 0, 1, v.data(), nr);
    k::winograd_weight_transform(m, g.data(), u.data());
    std::vector<float> product(static_cast<std::size_t>(alpha * alpha * nr), 0.0f);
    for (std::int64_t t = 0; t < alpha * alpha; ++t) product[t * nr] = u[t] * v[t * nr];
    std::vector<float> y(static_cast<std::size_t>(m * m), NAN);
    k::winograd_output_transform_reference(l, product.data(), nr, nr, 0, 1, k::Epilogue{}, y.data());
    for (std::int64_t r = 0; r < m; ++r)
      for (std::int64_t s = 0; s < m; ++s) {
        double expected = 0;
        for (int i = 0; i < 3; ++i)
          for (int j = 0; j < 3; ++j) expected += static_cast<double>(g[i * 3 + j]) * d[(r + i) * alpha + s + j];
        INFO("m " << m << " output (" << r << ", " << s << ")");
        CHECK(std::abs(y[r * m + s] - expected) <= 1e-5 * (1 + std::abs(expected)));
      }
  }
}
