#include "ops/kernels/isa.hpp"

#include <xsimd/xsimd.hpp>

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace onnxrun::kernels {

namespace {

Isa detect() {
  if (isa_available(Isa::Avx512)) return Isa::Avx512;
  if (isa_available(Isa::Avx2Fma)) return Isa::Avx2Fma;
  return Isa::Sse2;
}

Isa initial() {
  const Isa best = detect();
  if (const char* wanted = std::getenv("ONNXRUN_ISA")) {
    for (Isa isa : {Isa::Sse2, Isa::Avx2Fma, Isa::Avx512})
      if (std::strcmp(wanted, isa_name(isa)) == 0 && isa_available(isa)) return isa;
  }
  return best;
}

std::atomic<Isa>& current() {
  static std::atomic<Isa> isa{initial()};
  return isa;
}

}  // namespace

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::Sse2: return "sse2";
    case Isa::Avx2Fma: return "avx2";
    case Isa::Avx512: return "avx512";
  }
  return "?";
}

bool isa_available(Isa isa) {
  const auto cpu = xsimd::available_architectures();
  switch (isa) {
    case Isa::Sse2: return cpu.sse2;
    case Isa::Avx2Fma: return cpu.fma3_avx2;
    case Isa::Avx512: return cpu.avx512f && cpu.avx512dq;
  }
  return false;
}

Isa active_isa() { return current().load(std::memory_order_relaxed); }

void set_active_isa(Isa isa) {
  if (isa_available(isa)) current().store(isa);
}

}  // namespace onnxrun::kernels
