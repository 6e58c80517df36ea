// Winograd on NCHW8c tensors (make_conv_winograd_nchwc) against the scalar
// reference convolution, through the reorder adapter: every tile size, every
// instruction set, edges, batches, epilogues and thread pools in both of its
// modes (tiles dealt to threads, and one block with each phase split).
#include <doctest/doctest.h>

#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "ops/conv/conv_via_layout.hpp"
#include "ops/conv/conv_winograd.hpp"
#include "runtime/exec/thread_pool.hpp"
#include "tests/support/blocked_conv_adapter.hpp"
#include "tests/support/conv_check.hpp"
#include "tests/support/isa_loop.hpp"

namespace k = onnxrun::kernels;
using onnxrun::ConvSetup;
using onnxrun::testing::available_isas;
using onnxrun::testing::ConvCheck;
using onnxrun::testing::IsaGuard;

namespace {

struct Layer {
  std::int64_t batch = 1, in_channels = 8, out_channels = 8, h = 7, w = 7;
  std::int64_t pad_top = 1, pad_left = 1, pad_bottom = 1, pad_right = 1;
};

onnxrun::reference::ConvParams conv_params(const Layer& l) {
  onnxrun::reference::ConvParams p;
  p.batch = l.batch;
  p.in_channels = l.in_channels;
  p.out_channels = l.out_channels;
  p.in[1] = l.h;
  p.in[2] = l.w;
  p.kernel[1] = p.kernel[2] = 3;
  p.pad[1] = l.pad_top;
  p.pad[2] = l.pad_left;
  p.out[1] = l.h + l.pad_top + l.pad_bottom - 2;
  p.out[2] = l.w + l.pad_left + l.pad_right - 2;
  return p;
}

void check(int m, const Layer& l, const ConvCheck& c, std::mt19937& rng, onnxrun::ThreadPool* pool = nullptr) {
  const onnxrun::reference::ConvParams p = conv_params(l);
  INFO("F(" << m << "x" << m << ") N " << l.batch << " C " << l.in_channels << " M " << l.out_channels << " H " << l.h
            << " W " << l.w << " pads " << l.pad_top << " " << l.pad_left << " " << l.pad_bottom << " "
            << l.pad_right << " threads " << (pool ? pool->size() : 1) << " ISA "
            << std::string(k::isa_name(k::active_isa())));
  const auto make = [m](const ConvSetup& setup) -> std::unique_ptr<onnxrun::ConvAlgorithm> {
    auto blocked = onnxrun::make_conv_winograd_nchwc(setup, m);
    if (!blocked) return nullptr;
    CHECK(blocked->name() == "nchwc_winograd_f" + std::to_string(m) + "x" + std::to_string(m));
    return std::make_unique<onnxrun::testing::BlockedAdapter>(std::move(blocked), setup.params, false);
  };
  onnxrun::testing::check_conv_algorithm(make, p, c, rng, pool);
}

}  // namespace

TEST_CASE("NCHW8c winograd matches the reference: tile sizes, edges, batches, channels, epilogues, every ISA") {
  IsaGuard guard;
  std::mt19937 rng(21);
  const Layer geometries[] = {
      {1, 8, 8, 7, 7, 1, 1, 1, 1},       // odd, not a multiple of 4 or 6
      {1, 8, 8, 1, 1, 1, 1, 1, 1},       // 1x1 input: every tap but the centre in the padding
      {1, 8, 8, 3, 3, 0, 0, 0, 0},       // one output
      {1, 8, 8, 10, 13, 0, 1, 2, 0},     // asymmetric pads
      {1, 8, 8, 14, 11, 0, 0, 0, 0},     // no pads: interior tiles but the last row and column
      {2, 8, 8, 17, 17, 1, 1, 1, 1},     // batch 2: blocks of tiles span images
      {1, 8, 8, 2, 40, 1, 1, 1, 1},      // one tile row, many tiles across
      {3, 8, 8, 6, 6, 1, 1, 1, 1},       // tiles fewer than a GEMM tile per image
  };
  const std::int64_t channels[][2] = {{8, 8}, {16, 40}, {72, 24}, {264, 8}};  // 264: more than one GEMM pass
  for (k::Isa isa : available_isas()) {
    k::set_active_isa(isa);
    for (int m : {2, 4, 6}) {
      for (const Layer& g : geometries)
        for (const auto& ch : channels) {
          if (ch[0] == 264 && g.h * g.w > 100) continue;
          Layer l = g;
          l.in_channels = ch[0];
          l.out_channels = ch[1];
          check(m, l, ConvCheck{true, false, {}, true, nullptr}, rng);
        }
      using A = k::Activation;
      for (const k::ActivationParams& activation :
           {k::ActivationParams{A::None}, {A::Relu}, {A::Clip, 0.0f, 6.0f}, {A::Sigmoid}, {A::HardSwish, 1.0f / 6.0f, 0.5f}})
        for (int variant = 0; variant < 3; ++variant) {
          const Layer l{2, 16, 24, 11, 15, 1, 0, 1, 2};
          check(m, l, ConvCheck{variant != 1, variant >= 1, activation, true, nullptr}, rng);
        }
    }
  }
}

