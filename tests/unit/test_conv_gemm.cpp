// The GEMM convolution (im2col and 1x1) against the scalar reference plus the
// scalar epilogue: 1D/2D/3D, strides, asymmetric pads, dilations, groups,
// batches, fused bias/residual/activation, several thread counts, every ISA.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

#include "ops/conv/conv_algorithm.hpp"
#include "ops/conv/conv_gemm.hpp"
#include "ops/kernels/isa.hpp"
#include "runtime/core/aligned_buffer.hpp"
#include "runtime/exec/thread_pool.hpp"

using namespace onnxrun;
namespace k = onnxrun::kernels;

namespace {

struct ConvCase {
  std::int64_t batch = 1, in_channels = 1, out_channels = 1, groups = 1;
  std::vector<std::int64_t> in, kernel, stride, pad_begin, pad_end, dilation;  // spatial, 1 to 3 dims
};

reference::ConvParams make_params(const ConvCase& c) {
  reference::ConvParams p;
  p.batch = c.batch;
  p.in_channels = c.in_channels;
  p.out_channels = c.out_channels;
  p.groups = c.groups;
  const std::size_t rank = c.in.size(), lead = 3 - rank;
  for (std::size_t d = 0; d < rank; ++d) {
    p.in[lead + d] = c.in[d];
    p.kernel[lead + d] = c.kernel[d];
    p.stride[lead + d] = c.stride[d];
    p.pad[lead + d] = c.pad_begin[d];
    p.dilation[lead + d] = c.dilation[d];
    p.out[lead + d] =
        (c.in[d] + c.pad_begin[d] + c.pad_end[d] - c.dilation[d] * (c.kernel[d] - 1) - 1) / c.stride[d] + 1;
  }
  return p;
}

std::vector<float> random_vector(std::mt19937& rng, std::int64_t n) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(static_cast<std::size_t>(n));
  for (float& x : v) x = dist(rng);
  return v;
}

struct IsaGuard {
  k::Isa saved = k::active_isa();
  ~IsaGuard() { k::set_active_isa(saved); }
};

void check_case(const ConvCase& c, const k::ActivationParams& activation, bool bias, bool residual, int threads,
                std::mt19937& rng) {
  const reference::ConvParams p = make_params(c);
  const std::int64_t in_plane = p.in[0] * p.in[1] * p.in[2], out_plane = p.out[0] * p.out[1] * p.out[2];
  const std::int64_t taps = p.kernel[0] * p.kernel[1] * p.kernel[2];
  const std::vector<float> x = random_vector(rng, p.batch * p.in_channels * in_plane);
  const std::vector<float> w = random_vector(rng, p.out_channels * (p.in_channels / p.groups) * taps);
  const std::vector<float> b = random_vector(rng, p.out_channels);
  const std::vector<float> r = random_vector(rng, p.batch * p.out_channels * out_plane);

  std::vector<float> expected(static_cast<std::size_t>(p.batch * p.out_channels * out_plane));
  reference::conv_reference(p, x.data(), w.data(), bias ? b.data() : nullptr, expected.data(), 0,
                            p.batch * p.out_channels);
  k::Epilogue epilogue;
  epilogue.activation = activation;
  for (std::int64_t plane = 0; plane < p.batch * p.out_channels; ++plane)
    k::apply_epilogue_row(expected.data() + plane * out_plane, out_plane, epilogue, 0,
                          residual ? r.data() + plane * out_plane : nullptr);

  ConvSetup setup;
  setup.params = p;
  setup.weight = w.data();
  setup.activation = activation;
  setup.threads = threads;
  const auto algorithm = make_conv_gemm(setup);
  ThreadPool pool(threads);
  AlignedBuffer workspace = allocate_aligned(algorithm->workspace_bytes());
  std::vector<float> actual(expected.size(), NAN);
  ConvRunArgs args;
  args.input = x.data();
  args.bias = bias ? b.data() : nullptr;
  args.residual = residual ? r.data() : nullptr;
  args.output = actual.data();
  args.workspace = workspace.get();
  args.pool = &pool;
  algorithm->run(args);

  float max_error = 0, max_expected = 0;
  for (std::size_t i = 0; i < actual.size(); ++i) {
    max_error = std::max(max_error, std::isnan(actual[i]) ? INFINITY : std::abs(actual[i] - expected[i]));
    max_expected = std::max(max_expected, std::abs(expected[i]));
  }
  INFO(algorithm->name() << " isa " << std::string(k::isa_name(k::active_isa()))
       << " in " << p.in[0] << "x" << p.in[1] << "x"
                         << p.in[2] << " C " << p.in_channels << " M " << p.out_channels << " g " << p.groups
                         << " k " << p.kernel[0] << "x" << p.kernel[1] << "x" << p.kernel[2] << " s " << p.stride[2]
                         << " threads " << threads);
  CHECK(max_error <= 1e-4f * max_expected + 1e-5f);
}

