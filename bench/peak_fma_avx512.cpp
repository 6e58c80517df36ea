// The peak-rate loop for xsimd::avx512f; this file is compiled with the matching -m flags.
#include "bench/peak_fma.hpp"
#include "bench/peak_fma_impl.hpp"

namespace onnxrun::bench {

float peak_fma_loop_avx512(std::int64_t iterations) { return PeakFma<xsimd::avx512f>::run(iterations); }
std::int64_t peak_fma_flops_avx512() { return PeakFma<xsimd::avx512f>::kFlopsPerIteration; }

}  // namespace onnxrun::bench
