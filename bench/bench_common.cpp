#include "bench/bench_common.hpp"

#include <random>

#include "bench/peak_fma.hpp"
#include "ops/kernels/isa.hpp"

namespace onnxrun::bench {

void report_flops(benchmark::State& state, const LoopTimer& timer, double flops_per_iteration, int threads) {
  const double seconds = timer.seconds();
  if (state.iterations() == 0 || seconds <= 0) return;
  const double gflops = flops_per_iteration * static_cast<double>(state.iterations()) / seconds * 1e-9;
  state.counters["GFLOPS"] = gflops;
  const double peak = peak_gflops(kernels::active_isa()) * threads;
  if (peak > 0) state.counters["peak_frac"] = gflops / peak;
}

AlignedBuffer random_floats(std::size_t count, unsigned seed) {
  AlignedBuffer buffer = allocate_aligned(count * sizeof(float));
  std::mt19937 random(seed);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  float* values = floats(buffer);
  for (std::size_t i = 0; i < count; ++i) values[i] = uniform(random);
  return buffer;
}

void register_peak_benchmarks() {
  for (kernels::Isa isa : {kernels::Isa::Sse2, kernels::Isa::Avx2Fma, kernels::Isa::Avx512}) {
    if (!kernels::isa_available(isa)) continue;
    const std::string name = std::string("peak_fma/") + kernels::isa_name(isa);
    benchmark::RegisterBenchmark(name.c_str(), [isa](benchmark::State& state) {
      constexpr std::int64_t kIterations = 1 << 16;
      float sink = 0;
      const LoopTimer timer;
      for (auto _ : state) {
        sink += peak_fma_loop(isa, kIterations);
        benchmark::DoNotOptimize(sink);
      }
      // Against the active instruction set's peak, as every other benchmark.
      report_flops(state, timer, static_cast<double>(kIterations * peak_fma_flops_per_iteration(isa)), 1);
    })->UseRealTime()->Unit(benchmark::kMicrosecond);
  }
}

}  // namespace onnxrun::bench
