// The peak-rate loop for xsimd::sse2; this file is compiled with the matching -m flags.
#include "bench/peak_fma.hpp"
#include "bench/peak_fma_impl.hpp"

namespace onnxrun::bench {

float peak_fma_loop_sse2(std::int64_t iterations) { return PeakFma<xsimd::sse2>::run(iterations); }
std::int64_t peak_fma_flops_sse2() { return PeakFma<xsimd::sse2>::kFlopsPerIteration; }

}  // namespace onnxrun::bench
