#include "bench/peak_fma.hpp"

#include <algorithm>
#include <chrono>

namespace onnxrun::bench {

namespace {

double measure(kernels::Isa isa) {
  using Clock = std::chrono::steady_clock;
  // Short bursts, best of many: the first ones warm the clock up (AVX
  // frequency licences, turbo), later ones dodge interruptions.
  constexpr std::int64_t kIterations = 1 << 18;
  double best = 0;
  volatile float sink = 0;
  const auto deadline = Clock::now() + std::chrono::milliseconds(200);
  do {
    const auto start = Clock::now();
    sink = sink + peak_fma_loop(isa, kIterations);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    best = std::max(best, static_cast<double>(kIterations * peak_fma_flops_per_iteration(isa)) / seconds * 1e-9);
  } while (Clock::now() < deadline);
  return best;
}

}  // namespace

std::int64_t peak_fma_flops_per_iteration(kernels::Isa isa) {
  switch (isa) {
    case kernels::Isa::Sse2: return peak_fma_flops_sse2();
    case kernels::Isa::Avx2Fma: return peak_fma_flops_avx2();
    case kernels::Isa::Avx512: return peak_fma_flops_avx512();
  }
  return 0;
}

float peak_fma_loop(kernels::Isa isa, std::int64_t iterations) {
  switch (isa) {
    case kernels::Isa::Sse2: return peak_fma_loop_sse2(iterations);
    case kernels::Isa::Avx2Fma: return peak_fma_loop_avx2(iterations);
    case kernels::Isa::Avx512: return peak_fma_loop_avx512(iterations);
  }
  return 0;
}

double peak_gflops(kernels::Isa isa) {
  if (!kernels::isa_available(isa)) return 0;
  static double cached[3] = {0, 0, 0};
  double& value = cached[static_cast<int>(isa)];
  if (value == 0) value = measure(isa);
  return value;
}

}  // namespace onnxrun::bench
