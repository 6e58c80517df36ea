// The NCHW8c convolution algorithm (dense and depthwise) against the scalar
// reference convolution plus the scalar epilogue, for every instruction set
// this machine runs. The algorithm works on blocked tensors; the adapter below
// converts the check's NCHW input, residual and output with the reorder
// kernels, which the round-trip case checks on their own.
#include <doctest/doctest.h>

#include <cstring>
#include <random>
#include <vector>

#include "ops/conv/conv_nchwc.hpp"
#include "ops/kernels/nchwc_conv.hpp"
#include "runtime/exec/thread_pool.hpp"
#include "tests/support/blocked_conv_adapter.hpp"
#include "tests/support/conv_check.hpp"
#include "tests/support/isa_loop.hpp"

namespace k = onnxrun::kernels;
using onnxrun::ConvAlgorithm;
using onnxrun::ConvRunArgs;
using onnxrun::ConvSetup;
using onnxrun::reference::ConvParams;
using onnxrun::testing::available_isas;
using onnxrun::testing::BlockedAdapter;
using onnxrun::testing::ConvCheck;
using onnxrun::testing::IsaGuard;

namespace {

std::unique_ptr<ConvAlgorithm> make_adapted(const ConvSetup& setup) {
  auto blocked = onnxrun::make_conv_nchwc(setup);
  return blocked ? std::make_unique<BlockedAdapter>(std::move(blocked), setup.params, false) : nullptr;
}

std::unique_ptr<ConvAlgorithm> make_adapted_from_nchw(const ConvSetup& setup) {
  auto blocked = onnxrun::make_conv_nchwc_from_nchw(setup);
  return blocked ? std::make_unique<BlockedAdapter>(std::move(blocked), setup.params, true) : nullptr;
}

struct Layer {
  std::int64_t batch = 1, in_channels = 8, out_channels = 8, h = 5, w = 5;
  std::int64_t kernel_h = 3, kernel_w = 3, stride = 1, dilation = 1, pad_top = 1, pad_left = 1, pad_bottom = 1,
               pad_right = 1;
  bool depthwise = false;
};

ConvParams conv_params(const Layer& l) {
  ConvParams p;
  p.batch = l.batch;
  p.in_channels = l.in_channels;
  p.out_channels = l.out_channels;
  p.groups = l.depthwise ? l.in_channels : 1;
  p.in[1] = l.h;
  p.in[2] = l.w;
  p.kernel[1] = l.kernel_h;
  p.kernel[2] = l.kernel_w;
  p.stride[1] = p.stride[2] = l.stride;
  p.dilation[1] = p.dilation[2] = l.dilation;
  p.pad[1] = l.pad_top;
  p.pad[2] = l.pad_left;
  const auto out = [&](std::int64_t in, std::int64_t k, std::int64_t pb, std::int64_t pe) {
    return (in + pb + pe - (k - 1) * l.dilation - 1) / l.stride + 1;
  };
  p.out[1] = out(l.h, l.kernel_h, l.pad_top, l.pad_bottom);
  p.out[2] = out(l.w, l.kernel_w, l.pad_left, l.pad_right);
  return p;
}

// Stride 2, a 7x7 kernel, asymmetric pads, batch 2 (ResNet's first layer, smaller).
Layer strided_7x7(std::int64_t in_channels, std::int64_t out_channels, std::int64_t h, std::int64_t w) {
  Layer l;
  l.batch = 2;
  l.in_channels = in_channels;
  l.out_channels = out_channels;
  l.h = h;
  l.w = w;
  l.kernel_h = l.kernel_w = 7;
  l.stride = 2;
  l.pad_top = 3;
  l.pad_left = 2;
  l.pad_bottom = 1;
  l.pad_right = 3;
  return l;
}

// Dilation 2, a non-square 3x2 kernel, no padding, 9 rows.
Layer dilated_3x2(std::int64_t in_channels, std::int64_t out_channels, std::int64_t w) {
  Layer l;
  l.in_channels = in_channels;
  l.out_channels = out_channels;
  l.h = 9;
  l.w = w;
  l.kernel_h = 3;
  l.kernel_w = 2;
  l.dilation = 2;
  l.pad_top = l.pad_left = l.pad_bottom = l.pad_right = 0;
  return l;
}

// A 1x1 kernel, stride 1, no pads.
Layer pointwise_layer(std::int64_t in_channels, std::int64_t out_channels, std::int64_t h, std::int64_t w) {
  Layer l;
  l.in_channels = in_channels;
  l.out_channels = out_channels;
  l.h = h;
  l.w = w;
  l.kernel_h = l.kernel_w = 1;
  l.pad_top = l.pad_left = l.pad_bottom = l.pad_right = 0;
  return l;
}

void check_layer(const Layer& layer, const ConvCheck& check, std::mt19937& rng, onnxrun::ThreadPool* pool = nullptr,
                 bool nchw_input = false) {
  const ConvParams p = conv_params(layer);
  CAPTURE(p.in_channels);
  CAPTURE(p.out_channels);
  CAPTURE(p.in[1]);
  CAPTURE(p.in[2]);
  CAPTURE(p.kernel[1]);
  CAPTURE(p.stride[1]);
  CAPTURE(layer.depthwise);
  CAPTURE(nchw_input);
  onnxrun::testing::check_conv_algorithm(nchw_input ? make_adapted_from_nchw : make_adapted, p, check, rng, pool);
}

}  // namespace

