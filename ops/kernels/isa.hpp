#pragma once
// Which instruction set the SIMD kernels run with. Chosen once from what the
// CPU offers; tests switch it to check every compiled variant against the
// reference kernels on one machine.
namespace onnxrun::kernels {

enum class Isa { Sse2, Avx2Fma, Avx512 };

const char* isa_name(Isa isa);
bool isa_available(Isa isa);
// The best available, or ONNXRUN_ISA (sse2, avx2, avx512) from the environment
// when set to an available one.
Isa active_isa();
// Tests only: forces an ISA (must be available) for subsequent kernel calls.
void set_active_isa(Isa isa);

}  // namespace onnxrun::kernels
