// The peak-rate loop for xsimd::fma3<xsimd::avx2>; this file is compiled with the matching -m flags.
#include "bench/peak_fma.hpp"
#include "bench/peak_fma_impl.hpp"

namespace onnxrun::bench {

float peak_fma_loop_avx2(std::int64_t iterations) { return PeakFma<xsimd::fma3<xsimd::avx2>>::run(iterations); }
std::int64_t peak_fma_flops_avx2() { return PeakFma<xsimd::fma3<xsimd::avx2>>::kFlopsPerIteration; }

}  // namespace onnxrun::bench