TEST_CASE("NCHW8c reorders round-trip and place channel c of pixel p at block c/8, lane c%8, every ISA") {
  IsaGuard guard;
  const std::int64_t channels = 24;
  for (k::Isa isa : available_isas()) {
    k::set_active_isa(isa);
    CAPTURE(std::string(k::isa_name(isa)));
    // Planes below, at and past the AVX kernels' 8-pixel tiles, with tails.
    for (std::int64_t plane : {1, 4, 7, 8, 9, 15, 16, 17, 49, 196}) {
      CAPTURE(plane);
      std::vector<float> nchw(static_cast<std::size_t>(channels * plane)), blocked(nchw.size(), -1.0f),
          back(nchw.size(), -1.0f);
      for (std::size_t i = 0; i < nchw.size(); ++i) nchw[i] = static_cast<float>(i);
      // Blocks 1-2, then block 0: as two threads would split them.
      k::reorder_nchw_to_nchwc(nchw.data(), blocked.data(), plane, 1, 3);
      k::reorder_nchw_to_nchwc(nchw.data(), blocked.data(), plane, 0, 1);
      std::int64_t misplaced = 0;
      for (std::int64_t c = 0; c < channels; ++c)
        for (std::int64_t p = 0; p < plane; ++p)
          misplaced += blocked[static_cast<std::size_t>((c / 8 * plane + p) * 8 + c % 8)] != nchw[c * plane + p];
      CHECK(misplaced == 0);
      k::reorder_nchwc_to_nchw(blocked.data(), back.data(), plane, 2, 3);
      k::reorder_nchwc_to_nchw(blocked.data(), back.data(), plane, 0, 2);
      CHECK(back == nchw);
    }
  }
}

TEST_CASE("NCHW8c dense convolution matches the reference on every instruction set") {
  IsaGuard guard;
  std::mt19937 rng(7);
  for (k::Isa isa : available_isas()) {
    k::set_active_isa(isa);
    CAPTURE(std::string(k::isa_name(isa)));
    // Block counts 1-5 and 9 cover every tile width (OB 4, 3, 2, 1 and a
    // remainder); widths around the tiles (3, 4, 6, 8 pixels) and borders.
    for (std::int64_t out_blocks : {1, 2, 3, 4, 5, 9})
      for (std::int64_t w : {1, 2, 5, 7, 13}) {
        Layer l;
        l.in_channels = 16;
        l.out_channels = out_blocks * 8;
        l.h = 4;
        l.w = w;
        check_layer(l, ConvCheck{true, true, {k::Activation::Relu}, true, nullptr}, rng);
      }
    Layer wide;  // 7x7 over 21 input blocks: more than one pass (20 blocks of 49 taps each)
    wide.in_channels = 168;
    wide.out_channels = 16;
    wide.kernel_h = wide.kernel_w = 7;
    wide.pad_top = wide.pad_left = wide.pad_bottom = wide.pad_right = 3;
    check_layer(wide, ConvCheck{true, true, {k::Activation::Relu}, true, nullptr}, rng);
    const Layer pointwise = pointwise_layer(72, 24, 5, 7);  // one long row across row ends
    check_layer(pointwise, ConvCheck{true, false, {k::Activation::Clip, 0.0f, 6.0f}, true, nullptr}, rng);
    // 7x7 over 40 input blocks: two passes (32 and 8 blocks), whose whole
    // tiles ask for the next pass's weights (the next group's after the
    // last pass) as they sum; 5 output blocks make groups of every size.
    check_layer(pointwise_layer(320, 40, 7, 7), ConvCheck{true, true, {k::Activation::Relu}, true, nullptr}, rng);
    Layer downsample = pointwise;  // 1x1 stride 2 (ResNet's downsample): pointwise, not one long row
    downsample.stride = 2;
    downsample.h = 9;
    downsample.w = 10;
    check_layer(downsample, ConvCheck{true, true, {}, true, nullptr}, rng);
    check_layer(strided_7x7(8, 16, 11, 12), ConvCheck{false, true, {k::Activation::Silu}, true, nullptr}, rng);
    check_layer(dilated_3x2(24, 8, 10), ConvCheck{true, false, {}, true, nullptr}, rng);
    // 3x3 stride 2 (ResNet's downsampling layers, blocked in other
    // networks): a left border column, rows of 7, 14 and 15 outputs (tails;
    // a right border at odd widths), groups of 4, 2 and 1 blocks.
    for (std::int64_t out_blocks : {1, 2, 4, 7})
      for (std::int64_t w : {14, 28, 29}) {
        Layer l;
        l.in_channels = 16;
        l.out_channels = out_blocks * 8;
        l.h = 6;
        l.w = w;
        l.stride = 2;
        check_layer(l, ConvCheck{true, true, {k::Activation::Relu}, true, nullptr}, rng);
      }
  }
}

