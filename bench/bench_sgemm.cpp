// sgemm_packed on the GEMMs of the convolutions in layer_shapes.hpp (im2col
// and 1x1 layers; depthwise ones are not GEMMs): M = out channels, K = in
// channels x kernel area, N = output positions. Both operands are packed
// before timing, so this is the micro-kernel and loop nest alone; the conv
// benchmarks add packing and im2col.
#include <algorithm>
#include <memory>

#include "bench/bench_common.hpp"
#include "bench/layer_shapes.hpp"
#include "ops/kernels/sgemm.hpp"
#include "runtime/exec/thread_pool.hpp"

namespace onnxrun::bench {

namespace {

void sgemm_benchmark(benchmark::State& state, const ConvLayer& layer, int threads) {
  const std::int64_t M = layer.gemm_m(), K = layer.gemm_k(), N = layer.gemm_n();
  const AlignedBuffer a = random_floats(static_cast<std::size_t>(M * K), 1);
  const AlignedBuffer b = random_floats(static_cast<std::size_t>(K * N), 2);
  const AlignedBuffer bias = random_floats(static_cast<std::size_t>(M), 3);
  AlignedBuffer packed_a = allocate_aligned(kernels::sgemm_packed_a_floats(M, K) * sizeof(float));
  AlignedBuffer packed_b = allocate_aligned(kernels::sgemm_packed_b_floats(K, N) * sizeof(float));
  AlignedBuffer c = allocate_aligned(static_cast<std::size_t>(M * N) * sizeof(float));
  kernels::sgemm_pack_a(floats(a), K, 1, M, K, floats(packed_a));
  kernels::sgemm_pack_b(floats(b), N, 1, K, N, floats(packed_b));
  // A conv's usual epilogue: folded BatchNorm bias, then ReLU.
  kernels::Epilogue epilogue;
  epilogue.row_bias = floats(bias);
  epilogue.activation.kind = kernels::Activation::Relu;

  const std::int64_t nr = kernels::sgemm_nr();
  const std::int64_t panels = (N + nr - 1) / nr;
  ThreadPool pool(threads);
  const LoopTimer timer;
  for (auto _ : state) {
    if (threads == 1) {
      kernels::sgemm_packed(M, N, K, floats(packed_a), floats(packed_b), floats(c), N, epilogue, 0, panels);
    } else {
      pool.parallel_for(panels, [&](std::int64_t begin, std::int64_t end) {
        kernels::sgemm_packed(M, N, K, floats(packed_a), floats(packed_b), floats(c), N, epilogue, begin, end);
      });
    }
    benchmark::ClobberMemory();
  }
  report_flops(state, timer, 2.0 * static_cast<double>(M) * static_cast<double>(N) * static_cast<double>(K), threads);
  state.SetLabel("M=" + std::to_string(M) + " K=" + std::to_string(K) + " N=" + std::to_string(N) + " x" +
                 std::to_string(layer.count) + " " + kernels::sgemm_isa());
}

}  // namespace

void register_sgemm_benchmarks() {
  for (const ConvLayer& layer : conv_layers()) {
    if (layer.groups != 1) continue;
    for (int threads : bench_thread_counts()) {
      const std::string name = "sgemm/" + layer.name() + "/threads:" + std::to_string(threads);
      benchmark::RegisterBenchmark(name.c_str(), [&layer, threads](benchmark::State& state) {
        sgemm_benchmark(state, layer, threads);
      })->UseRealTime()->Unit(benchmark::kMicrosecond);
    }
  }
}

}  // namespace onnxrun::bench
