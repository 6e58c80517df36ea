#pragma once
// The machine's peak single-precision rate on one core, measured rather than
// looked up: a loop of independent multiply-adds on SIMD registers, per
// instruction set. Every kernel benchmark reports its rate as a fraction of
// this (the "peak_frac" counter), which says how much room is left.
#include <cstdint>

#include "ops/kernels/isa.hpp"

namespace onnxrun::bench {

// One call of the loop: `iterations` rounds over all accumulators. Returns a
// value computed from the accumulators so that the work cannot be dropped.
float peak_fma_loop_sse2(std::int64_t iterations);
float peak_fma_loop_avx2(std::int64_t iterations);
float peak_fma_loop_avx512(std::int64_t iterations);
// Floating-point operations of one round (lanes x accumulators x 2).
std::int64_t peak_fma_flops_sse2();
std::int64_t peak_fma_flops_avx2();
std::int64_t peak_fma_flops_avx512();
std::int64_t peak_fma_flops_per_iteration(kernels::Isa isa);
float peak_fma_loop(kernels::Isa isa, std::int64_t iterations);

// Measured once per instruction set (about 0.2 s), then cached: GFLOP/s of
// one core. 0 for an instruction set this CPU lacks.
double peak_gflops(kernels::Isa isa);

}  // namespace onnxrun::bench