TEST_CASE("NCHW8c dense convolution writes its output over its residual where it sums the input in one pass") {
  IsaGuard guard;
  std::mt19937 rng(8);
  onnxrun::ThreadPool pool(3);
  const ConvCheck in_place = onnxrun::testing::residual_in_output_check();
  // A bottleneck's last 1x1 layer: 8 input blocks, 5 output blocks (groups
  // of 4 and 1 on AVX-512, 2, 2 and 1 elsewhere), on a batch of 2.
  Layer pointwise = pointwise_layer(64, 40, 6, 13);
  pointwise.batch = 2;
  Layer three_blocks;  // 3x3 over 3 input blocks: the most one pass of 9 taps sums
  three_blocks.in_channels = 24;
  three_blocks.out_channels = 24;
  three_blocks.h = 7;
  three_blocks.w = 15;
  for (k::Isa isa : available_isas()) {
    k::set_active_isa(isa);
    CAPTURE(std::string(k::isa_name(isa)));
    for (const Layer& l : {pointwise, three_blocks}) {
      check_layer(l, in_place, rng);
      check_layer(l, in_place, rng, &pool);
    }
    // A plain NCHW input is one block of its channels: one pass, too.
    check_layer(strided_7x7(3, 16, 11, 12), in_place, rng, &pool, true);
  }
  // More input blocks than a pass sums, or a depthwise layer: the output
  // must not take the residual's buffer.
  const auto allows = [](const Layer& l) {
    ConvSetup setup;
    setup.params = conv_params(l);
    const std::vector<float> weight(
        static_cast<std::size_t>(l.out_channels * l.in_channels / setup.params.groups * l.kernel_h * l.kernel_w), 0.5f);
    setup.weight = weight.data();
    const auto algorithm = onnxrun::make_conv_nchwc(setup);
    REQUIRE(algorithm);
    return algorithm->residual_may_be_output();
  };
  CHECK(allows(pointwise));
  CHECK(allows(three_blocks));
  Layer four_blocks = three_blocks;
  four_blocks.in_channels = 32;
  CHECK_FALSE(allows(four_blocks));
  Layer depthwise = three_blocks;
  depthwise.depthwise = true;
  CHECK_FALSE(allows(depthwise));
}