std::vector<ConvCase> geometry_cases() {
  std::vector<ConvCase> cases;
  // 2D: 3x3 same-padding, stride 2, asymmetric pads, dilation, 1x1 pointwise,
  // a kernel larger than the padded input side, a 1x1 input, groups.
  cases.push_back({1, 3, 8, 1, {9, 11}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}});
  cases.push_back({2, 5, 7, 1, {12, 13}, {3, 3}, {2, 2}, {1, 1}, {1, 1}, {1, 1}});
  cases.push_back({1, 4, 13, 1, {10, 7}, {3, 2}, {1, 2}, {0, 2}, {2, 1}, {1, 1}});
  cases.push_back({1, 6, 6, 1, {15, 15}, {3, 3}, {1, 1}, {2, 2}, {2, 2}, {2, 2}});
  cases.push_back({2, 17, 19, 1, {6, 7}, {1, 1}, {1, 1}, {0, 0}, {0, 0}, {1, 1}});
  cases.push_back({1, 16, 24, 1, {9, 9}, {1, 1}, {2, 2}, {0, 0}, {0, 0}, {1, 1}});
  // 1x1 on planes of 128 columns and more: the input read in place as B (a
  // partial last panel, K across the 256 block; whole panels, two groups).
  cases.push_back({2, 300, 19, 1, {13, 21}, {1, 1}, {1, 1}, {0, 0}, {0, 0}, {1, 1}});
  cases.push_back({1, 8, 14, 2, {16, 16}, {1, 1}, {1, 1}, {0, 0}, {0, 0}, {1, 1}});
  // 1x1 on a 13x13 plane with 512 output channels or more: B packed first.
  cases.push_back({1, 20, 515, 1, {13, 13}, {1, 1}, {1, 1}, {0, 0}, {0, 0}, {1, 1}});
  cases.push_back({1, 2, 3, 1, {1, 1}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}});
  cases.push_back({1, 2, 5, 1, {2, 3}, {5, 5}, {1, 1}, {2, 2}, {2, 2}, {1, 1}});
  cases.push_back({2, 8, 12, 4, {7, 9}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}});
  cases.push_back({1, 6, 6, 6, {8, 8}, {3, 3}, {2, 2}, {1, 1}, {0, 0}, {1, 1}});  // depthwise
  // Large enough to cross K blocks (256), column blocks and row blocks.
  cases.push_back({1, 64, 40, 1, {20, 21}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}});
  // One column block (14x14), many rows, five K blocks, 29M multiply-adds:
  // on several threads the rows are split and the threads pack B together
  // (conv_gemm.cpp, shared_b_).
  cases.push_back({1, 128, 128, 1, {14, 14}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}});
  // 1D and 3D.
  cases.push_back({2, 3, 5, 1, {17}, {3}, {1}, {1}, {1}, {1}});
  cases.push_back({1, 4, 6, 2, {23}, {5}, {2}, {2}, {0}, {2}});
  cases.push_back({1, 3, 4, 1, {5, 6, 7}, {3, 3, 3}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}, {1, 1, 1}});
  cases.push_back({2, 2, 3, 1, {4, 5, 6}, {2, 3, 1}, {2, 1, 2}, {0, 1, 0}, {1, 0, 0}, {1, 1, 1}});
  return cases;
}

}  // namespace

TEST_CASE("GEMM convolution matches the reference on every geometry, ISA and thread count") {
  IsaGuard guard;
  std::mt19937 rng(3);
  for (k::Isa isa : {k::Isa::Sse2, k::Isa::Avx2Fma, k::Isa::Avx512}) {
    if (!k::isa_available(isa)) continue;
    k::set_active_isa(isa);
    for (const ConvCase& c : geometry_cases())
      for (int threads : {1, 3}) check_case(c, {}, true, false, threads, rng);
  }
}

TEST_CASE("GEMM convolution fuses bias, residual and activations") {
  std::mt19937 rng(5);
  using A = k::Activation;
  const ConvCase c{2, 8, 10, 2, {7, 9}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}};
  for (k::ActivationParams act : {k::ActivationParams{A::None}, k::ActivationParams{A::Relu},
                                  k::ActivationParams{A::Clip, 0.0f, 6.0f}, k::ActivationParams{A::LeakyRelu, 0.01f},
                                  k::ActivationParams{A::Sigmoid}, k::ActivationParams{A::HardSwish, 1.0f / 6, 0.5f}})
    for (bool bias : {false, true})
      for (bool residual : {false, true}) check_case(c, act, bias, residual, 2, rng);
}

TEST_CASE("GEMM convolution names its variant") {
  ConvSetup setup;
  std::vector<float> w(4 * 3 * 9, 0.5f);
  setup.params = make_params({1, 3, 4, 1, {5, 5}, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {1, 1}});
  setup.weight = w.data();
  CHECK(make_conv_gemm(setup)->name() == "im2col_gemm");
  setup.params = make_params({1, 3, 4, 1, {5, 5}, {1, 1}, {1, 1}, {0, 0}, {0, 0}, {1, 1}});
  CHECK(make_conv_gemm(setup)->name() == "gemm_1x1");
}
