// onnxrun_microbench: Google Benchmark micro-benchmarks of the kernels and ops
// on the layer shapes of ResNet-18/50 and MobileNetV2 (layer_shapes.hpp).
//   onnxrun_microbench --benchmark_filter='conv/gemm/resnet50'
// Every compute-bound benchmark reports GFLOPS and peak_frac, its share of the
// measured single-core FMA peak (peak_fma/<isa>) times its thread count.
#include <cstdio>
#include <string>

#include "bench/bench_common.hpp"
#include "bench/peak_fma.hpp"
#include "ops/kernels/isa.hpp"

int main(int argc, char** argv) {
  using namespace onnxrun;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  bench::register_peak_benchmarks();
  bench::register_sgemm_benchmarks();
  bench::register_conv_benchmarks();
  bench::register_op_benchmarks();

  const kernels::Isa isa = kernels::active_isa();
  char peak[32];
  std::snprintf(peak, sizeof peak, "%.1f", bench::peak_gflops(isa));
  benchmark::AddCustomContext("onnxrun_isa", kernels::isa_name(isa));
  benchmark::AddCustomContext("onnxrun_peak_gflops_per_core", peak);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