TEST_CASE("NCHW8c depthwise convolution matches the reference on every instruction set") {
  IsaGuard guard;
  std::mt19937 rng(11);
  for (k::Isa isa : available_isas()) {
    k::set_active_isa(isa);
    CAPTURE(std::string(k::isa_name(isa)));
    // Widths 1-17 reach the 4-, 2- and 1-pixel tiles and the 8-pixel one;
    // on AVX-512, the third block (alone), 14 a tile of 7 pairs, 28 one of
    // 16 pixels and one of 6 pairs, 40 one of 16 pixels and an AVX2 tile of
    // 8; the first two blocks go as a pair, in tiles of 1 to 8 pixels.
    for (std::int64_t kernel : {3, 5})
      for (std::int64_t stride : {1, 2})
        for (std::int64_t w : {1, 3, 8, 9, 14, 17, 28, 40}) {
          Layer l;
          l.depthwise = true;
          l.batch = 2;
          l.in_channels = l.out_channels = 24;  // on AVX-512 a block pair and a block alone
          l.h = 6;
          l.w = w;
          l.kernel_h = l.kernel_w = kernel;
          l.stride = stride;
          l.pad_top = l.pad_left = kernel / 2;
          l.pad_bottom = l.pad_right = kernel / 2 - (stride == 2 ? 1 : 0);
          check_layer(l, ConvCheck{true, true, {k::Activation::HardSwish, 1.0f / 6, 0.5f}, true, nullptr}, rng);
        }
    Layer dilated;
    dilated.depthwise = true;
    dilated.in_channels = dilated.out_channels = 8;
    dilated.h = dilated.w = 9;
    dilated.dilation = 2;
    dilated.pad_top = dilated.pad_left = dilated.pad_bottom = dilated.pad_right = 2;
    check_layer(dilated, ConvCheck{}, rng);
  }
}

// Depthwise layers whose border columns are an eighth or more of the
// outputs (a quarter at stride 2) copy each block's input rows into a
// zero-bordered buffer first (nchwc_conv_impl.hpp, depthwise_padded): 7x7
// planes at 3x3 and 5x5, 14x14 at 3x3 and at 5x5 stride 2, and a plane too
// tall for one buffer (80 rows of 12), whole or split into row runs over a pool.
TEST_CASE("NCHW8c depthwise convolution on narrow planes (zero-bordered copies) matches the reference") {
  IsaGuard guard;
  onnxrun::ThreadPool pool(3);
  std::mt19937 rng(29);
  struct Plane {
    std::int64_t h, w, kernel, stride;
  };
  for (k::Isa isa : available_isas()) {
    k::set_active_isa(isa);
    CAPTURE(std::string(k::isa_name(isa)));
    for (const Plane& plane :
         {Plane{7, 7, 3, 1}, Plane{7, 7, 5, 1}, Plane{14, 14, 3, 1}, Plane{14, 14, 5, 2}, Plane{80, 12, 5, 1}})
      for (onnxrun::ThreadPool* threads : {static_cast<onnxrun::ThreadPool*>(nullptr), &pool}) {
        Layer l;
        l.depthwise = true;
        l.batch = 2;
        l.in_channels = l.out_channels = 24;
        l.h = plane.h;
        l.w = plane.w;
        l.kernel_h = l.kernel_w = plane.kernel;
        l.stride = plane.stride;
        l.pad_top = l.pad_left = l.pad_bottom = l.pad_right = plane.kernel / 2;
        check_layer(l, ConvCheck{true, true, {k::Activation::Silu}, true, nullptr}, rng, threads);
      }
  }
}

// The zero-bordered copy covers only the rows of the call's pixel range, and
// a range may start and end mid-row: pixel ranges cut anywhere give the bits
// of one call over the whole plane (which the tests above check against the
// reference).
TEST_CASE("NCHW8c depthwise convolution over pixel ranges cut mid-row gives the bits of one call") {
  IsaGuard guard;
  std::mt19937 rng(31);
  struct Plane {
    std::int64_t size, kernel, stride;
  };
  for (k::Isa isa : available_isas()) {
    k::set_active_isa(isa);
    for (const Plane& plane : {Plane{14, 3, 1}, Plane{7, 5, 1}, Plane{14, 5, 2}}) {
      k::NchwcConvShape shape;
      shape.in_blocks = shape.out_blocks = 2;
      shape.in_h = shape.in_w = plane.size;
      shape.kernel_h = shape.kernel_w = plane.kernel;
      shape.stride_h = shape.stride_w = plane.stride;
      shape.pad_top = shape.pad_left = plane.kernel / 2;
      shape.out_h = shape.out_w = (plane.size + 2 * shape.pad_left - plane.kernel) / plane.stride + 1;
      const std::int64_t pixels = shape.out_h * shape.out_w;
      const std::vector<float> input = onnxrun::testing::uniform_floats(rng, 2 * 8 * plane.size * plane.size);
      const std::vector<float> weight = onnxrun::testing::uniform_floats(rng, 16 * plane.kernel * plane.kernel);
      std::vector<float> packed(static_cast<std::size_t>(k::nchwc_depthwise_packed_floats(shape)));
      k::nchwc_depthwise_pack_weights(shape, weight.data(), packed.data());
      const std::vector<float> bias = onnxrun::testing::uniform_floats(rng, 16);
      const k::Epilogue epilogue{bias.data(), nullptr, {k::Activation::Relu}};
      std::vector<float> whole(static_cast<std::size_t>(2 * 8 * pixels), 0.0f), cut(whole.size(), 0.0f);
      k::nchwc_depthwise_conv(shape, input.data(), packed.data(), whole.data(), epilogue, 0, 2, 0, pixels);
      const std::int64_t cuts[] = {0, 5, pixels / 2 + 3, pixels - 1, pixels};
      for (int i = 0; i + 1 < 5; ++i)
        k::nchwc_depthwise_conv(shape, input.data(), packed.data(), cut.data(), epilogue, 0, 2, cuts[i], cuts[i + 1]);
      INFO("isa " << std::string(k::isa_name(isa))
           << " plane " << plane.size << " kernel " << plane.kernel << " stride "
                  << plane.stride);
      CHECK(std::memcmp(whole.data(), cut.data(), whole.size() * sizeof(float)) == 0);
    }
  }
}

