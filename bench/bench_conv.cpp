// Convolution algorithms through the ConvAlgorithm interface, on the conv
// layers of layer_shapes.hpp: what ConvOp runs, packing, im2col, transforms
// and the fused bias + ReLU included. GFLOPS counts the direct method's FLOPs
// whatever the algorithm, so faster algorithms show as higher rates (and
// Winograd can pass peak_frac 1).
//
// To benchmark a new algorithm, add one line to conv_algorithms(). A factory
// returning nullptr for a layer means "does not apply": nothing is registered.
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "bench/bench_common.hpp"
#include "bench/layer_shapes.hpp"
#include "ops/conv/conv_algorithm.hpp"
#include "ops/conv/conv_depthwise.hpp"
#include "ops/conv/conv_direct.hpp"
#include "ops/conv/conv_gemm.hpp"
#include "ops/conv/conv_max_pool.hpp"
#include "ops/conv/conv_nchwc.hpp"
#include "ops/conv/conv_winograd.hpp"
#include "runtime/exec/thread_pool.hpp"

namespace onnxrun::bench {

namespace {

struct ConvFactory {
  const char* name;
  std::function<std::unique_ptr<ConvAlgorithm>(const ConvSetup&)> make;
};

const std::vector<ConvFactory>& conv_algorithms() {
  static const std::vector<ConvFactory> factories{
      {"reference", make_conv_reference},
      {"gemm", make_conv_gemm},
      {"winograd2", [](const ConvSetup& setup) { return make_conv_winograd(setup, 2); }},
      {"winograd4", [](const ConvSetup& setup) { return make_conv_winograd(setup, 4); }},
      {"winograd6", [](const ConvSetup& setup) { return make_conv_winograd(setup, 6); }},
      {"depthwise", make_conv_depthwise},
      {"direct", make_conv_direct},
      // Blocked input and output (same sizes): what the layout pass runs.
      {"nchwc", make_conv_nchwc},
      {"nchwc_winograd2", [](const ConvSetup& setup) { return make_conv_winograd_nchwc(setup, 2); }},
      {"nchwc_winograd4", [](const ConvSetup& setup) { return make_conv_winograd_nchwc(setup, 4); }},
      {"nchwc_winograd6", [](const ConvSetup& setup) { return make_conv_winograd_nchwc(setup, 6); }},
      // NCHW input, blocked output: the layout pass runs it for first layers (few channels).
      {"nchw_to_nchwc",
       [](const ConvSetup& setup) {
         return setup.params.in_channels < 8 ? make_conv_nchwc_from_nchw(setup) : nullptr;
       }},
  };
  return factories;
}

// A layer's tensors: random input, weights and bias, and room for the output.
struct ConvData {
  explicit ConvData(const ConvLayer& layer)
      : input(random_floats(static_cast<std::size_t>(layer.in_channels * layer.size * layer.size), 11)),
        weight(random_floats(static_cast<std::size_t>(layer.weight_count()), 12)),
        bias(random_floats(static_cast<std::size_t>(layer.out_channels), 13)),
        output(allocate_aligned(static_cast<std::size_t>(layer.out_channels * layer.gemm_n()) * sizeof(float))) {}
  AlignedBuffer input, weight, bias, output;
};

// A run of the layer on its data, with this scratch and pool.
ConvRunArgs run_args(const ConvData& data, const AlignedBuffer& workspace, ThreadPool& pool) {
  ConvRunArgs args;
  args.input = floats(data.input);
  args.weight = floats(data.weight);
  args.bias = floats(data.bias);
  args.output = floats(data.output);
  args.workspace = workspace.get();
  args.pool = &pool;
  return args;
}

ConvSetup setup_for(const ConvLayer& layer, const float* weight, int threads) {
  ConvSetup setup;
  reference::ConvParams& p = setup.params;
  p.batch = 1;
  p.in_channels = layer.in_channels;
  p.out_channels = layer.out_channels;
  p.groups = layer.groups;
  // 2D: the leading spatial dim stays 1 (spatial_params.hpp).
  for (int d = 1; d < 3; ++d) {
    p.in[d] = layer.size;
    p.out[d] = layer.out_size();
    p.kernel[d] = layer.kernel;
    p.stride[d] = layer.stride;
    p.pad[d] = layer.pad;
  }
  setup.weight = weight;
  // Conv -> (folded) BatchNorm -> ReLU, as most layers of these networks.
  setup.activation.kind = kernels::Activation::Relu;
  setup.threads = threads;
  return setup;
}

void conv_benchmark(benchmark::State& state, const ConvLayer& layer, const ConvFactory& factory, int threads) {
  const ConvData data(layer);
  ThreadPool pool(threads);
  const std::unique_ptr<ConvAlgorithm> algorithm = factory.make(setup_for(layer, floats(data.weight), threads));
  if (!algorithm) {
    state.SkipWithError("the algorithm does not apply to this layer");
    return;
  }
  AlignedBuffer workspace = allocate_aligned(algorithm->workspace_bytes());
  const ConvRunArgs args = run_args(data, workspace, pool);
  const LoopTimer timer;
  for (auto _ : state) {
    algorithm->run(args);
    benchmark::ClobberMemory();
  }
  report_flops(state, timer, layer.flops(), threads);
  state.SetLabel(algorithm->name() + " x" + std::to_string(layer.count));
}

// A first layer's MaxPool (ResNet's 3x3/2 padded 1, SqueezeNet's 3x3/2 in
// ceil mode) over the layer's output, as fuse_max_pool_into_conv folds it;
// nullopt for the layers of other networks and for later layers.
std::optional<reference::PoolParams> first_layer_pool(const ConvLayer& layer) {
  if (layer.in_channels >= 8) return std::nullopt;
  const std::string net = layer.net;
  const bool squeezenet = net == "squeezenet1_1";
  if (!squeezenet && net.rfind("resnet", 0) != 0) return std::nullopt;
  reference::PoolParams pool;
  pool.channels = layer.out_channels;
  const std::int64_t pad = squeezenet ? 0 : 1;
  for (int d = 1; d < 3; ++d) {
    pool.in[d] = layer.out_size();
    pool.kernel[d] = 3;
    pool.stride[d] = 2;
    pool.pad[d] = pad;
    // ceil mode (SqueezeNet) and floor mode agree on these sizes but for a last window past the end.
    pool.out[d] = (pool.in[d] + 2 * pad - 3 + (squeezenet ? 1 : 0)) / 2 + 1;
  }
  return pool;
}

// The convolution with its MaxPool folded in (ConvMaxPool): the NCHW direct
// one, and the blocked one from the NCHW image that a blocked region after
// the pool runs. GFLOPS counts the convolution's FLOPs.
void conv_max_pool_benchmark(benchmark::State& state, const ConvLayer& layer, const ConvFactory& factory,
                             const reference::PoolParams& pool_params, int threads) {
  const ConvData data(layer);
  ThreadPool pool(threads);
  const std::unique_ptr<ConvAlgorithm> algorithm = factory.make(setup_for(layer, floats(data.weight), threads));
  const bool blocked = std::string(factory.name) == "nchw_to_nchwc";
  const ConvMaxPool max_pool(pool_params, threads, blocked);
  AlignedBuffer workspace = allocate_aligned(max_pool.workspace_bytes(*algorithm));
  const ConvRunArgs args = run_args(data, workspace, pool);  // the output: larger than the pooled one
  const LoopTimer timer;
  for (auto _ : state) {
    max_pool.run(*algorithm, args);
    benchmark::ClobberMemory();
  }
  report_flops(state, timer, layer.flops(), threads);
  state.SetLabel(algorithm->name() + "+maxpool");
}

}  // namespace

void register_conv_benchmarks() {
  // Which factory accepts which layer, asked once with random weights (the
  // probes' packed weights are dropped right away).
  const auto& factories = conv_algorithms();
  const auto& layers = conv_layers();
  std::vector<std::vector<bool>> applies(factories.size(), std::vector<bool>(layers.size()));
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const AlignedBuffer weight = random_floats(static_cast<std::size_t>(layers[l].weight_count()), 12);
    for (std::size_t f = 0; f < factories.size(); ++f)
      applies[f][l] = factories[f].make(setup_for(layers[l], floats(weight), 1)) != nullptr;
  }
  for (std::size_t f = 0; f < factories.size(); ++f)
    for (std::size_t l = 0; l < layers.size(); ++l) {
      if (!applies[f][l]) continue;
      for (int threads : bench_thread_counts()) {
        const ConvFactory& factory = factories[f];
        const ConvLayer& layer = layers[l];
        const std::string name =
            std::string("conv/") + factory.name + "/" + layer.name() + "/threads:" + std::to_string(threads);
        benchmark::RegisterBenchmark(name.c_str(), [&layer, &factory, threads](benchmark::State& state) {
          conv_benchmark(state, layer, factory, threads);
        })->UseRealTime()->Unit(benchmark::kMicrosecond);
      }
    }
  // conv+maxpool/<algorithm>/<layer>: the first layers with their pools.
  for (std::size_t f = 0; f < factories.size(); ++f) {
    const std::string algorithm = factories[f].name;
    if (algorithm != "direct" && algorithm != "nchw_to_nchwc") continue;
    for (std::size_t l = 0; l < layers.size(); ++l) {
      const std::optional<reference::PoolParams> pool = first_layer_pool(layers[l]);
      if (!applies[f][l] || !pool) continue;
      for (int threads : bench_thread_counts()) {
        const ConvFactory& factory = factories[f];
        const ConvLayer& layer = layers[l];
        const std::string name =
            "conv+maxpool/" + algorithm + "/" + layer.name() + "/threads:" + std::to_string(threads);
        benchmark::RegisterBenchmark(name.c_str(), [&layer, &factory, pool, threads](benchmark::State& state) {
          conv_max_pool_benchmark(state, layer, factory, *pool, threads);
        })->UseRealTime()->Unit(benchmark::kMicrosecond);
      }
    }
  }
}

}  // namespace onnxrun::bench
