// Pooling, element-wise ops and the classifier Gemm as the executor runs them
// (op from the registry, prepared once, run() timed), on the shapes of
// layer_shapes.hpp. Memory-bound ops report bytes_per_second (inputs read +
// outputs written); Gemm also GFLOPS and peak_frac.
#include "bench/bench_common.hpp"
#include "bench/layer_shapes.hpp"
#include "bench/op_harness.hpp"

namespace onnxrun::bench {

namespace {

constexpr std::int64_t kOpset = 13;
constexpr std::int64_t kClasses = 1000;

// "1x64x112x112": no brackets, which --benchmark_filter would read as a regex class.
std::string dims_text(const Shape& shape) {
  std::string text;
  // Appended piecewise: GCC 12 warns falsely (-Wrestrict) on "literal" + string&&.
  for (std::size_t d = 0; d < shape.size(); ++d) {
    if (d) text += 'x';
    text += std::to_string(shape[d]);
  }
  return text;
}

Tensor scalar(float value) { return Tensor::from_values<float>({}, {value}); }

// The op of `layer` with its attributes and inputs, as the networks use it.
// blocked: the op as the layout pass runs it in an NCHW8c region (MaxPool
// as NchwcMaxPool on [N, C/8, H, W, 8]).
OpHarness make_op(const OpLayer& layer, bool blocked) {
  const std::string op = layer.op;
  const Shape& shape = layer.shape;
  const bool reorder = op.rfind("Reorder", 0) == 0;
  OpHarness harness = blocked ? OpHarness("Nchwc" + op, 1, "com.onnxrun")
                      : reorder ? OpHarness(op, 1, "com.onnxrun")
                                : OpHarness(op, kOpset);
  // The NCHW8c form of a 4D shape.
  const auto blocked_shape = [&] { return Shape{shape[0], shape[1] / 8, shape[2], shape[3], 8}; };
  if (op == "MaxPool") {
    harness.attr_ints("kernel_shape", {3, 3})
        .attr_ints("strides", {layer.stride, layer.stride})
        .attr_ints("pads", {layer.pad, layer.pad, layer.pad, layer.pad})
        .attr_int("ceil_mode", layer.ceil_mode ? 1 : 0);
    harness.input(random_tensor(blocked ? blocked_shape() : shape, 1));
  } else if (op == "ReorderFromNchwc") {
    harness.input(random_tensor(blocked_shape(), 1));
  } else if (op == "Add") {
    harness.input(random_tensor(shape, 1)).input(random_tensor(shape, 2));
  } else if (op == "Clip") {
    harness.input(random_tensor(shape, 1)).constant(scalar(0.0f)).constant(scalar(6.0f));
  } else if (op == "BatchNormalization") {
    const Shape channels{shape[1]};
    harness.input(random_tensor(shape, 1)).constant(random_tensor(channels, 2)).constant(random_tensor(channels, 3));
    Tensor variance = random_tensor(channels, 5);
    for (std::int64_t c = 0; c < shape[1]; ++c) variance.mutable_data_as<float>()[c] += 1.5f;  // positive
    harness.constant(random_tensor(channels, 4)).constant(std::move(variance));
  } else if (op == "Gemm") {
    harness.attr_int("transB", 1);
    harness.input(random_tensor(shape, 1))
        .constant(random_tensor({kClasses, shape[1]}, 2))
        .constant(random_tensor({kClasses}, 3));
  } else {  // unary: Relu, GlobalAveragePool, ...
    harness.input(random_tensor(shape, 1));
  }
  return harness;
}

void op_benchmark(benchmark::State& state, const OpLayer& layer, int threads, bool blocked) {
  OpHarness harness = make_op(layer, blocked);
  harness.prepare(threads);
  const LoopTimer timer;
  for (auto _ : state) {
    harness.run();
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(harness.bytes_moved()));
  if (std::string(layer.op) == "Gemm") report_flops(state, timer, 2.0 * static_cast<double>(layer.shape[1] * kClasses), threads);
  std::string label = "x";
  label += std::to_string(layer.count);
  if (!harness.op().algorithm().empty()) {
    label += ' ';
    label += harness.op().algorithm();
  }
  state.SetLabel(label);
}

}  // namespace

void register_op_benchmarks() {
  for (const OpLayer& layer : op_layers()) {
    const bool is_max_pool = std::string(layer.op) == "MaxPool";
    // MaxPools also blocked (NchwcMaxPool, the same shape in NCHW8c).
    for (bool blocked : {false, true}) {
      if (blocked && !is_max_pool) continue;
      for (int threads : bench_thread_counts()) {
        const std::string window = is_max_pool ? "_k3s" + std::to_string(layer.stride) + "p" + std::to_string(layer.pad) +
                                                     (layer.ceil_mode ? "_ceil" : "")
                                               : "";
        const std::string name = std::string("op/") + (blocked ? "Nchwc" : "") + layer.op + "/" + layer.net + "/" +
                                 dims_text(layer.shape) + window + "/threads:" + std::to_string(threads);
        benchmark::RegisterBenchmark(name.c_str(), [&layer, threads, blocked](benchmark::State& state) {
          op_benchmark(state, layer, threads, blocked);
        })->UseRealTime()->Unit(benchmark::kMicrosecond);
      }
    }
  }
}

}  // namespace onnxrun::bench