TEST_CASE("NCHW8c winograd splits work over thread pools in both modes without leaving outputs unwritten") {
  std::mt19937 rng(22);
  for (int threads : {2, 3}) {
    onnxrun::ThreadPool pool(threads);
    for (int m : {2, 4, 6}) {
      // Many chunks (tiles dealt to threads), then fewer chunks than threads
      // (one block, phases split by block, position and weight group), there
      // with fewer input blocks than threads too.
      for (const Layer& l : {Layer{2, 16, 40, 57, 57, 1, 1, 1, 1}, Layer{1, 48, 72, 23, 23, 1, 1, 1, 1},
                             Layer{1, 8, 16, 4, 4, 1, 1, 1, 1}})
        check(m, l, ConvCheck{true, true, {k::Activation::Relu}, true, nullptr}, rng, &pool);
    }
  }
}

TEST_CASE("NCHW8c winograd writes its output over its residual (the plan's residual in place), threads, every ISA") {
  IsaGuard guard;
  std::mt19937 rng(24);
  onnxrun::ThreadPool pool(2);
  const ConvCheck in_place = onnxrun::testing::residual_in_output_check();
  for (k::Isa isa : available_isas()) {
    k::set_active_isa(isa);
    for (int m : {2, 4, 6})
      for (const Layer& l : {Layer{2, 16, 24, 11, 15, 1, 0, 1, 2}, Layer{1, 48, 72, 23, 23, 1, 1, 1, 1}}) {
        check(m, l, in_place, rng);
        check(m, l, in_place, rng, &pool);
      }
  }
}

TEST_CASE("NCHW8c winograd made under one ISA runs correctly under another") {
  IsaGuard guard;
  std::mt19937 rng(23);
  const std::vector<k::Isa> isas = available_isas();
  for (k::Isa made : isas)
    for (k::Isa run : isas) {
      k::set_active_isa(made);
      check(4, Layer{2, 16, 32, 19, 21, 1, 1, 1, 1}, ConvCheck{true, true, {}, true, &run}, rng);
    }
}

TEST_CASE("NCHW8c winograd at ResNet shapes (He weights, N(0,1) inputs) is within the project tolerance") {
  std::mt19937 rng(24);
  for (int m : {2, 4, 6})
    for (const Layer& l : {Layer{1, 64, 64, 56, 56, 1, 1, 1, 1}, Layer{1, 256, 256, 14, 14, 1, 1, 1, 1}})
      check(m, l, ConvCheck{false, false, {}, true, nullptr}, rng);
}

TEST_CASE("NCHW8c winograd refuses layers it cannot compute") {
  std::vector<float> weight(16 * 16 * 9, 0.5f);  // [out 16, in 16, 3, 3]
  ConvSetup setup;
  setup.params = conv_params(Layer{1, 16, 16, 8, 8, 1, 1, 1, 1});
  setup.weight = weight.data();
  CHECK(onnxrun::make_conv_winograd_nchwc(setup, 4) != nullptr);
  CHECK(onnxrun::make_conv_winograd_nchwc(setup, 3) == nullptr);  // no such tile size
  ConvSetup odd_channels = setup;
  odd_channels.params.in_channels = 12;  // not whole blocks
  CHECK(onnxrun::make_conv_winograd_nchwc(odd_channels, 4) == nullptr);
  ConvSetup strided = setup;
  strided.params.stride[1] = strided.params.stride[2] = 2;
  strided.params.out[1] = strided.params.out[2] = 4;
  CHECK(onnxrun::make_conv_winograd_nchwc(strided, 4) == nullptr);
  ConvSetup no_weight = setup;
  no_weight.weight = nullptr;
  CHECK(onnxrun::make_conv_winograd_nchwc(no_weight, 4) == nullptr);
}