TEST_CASE("NCHW8c convolution splits work over a thread pool without changing results") {
  onnxrun::ThreadPool pool(3);
  std::mt19937 rng(5);
  Layer dense;
  dense.in_channels = 32;
  dense.out_channels = 40;
  dense.h = 14;
  dense.w = 15;
  check_layer(dense, ConvCheck{true, true, {k::Activation::Relu}, true, nullptr}, rng, &pool);
  Layer depthwise = dense;
  depthwise.depthwise = true;
  depthwise.out_channels = 32;
  depthwise.stride = 2;
  check_layer(depthwise, ConvCheck{true, false, {}, true, nullptr}, rng, &pool);
}

TEST_CASE("NCHW8c convolution from an NCHW input (first layers) matches the reference on every instruction set") {
  IsaGuard guard;
  std::mt19937 rng(17);
  onnxrun::ThreadPool pool(3);
  for (k::Isa isa : available_isas()) {
    k::set_active_isa(isa);
    CAPTURE(std::string(k::isa_name(isa)));
    // 1, 3 (RGB: its own instantiation at stride 2) and 5 input channels;
    // 1-3 and 5 output blocks (a lone last block; AVX-512's group of 4 and
    // one); widths around the 6-pixel tile and its 4/2/1 tails, with border
    // columns.
    for (std::int64_t in_channels : {1, 3, 5})
      for (std::int64_t out_blocks : {1, 2, 3, 5})
        for (std::int64_t w : {1, 6, 7, 13, 20}) {
          Layer l;
          l.in_channels = in_channels;
          l.out_channels = out_blocks * 8;
          l.h = 5;
          l.w = w;
          l.stride = 2;
          check_layer(l, ConvCheck{true, true, {k::Activation::Relu}, true, nullptr}, rng, nullptr, true);
        }
    check_layer(strided_7x7(3, 32, 15, 26), ConvCheck{true, false, {k::Activation::Silu}, true, nullptr}, rng, &pool,
                true);
    check_layer(dilated_3x2(2, 16, 14), ConvCheck{false, true, {k::Activation::Clip, 0.0f, 6.0f}, true, nullptr}, rng,
                nullptr, true);
  }
  ConvParams p;
  p.in_channels = 3;
  p.out_channels = 12;  // output channels must fill blocks
  CHECK_FALSE(onnxrun::conv_nchwc_from_nchw_applies(p));
  p.out_channels = 16;
  CHECK(onnxrun::conv_nchwc_from_nchw_applies(p));
  p.groups = 3;
  CHECK_FALSE(onnxrun::conv_nchwc_from_nchw_applies(p));
}

TEST_CASE("NCHW8c convolution does not take layers it cannot run") {
  ConvParams p;
  p.in_channels = 12;  // not a multiple of 8
  p.out_channels = 16;
  CHECK_FALSE(onnxrun::conv_nchwc_applies(p));
  p.in_channels = 16;
  p.groups = 2;  // grouped, not depthwise
  CHECK_FALSE(onnxrun::conv_nchwc_applies(p));
  p.groups = 1;
  p.in[0] = 3;  // 3D
  CHECK_FALSE(onnxrun::conv_nchwc_applies(p));
  p.in[0] = 1;
  CHECK(onnxrun::conv_nchwc_applies(p));
}
