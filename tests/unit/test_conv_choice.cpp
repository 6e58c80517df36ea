// The per-layer convolution algorithm choice (ops/conv/conv_choice.hpp): the
// cost model ranks what its measurements say on the ResNet and MobileNet
// layers, and whatever it picks computes what the reference does.
#include <doctest/doctest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "ops/conv/conv_choice.hpp"
#include "ops/reference/conv_reference.hpp"
#include "runtime/exec/thread_pool.hpp"
#include "tests/support/compare.hpp"

using namespace onnxrun;

namespace {

// A square 2D layer at batch `batch`: [batch, in, size, size] -> out channels.
reference::ConvParams layer(std::int64_t in, std::int64_t out, std::int64_t size, std::int64_t kernel,
                            std::int64_t stride, std::int64_t groups = 1, std::int64_t batch = 1) {
  reference::ConvParams p;
  p.batch = batch;
  p.in_channels = in;
  p.out_channels = out;
  p.groups = groups;
  for (int d = 1; d < 3; ++d) {
    p.in[d] = size;
    p.kernel[d] = kernel;
    p.stride[d] = stride;
    p.pad[d] = kernel / 2;
    p.out[d] = (size + 2 * (kernel / 2) - kernel) / stride + 1;
  }
  return p;
}

std::string best(const reference::ConvParams& p) {
  ConvSetup setup;
  setup.params = p;
  return rank_conv_candidates(setup).front().name;
}

}  // namespace

TEST_CASE("conv choice: Winograd for wide 3x3 stride-1 layers, GEMM where weights dominate") {
  // ResNet 3x3 layers with many output positions: Winograd, with the larger
  // tiles where the image is large enough to fill them.
  CHECK(best(layer(64, 64, 56, 3, 1)).rfind("winograd_f", 0) == 0);
  CHECK(best(layer(128, 128, 28, 3, 1)).rfind("winograd_f", 0) == 0);
  CHECK(best(layer(256, 256, 14, 3, 1)) == "winograd_f4x4");
  // 512 channels at 7x7: F(4x4) and F(6x6) have 4 tiles and stream 37-67 MB
  // of transformed weights; the measured times favour F(2x2) / GEMM.
  const std::string small = best(layer(512, 512, 7, 3, 1));
  CHECK((small == "winograd_f2x2" || small == "im2col_gemm"));
  // Not Winograd: strided, 1x1, grouped, 5x5.
  CHECK(best(layer(64, 128, 56, 3, 2)) == "im2col_gemm");
  CHECK(best(layer(256, 64, 56, 1, 1)) == "gemm_1x1");
  CHECK(best(layer(64, 128, 56, 1, 2)) == "im2col_gemm");
  CHECK(best(layer(128, 128, 28, 3, 1, 32)) == "im2col_gemm");
  CHECK(best(layer(32, 32, 28, 5, 1)).rfind("winograd_f", 0) != 0);
}

TEST_CASE("conv choice: the larger Winograd tiles only where whole networks stay accurate with them") {
  const auto names = [](const reference::ConvParams& p) {
    ConvSetup setup;
    setup.params = p;
    std::string text;
    for (const ConvCandidate& c : rank_conv_candidates(setup)) text += c.name + " ";
    return text;
  };
  // inception_v3's 32- to 96-channel layers: F(6x6) never, F(4x4) from 64
  // on its 147x147 stem; below 64 channels F(4x4) only on planes up to 64x64
  // (SqueezeNet's 16- to 48-channel layers).
  CHECK(names(layer(32, 32, 147, 3, 1)).find("winograd_f4x4") == std::string::npos);
  CHECK(names(layer(16, 64, 55, 3, 1)).find("winograd_f4x4") != std::string::npos);
  CHECK(names(layer(32, 128, 27, 3, 1)).find("winograd_f4x4") != std::string::npos);
  CHECK(names(layer(16, 64, 65, 3, 1)).find("winograd_f4x4") == std::string::npos);
  CHECK(names(layer(8, 16, 27, 3, 1)).find("winograd_f4x4") == std::string::npos);
  CHECK(names(layer(32, 32, 147, 3, 1)).find("winograd_f6x6") == std::string::npos);
  CHECK(names(layer(32, 32, 147, 3, 1)).find("winograd_f2x2") != std::string::npos);
  CHECK(names(layer(64, 96, 35, 3, 1)).find("winograd_f4x4") != std::string::npos);
  CHECK(names(layer(128, 128, 28, 3, 1)).find("winograd_f6x6") == std::string::npos);
  CHECK(names(layer(256, 256, 56, 3, 1)).find("winograd_f6x6") != std::string::npos);
}

