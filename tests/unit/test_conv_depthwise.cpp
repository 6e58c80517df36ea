// The depthwise convolution algorithm against the scalar reference convolution
// plus the scalar epilogue, for every instruction set this machine runs: both
// kernel sizes and strides, symmetric and asymmetric pads, plane sizes around
// the vector width, the 4-vector block and the 256-column strip, every fused
// epilogue, with and without a thread pool.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "ops/conv/conv_depthwise.hpp"
#include "ops/kernels/isa.hpp"
#include "ops/reference/conv_reference.hpp"
#include "runtime/exec/thread_pool.hpp"
#include "tests/support/conv_check.hpp"
#include "tests/support/isa_loop.hpp"

namespace k = onnxrun::kernels;
using onnxrun::ConvSetup;
using onnxrun::Tensor;
using onnxrun::testing::available_isas;
using onnxrun::testing::IsaGuard;

namespace {

struct Pads {
  std::int64_t top, left, bottom, right;
};

struct Case {
  std::int64_t batch = 2, channels = 3, h = 1, w = 1;
  int kernel = 3, stride = 1;
  Pads pads{0, 0, 0, 0};
  bool bias = false, residual = false;
  k::ActivationParams activation;
};

std::int64_t output_size(std::int64_t in, std::int64_t pad_begin, std::int64_t pad_end, int kernel, int stride) {
  const std::int64_t padded = in + pad_begin + pad_end;
  return padded < kernel ? 0 : (padded - kernel) / stride + 1;
}

onnxrun::reference::ConvParams conv_params(const Case& c) {
  onnxrun::reference::ConvParams p;
  p.batch = c.batch;
  p.in_channels = p.out_channels = p.groups = c.channels;
  p.in[1] = c.h;
  p.in[2] = c.w;
  p.out[1] = output_size(c.h, c.pads.top, c.pads.bottom, c.kernel, c.stride);
  p.out[2] = output_size(c.w, c.pads.left, c.pads.right, c.kernel, c.stride);
  p.kernel[1] = p.kernel[2] = c.kernel;
  p.stride[1] = p.stride[2] = c.stride;
  p.pad[1] = c.pads.top;
  p.pad[2] = c.pads.left;
  return p;
}

// Runs one case through make_conv_depthwise and the reference; false when the
// geometry has no output (kernel larger than the padded input).
bool check_case(const Case& c, std::mt19937& rng, onnxrun::ThreadPool* pool = nullptr) {
  const onnxrun::reference::ConvParams p = conv_params(c);
  if (p.out[1] == 0 || p.out[2] == 0) return false;
  INFO("isa " << std::string(k::isa_name(k::active_isa())) << " N " << c.batch << " C " << c.channels << " H " << c.h
              << " W " << c.w << " kernel " << c.kernel << " stride " << c.stride << " pads (t l b r) " << c.pads.top
              << " " << c.pads.left << " " << c.pads.bottom << " " << c.pads.right << " bias " << c.bias
              << " residual " << c.residual << " activation " << static_cast<int>(c.activation.kind) << " threads "
              << (pool ? pool->size() : 1));
  onnxrun::testing::check_conv_algorithm(onnxrun::make_conv_depthwise, p, {c.bias, c.residual, c.activation, false, nullptr}, rng,
                                         pool);
  return true;
}

const Pads kPads[] = {{0, 0, 0, 0}, {1, 1, 1, 1}, {2, 2, 2, 2}, {0, 1, 2, 0}, {2, 0, 1, 1}};

}  // namespace

TEST_CASE("depthwise conv matches the reference over plane sizes and pads, every ISA") {
  IsaGuard guard;
  std::mt19937 rng(5);
  const std::int64_t sizes[] = {1, 2, 7, 8, 9, 15, 16, 17, 31, 112};
  for (k::Isa isa : available_isas()) {
    k::set_active_isa(isa);
    int checked = 0;
    for (int kernel : {3, 5, 7})
      for (int stride : {1, 2})
        for (const Pads& pads : kPads)
          for (std::int64_t h : sizes)
            for (std::int64_t w : sizes) {
              Case c;
              c.h = h;
              c.w = w;
              c.kernel = kernel;
              c.stride = stride;
              c.pads = pads;
              c.bias = true;
              checked += check_case(c, rng);
            }
    CHECK(checked > 1500);  // most geometries have an output
  }
}

TEST_CASE("depthwise conv rows wider than one column strip, every ISA") {
  IsaGuard guard;
  std::mt19937 rng(6);
  for (k::Isa isa : available_isas()) {
    k::set_active_isa(isa);
    for (int kernel : {3, 5, 7})
      for (int stride : {1, 2})
        for (std::int64_t w : {255, 256, 257, 300, 511, 513, 530})
          for (const Pads& pads : {Pads{1, 1, 1, 1}, Pads{0, 2, 1, 0}}) {
            Case c;
            c.batch = 1;
            c.channels = 2;
            c.h = w % 2 ? 7 : 61;  // 7: the 7x7 kernel still has an output; 61: several bands
            c.w = w;
            c.kernel = kernel;
            c.stride = stride;
            c.pads = pads;
            c.residual = true;
            CHECK(check_case(c, rng));
          }
  }
}