namespace {

// A layer between reorders (conv_via_layout.hpp) against the reference on
// every instruction set and tile size: every activation, with and without
// bias and residual, then `threaded` on 2 threads. wrap(setup, m) makes it.
void check_via_layout(std::mt19937& rng, const std::vector<int>& tile_sizes, const Layer& threaded,
                      const std::function<std::unique_ptr<onnxrun::ConvAlgorithm>(const ConvSetup&, int)>& wrap) {
  IsaGuard guard;
  for (k::Isa isa : available_isas()) {
    k::set_active_isa(isa);
    for (int m : tile_sizes) {
      const auto make = [&wrap, m](const ConvSetup& setup) { return wrap(setup, m); };
      using A = k::Activation;
      for (const k::ActivationParams& activation :
           {k::ActivationParams{A::None}, {A::Relu}, {A::Clip, 0.0f, 6.0f}, {A::Sigmoid}})
        for (int variant = 0; variant < 3; ++variant) {
          const Layer l{2, 16, 24, 11, 15, 1, 0, 1, 2};
          onnxrun::testing::check_conv_algorithm(make, conv_params(l),
                                                 ConvCheck{variant != 1, variant >= 1, activation, true, nullptr}, rng);
        }
      onnxrun::ThreadPool pool(2);
      onnxrun::testing::check_conv_algorithm(make, conv_params(threaded),
                                             ConvCheck{true, true, {A::Relu}, true, nullptr}, rng, &pool);
    }
  }
}

std::string winograd_name(int m) { return "winograd_f" + std::to_string(m) + "x" + std::to_string(m); }

}  // namespace

TEST_CASE("NCHW8c Winograd between reorders in an NCHW graph (make_conv_nchw_via_nchwc) matches the reference") {
  std::mt19937 rng(27);
  check_via_layout(rng, {2, 4, 6}, Layer{1, 64, 32, 28, 28, 1, 1, 1, 1},
                   [](const ConvSetup& setup, int m) -> std::unique_ptr<onnxrun::ConvAlgorithm> {
                     auto nchw = onnxrun::make_conv_nchw_via_nchwc(
                         setup, [m](const ConvSetup& s) { return onnxrun::make_conv_winograd_nchwc(s, m); });
                     if (nchw) CHECK(nchw->name() == "nchwc_" + winograd_name(m) + "_via_nchwc");
                     return nchw;
                   });
  // Only whole blocks, and no pooled output (an NCHW layer has none).
  std::vector<float> weight(16 * 16 * 9, 0.5f);  // enough for both layers
  ConvSetup setup;
  setup.params = conv_params(Layer{1, 12, 16, 8, 8, 1, 1, 1, 1});
  setup.weight = weight.data();
  const auto make = [](const ConvSetup& s) { return onnxrun::make_conv_winograd_nchwc(s, 4); };
  CHECK(onnxrun::make_conv_nchw_via_nchwc(setup, make) == nullptr);
  setup.params = conv_params(Layer{1, 16, 16, 8, 8, 1, 1, 1, 1});
  setup.pooled_output = true;
  CHECK(onnxrun::make_conv_nchw_via_nchwc(setup, make) == nullptr);
  setup.pooled_output = false;
  CHECK(onnxrun::make_conv_nchw_via_nchwc(setup, make) != nullptr);
}

TEST_CASE("NCHW Winograd between reorders (make_conv_nchwc_via_nchw) matches the reference, every epilogue") {
  std::mt19937 rng(25);
  check_via_layout(rng, {2, 4}, Layer{1, 64, 128, 14, 14, 1, 1, 1, 1},
                   [](const ConvSetup& setup, int m) -> std::unique_ptr<onnxrun::ConvAlgorithm> {
                     auto blocked = onnxrun::make_conv_nchwc_via_nchw(
                         setup, [m](const ConvSetup& s) { return onnxrun::make_conv_winograd(s, m); });
                     if (!blocked) return nullptr;
                     CHECK(blocked->name() == winograd_name(m) + "_via_nchw");
                     return std::make_unique<onnxrun::testing::BlockedAdapter>(std::move(blocked), setup.params, false);
                   });
}