TEST_CASE("conv choice: direct convolution for first layers, where im2col copies more than the GEMM computes") {
  CHECK(best(layer(3, 64, 224, 7, 2)) == "direct");       // ResNet: 3.5 ms direct, 4.8 ms im2col (1 thread)
  CHECK(best(layer(3, 32, 224, 3, 2)) == "direct");       // MobileNetV2: 0.47 ms against 0.87 ms
  CHECK(best(layer(3, 10, 64, 3, 1, 1, 32)) == "direct"); // the seed tutorial's Conv2d(3, 10, 3), batch 32
  // Many input channels: the GEMM's packed panels win.
  CHECK(best(layer(256, 512, 14, 3, 2)) == "im2col_gemm");
  CHECK(best(layer(128, 256, 28, 3, 2)) == "im2col_gemm");
}

TEST_CASE("conv choice: the candidates are ranked cheapest first") {
  ConvSetup setup;
  setup.params = layer(256, 256, 28, 3, 1);
  const std::vector<ConvCandidate> ranked = rank_conv_candidates(setup);
  REQUIRE(ranked.size() == 5);  // GEMM, direct and three Winograd tile sizes
  for (std::size_t i = 1; i < ranked.size(); ++i) CHECK(ranked[i - 1].estimated_ns <= ranked[i].estimated_ns);
  // The thread count does not change the choice (outputs stay bitwise equal).
  setup.threads = 2;
  CHECK(rank_conv_candidates(setup).front().name == ranked.front().name);
}

TEST_CASE("conv choice: the chosen algorithm matches the reference") {
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  ThreadPool pool(2);
  struct Case {
    reference::ConvParams params;
    std::string expected_prefix;
  };
  const std::vector<Case> cases{
      // Winograd, F(4x4) or F(6x6), on 2 images: blocked between reorders
      // where the transformed weights are fewer than twice the tiles, NCHW
      // where they are more or the channels are not whole blocks.
      {layer(16, 24, 20, 3, 1, 1, 2), "nchwc_winograd"},
      {layer(64, 64, 12, 3, 1), "winograd"},
      {layer(12, 20, 20, 3, 1, 1, 2), "winograd"},
      {layer(24, 24, 15, 3, 2, 24), "depthwise"},
      {layer(24, 24, 16, 5, 1, 24), "depthwise"},
      {layer(16, 32, 12, 1, 1), "gemm_1x1"},
      {layer(8, 16, 13, 3, 2), "im2col_gemm"},
      {layer(3, 12, 40, 3, 1), "direct"},
  };
  for (const Case& c : cases) {
    const reference::ConvParams& p = c.params;
    std::vector<float> input(static_cast<std::size_t>(p.batch * p.in_channels * p.in[1] * p.in[2]));
    std::vector<float> weight(static_cast<std::size_t>(p.out_channels * p.in_channels / p.groups * p.kernel[1] * p.kernel[2]));
    std::vector<float> bias(static_cast<std::size_t>(p.out_channels));
    for (std::vector<float>* v : {&input, &weight, &bias})
      for (float& x : *v) x = dist(rng);
    const std::size_t out_count = static_cast<std::size_t>(p.batch * p.out_channels * p.out[1] * p.out[2]);
    std::vector<float> expected(out_count), actual(out_count);
    reference::conv_reference(p, input.data(), weight.data(), bias.data(), expected.data(), 0, p.batch * p.out_channels);

    ConvSetup setup;
    setup.params = p;
    setup.weight = weight.data();
    setup.threads = 2;
    const auto algorithm = choose_conv_algorithm(setup);
    REQUIRE(algorithm);
    INFO("chosen: " << algorithm->name());
    CHECK(algorithm->name().rfind(c.expected_prefix, 0) == 0);
    // The workspace is promised 64-byte aligned.
    std::vector<float> workspace(algorithm->workspace_bytes() / sizeof(float) + 16);
    void* aligned = workspace.data();
    std::size_t space = workspace.size() * sizeof(float);
    REQUIRE(std::align(64, algorithm->workspace_bytes(), aligned, space));
    ConvRunArgs args;
    args.input = input.data();
    args.bias = bias.data();
    args.output = actual.data();
    args.workspace = aligned;
    args.pool = &pool;
    algorithm->run(args);
    const Shape shape{p.batch, p.out_channels, p.out[1], p.out[2]};
    testing::check_close(Tensor::from_values<float>(shape, actual), Tensor::from_values<float>(shape, expected));
  }
}