TEST_CASE("depthwise conv epilogues: bias, residual, each activation, with and without threads") {
  IsaGuard guard;
  std::mt19937 rng(7);
  onnxrun::ThreadPool pool(3);
  using A = k::Activation;
  // The first five are compiled in with their activation fixed; the rest take
  // the run-time switch.
  const k::ActivationParams activations[] = {{A::None},
                                             {A::Relu},
                                             {A::Clip, 0.0f, 6.0f},
                                             {A::HardSwish, 1.0f / 6.0f, 0.5f},
                                             {A::Silu},
                                             {A::LeakyRelu, 0.1f},
                                             {A::Sigmoid},
                                             {A::HardSigmoid, 0.2f, 0.5f}};
  for (k::Isa isa : available_isas()) {
    k::set_active_isa(isa);
    for (int kernel : {3, 5, 7})
      for (int stride : {1, 2})
        for (std::int64_t channels : {1, 3, 32})
          for (const k::ActivationParams& activation : activations)
            for (int variant = 0; variant < 4; ++variant) {
              Case c;
              c.channels = channels;
              c.h = variant % 2 ? 9 : 17;
              c.w = variant % 2 ? 31 : 17;
              c.kernel = kernel;
              c.stride = stride;
              c.pads = kernel == 3 ? Pads{1, 1, 1, 1} : Pads{2, 2, 2, 2};
              c.bias = variant != 1;
              c.residual = variant >= 2;
              c.activation = activation;
              CHECK(check_case(c, rng, variant == 3 ? &pool : nullptr));
            }
  }
}

TEST_CASE("depthwise conv splits planes over a thread pool") {
  std::mt19937 rng(8);
  for (int threads : {1, 2, 3, 5}) {
    onnxrun::ThreadPool pool(threads);
    for (std::int64_t size : {7, 56}) {
      Case c;
      c.channels = 32;
      c.h = c.w = size;
      c.stride = size == 7 ? 1 : 2;
      c.pads = {1, 1, 1, 1};
      c.bias = c.residual = true;
      c.activation = {k::Activation::Clip, 0.0f, 6.0f};
      CHECK(check_case(c, rng, &pool));
    }
  }
}

TEST_CASE("make_conv_depthwise accepts only 2D depthwise 3x3 / 5x5 / 7x7, stride 1 or 2, dilation 1") {
  const std::vector<float> weight(8 * 49, 0.5f);
  const auto make = [&](auto edit) {
    ConvSetup setup;
    onnxrun::reference::ConvParams& p = setup.params;
    p.batch = 1;
    p.in_channels = p.out_channels = p.groups = 8;
    p.in[1] = p.in[2] = 10;
    p.out[1] = p.out[2] = 10;
    p.kernel[1] = p.kernel[2] = 3;
    p.pad[1] = p.pad[2] = 1;
    setup.weight = weight.data();
    edit(p);
    return onnxrun::make_conv_depthwise(setup);
  };
  using P = onnxrun::reference::ConvParams;
  const auto base = make([](P&) {});
  REQUIRE(base);
  CHECK(base->name() == "depthwise_3x3_s1");
  const auto five_s2 = make([](P& p) {
    p.kernel[1] = p.kernel[2] = 5;
    p.stride[1] = p.stride[2] = 2;
    p.out[1] = p.out[2] = 4;
  });
  REQUIRE(five_s2);
  CHECK(five_s2->name() == "depthwise_5x5_s2");

  CHECK_FALSE(make([](P& p) { p.groups = 4; }));
  CHECK_FALSE(make([](P& p) { p.out_channels = 16; }));
  CHECK_FALSE(make([](P& p) { p.groups = p.in_channels = p.out_channels = 1; p.kernel[1] = 1; }));
  const auto seven = make([](P& p) {
    p.kernel[1] = p.kernel[2] = 7;
    p.pad[1] = p.pad[2] = 3;
  });
  REQUIRE(seven);
  CHECK(seven->name() == "depthwise_7x7_s1");
  CHECK_FALSE(make([](P& p) { p.kernel[1] = p.kernel[2] = 9; }));
  CHECK_FALSE(make([](P& p) { p.kernel[1] = p.kernel[2] = 1; }));
  CHECK_FALSE(make([](P& p) { p.kernel[2] = 5; }));
  CHECK_FALSE(make([](P& p) { p.stride[1] = p.stride[2] = 3; }));
  CHECK_FALSE(make([](P& p) { p.stride[2] = 2; }));
  CHECK_FALSE(make([](P& p) { p.dilation[1] = p.dilation[2] = 2; }));
  CHECK_FALSE(make([](P& p) { p.in[0] = p.out[0] = 4; p.kernel[0] = 3; }));  // 3D
}
