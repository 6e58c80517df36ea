// The direct convolution algorithm against the scalar reference convolution
// plus the scalar epilogue, for every instruction set this machine runs:
// kernel sizes, strides, dilations and asymmetric pads (which the padded,
// phase-split input copy must get right), output widths around the column
// tiles and their partial last vectors, output channel counts around the
// 6-channel block, every epilogue part, with and without a thread pool; and
// which layers it accepts.
#include <doctest/doctest.h>

#include <random>

#include "ops/conv/conv_direct.hpp"
#include "tests/support/conv_check.hpp"
#include "tests/support/isa_loop.hpp"

namespace k = onnxrun::kernels;
using onnxrun::reference::ConvParams;
using onnxrun::testing::ConvCheck;

namespace {

struct Geometry {
  std::int64_t h, w, kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w;
  std::int64_t pad_top, pad_left, pad_bottom, pad_right;
};

std::int64_t output_size(std::int64_t in, std::int64_t pads, std::int64_t kernel, std::int64_t stride,
                         std::int64_t dilation) {
  const std::int64_t span = (kernel - 1) * dilation + 1;
  return in + pads < span ? 0 : (in + pads - span) / stride + 1;
}

ConvParams params(const Geometry& g, std::int64_t batch, std::int64_t in_channels, std::int64_t out_channels) {
  ConvParams p;
  p.batch = batch;
  p.in_channels = in_channels;
  p.out_channels = out_channels;
  p.in[1] = g.h;
  p.in[2] = g.w;
  p.kernel[1] = g.kernel_h;
  p.kernel[2] = g.kernel_w;
  p.stride[1] = g.stride_h;
  p.stride[2] = g.stride_w;
  p.dilation[1] = g.dilation_h;
  p.dilation[2] = g.dilation_w;
  p.pad[1] = g.pad_top;
  p.pad[2] = g.pad_left;
  p.out[1] = output_size(g.h, g.pad_top + g.pad_bottom, g.kernel_h, g.stride_h, g.dilation_h);
  p.out[2] = output_size(g.w, g.pad_left + g.pad_right, g.kernel_w, g.stride_w, g.dilation_w);
  return p;
}

const Geometry kGeometries[] = {
    {224, 224, 7, 7, 2, 2, 1, 1, 3, 3, 3, 3},  // ResNet's first layer
    {32, 33, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1},    // MobileNet's, odd width
    {64, 64, 3, 3, 1, 1, 1, 1, 0, 0, 0, 0},    // the seed tutorial's Conv2d(3, 10, 3)
    {9, 17, 5, 5, 2, 2, 1, 1, 0, 0, 0, 0},     // Conv2d(3, 10, 5, stride=2), small
    {5, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1},      // 5x5 image, stride 2, padding 1
    {1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0},      // 1x1
    {3, 4, 3, 3, 1, 1, 1, 1, 2, 2, 2, 2},      // kernel larger than the input
    {12, 40, 3, 5, 1, 3, 2, 1, 0, 2, 1, 0},    // asymmetric everything, stride 3
    {15, 31, 3, 3, 1, 1, 2, 3, 2, 3, 1, 2},    // dilations
    {11, 70, 11, 11, 4, 4, 1, 1, 2, 2, 2, 2},  // AlexNet-like 11x11 stride 4
    {1, 50, 1, 3, 1, 1, 1, 1, 0, 1, 0, 1},     // a 1D convolution as 1 x W
    {299, 299, 3, 3, 2, 2, 1, 1, 0, 0, 0, 0},  // Inception v3 first layer
};

}  // namespace

TEST_CASE("direct conv matches the reference: kernels, strides, dilations, pads, channel counts, every ISA") {
  onnxrun::testing::IsaGuard guard;
  std::mt19937 rng(31);
  for (k::Isa isa : onnxrun::testing::available_isas()) {
    k::set_active_isa(isa);
    for (const Geometry& g : kGeometries)
      for (const auto& [in_channels, out_channels] : {std::pair{3, 10}, {1, 1}, {2, 6}, {4, 13}}) {
        const ConvParams p = params(g, g.h * g.w > 5000 ? 1 : 2, in_channels, out_channels);
        if (p.out[1] == 0 || p.out[2] == 0) continue;
        INFO("isa " << std::string(k::isa_name(isa)) << " in " << g.h << "x" << g.w << " kernel " << g.kernel_h << "x"
                    << g.kernel_w << " out " << p.out[1] << "x" << p.out[2] << " channels " << in_channels << "->"
                    << out_channels);
        onnxrun::testing::check_conv_algorithm(onnxrun::make_conv_direct, p, ConvCheck{true, false, {}, false, nullptr}, rng);
      }
  }
}

TEST_CASE("direct conv output widths around the column tile, epilogues and threads, every ISA") {
  onnxrun::testing::IsaGuard guard;
  std::mt19937 rng(32);
  onnxrun::ThreadPool pool(3);
  using A = k::Activation;
  const k::ActivationParams activations[] = {
      {A::None}, {A::Relu}, {A::Clip, 0.0f, 6.0f}, {A::HardSwish, 1.0f / 6, 0.5f}};
  for (k::Isa isa : onnxrun::testing::available_isas()) {
    k::set_active_isa(isa);
    // AVX-512 tiles are up to 4 vectors (64 columns) and a row's last tile
    // takes 1 to 4 (111 = 64 + 47); AVX2's up to 2 (16 columns).
    for (std::int64_t w : {7, 8, 15, 16, 17, 31, 32, 33, 47, 48, 49, 63, 64, 65, 80, 111, 112})
      for (int variant = 0; variant < 4; ++variant) {
        const Geometry g{5, w, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1};
        const ConvParams p = params(g, 3, 3, 7);
        ConvCheck c;
        c.bias = variant % 2 == 0;
        c.residual = variant >= 2;
        c.activation = activations[variant];
        INFO("isa " << std::string(k::isa_name(isa)) << " width " << w << " variant " << variant);
        onnxrun::testing::check_conv_algorithm(onnxrun::make_conv_direct, p, c, rng, variant % 2 ? &pool : nullptr);
      }
  }
}

TEST_CASE("direct conv accepts 2D one-group layers only") {
  const Geometry g{8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1};
  std::vector<float> weight(64 * 9, 0.5f);
  onnxrun::ConvSetup setup;
  setup.params = params(g, 1, 4, 4);
  setup.weight = weight.data();
  CHECK(onnxrun::make_conv_direct(setup));
  setup.params.groups = 2;  // grouped
  CHECK_FALSE(onnxrun::make_conv_direct(setup));
  setup.params = params(g, 1, 4, 4);
  setup.params.in[0] = setup.params.kernel[0] = 3;  // 3D
  CHECK_FALSE(onnxrun::make_conv_direct(setup));
  setup.params = params(g, 1, 4, 4);
  setup.weight = nullptr;  // weights not constant
  CHECK_FALSE(onnxrun::make_conv_direct(setup));
}
