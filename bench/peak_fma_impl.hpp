#pragma once
// The peak-rate loop, written once over xsimd batches and instantiated per
// instruction set (peak_fma_<isa>.cpp, each compiled with its own flags).
#include <xsimd/xsimd.hpp>

#include <cstdint>

namespace onnxrun::bench {

template <class Arch>
struct PeakFma {
  using Batch = xsimd::batch<float, Arch>;
  // An FMA has a latency of 4-5 cycles and two units issue one per cycle each
  // on current x86 cores, so at least 10 independent chains are in flight to
  // keep both busy; 12 leaves margin and still fits the 16 registers of AVX2
  // (with the two constant operands).
  static constexpr int kAccumulators = 12;
  static constexpr std::int64_t kFlopsPerIteration = kAccumulators * static_cast<std::int64_t>(Batch::size) * 2;

  static float run(std::int64_t iterations) {
    Batch acc[kAccumulators];
#pragma GCC unroll 12
    for (int i = 0; i < kAccumulators; ++i) acc[i] = Batch(1.0f + 0.01f * static_cast<float>(i));
    // acc = acc * 0.999 + 0.001 converges to 1: no overflow, no denormals.
    const Batch scale(0.999f), offset(0.001f);
    for (std::int64_t it = 0; it < iterations; ++it) {
#pragma GCC unroll 12
      for (int i = 0; i < kAccumulators; ++i) acc[i] = xsimd::fma(acc[i], scale, offset);
    }
    Batch sum = acc[0];
#pragma GCC unroll 12
    for (int i = 1; i < kAccumulators; ++i) sum += acc[i];
    // Summed through memory: xsimd 8's hadd on AVX-512 needs AVX512DQ.
    alignas(64) float lanes[Batch::size];
    sum.store_aligned(lanes);
    float total = 0;
    for (float lane : lanes) total += lane;
    return total;
  }
};

}  // namespace onnxrun::bench
