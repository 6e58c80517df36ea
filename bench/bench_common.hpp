#pragma once
// What the micro-benchmarks share: the rate counters, random inputs, and one
// registration function per benchmark family (called from bench_main.cpp).
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "runtime/core/aligned_buffer.hpp"

namespace onnxrun::bench {

// Thread counts every threaded benchmark is registered with.
inline const std::vector<int>& bench_thread_counts() {
  static const std::vector<int> counts{1, 2};
  return counts;
}

// Wall time of a benchmark loop: made right before `for (auto _ : state)`.
// (The library's own rate counters would print as "GFLOPS=35/s".)
class LoopTimer {
 public:
  LoopTimer() : start_(std::chrono::steady_clock::now()) {}
  double seconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }

 private:
  std::chrono::steady_clock::time_point start_;
};

// Sets the counters "GFLOPS" (flops_per_iteration x iterations over the
// loop's wall time) and "peak_frac" (that rate over `threads` cores' measured
// peak for the active instruction set). Call right after the loop.
void report_flops(benchmark::State& state, const LoopTimer& timer, double flops_per_iteration, int threads);

// 64-byte aligned floats, uniform in [-1, 1) from a fixed seed.
AlignedBuffer random_floats(std::size_t count, unsigned seed);
inline float* floats(const AlignedBuffer& buffer) { return static_cast<float*>(buffer.get()); }

void register_peak_benchmarks();
void register_sgemm_benchmarks();
void register_conv_benchmarks();
void register_op_benchmarks();

}  // namespace onnxrun::bench
