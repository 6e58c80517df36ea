#pragma once
// For tests that check every compiled SIMD variant on one machine: the
// instruction sets this CPU runs, and a guard that restores the active one
// when a test case ends (even on failure), so that later tests run as usual.
#include <vector>

#include "ops/kernels/isa.hpp"

namespace onnxrun::testing {

inline std::vector<kernels::Isa> available_isas() {
  std::vector<kernels::Isa> isas;
  for (kernels::Isa isa : {kernels::Isa::Sse2, kernels::Isa::Avx2Fma, kernels::Isa::Avx512})
    if (kernels::isa_available(isa)) isas.push_back(isa);
  return isas;
}

struct IsaGuard {
  kernels::Isa saved = kernels::active_isa();
  ~IsaGuard() { kernels::set_active_isa(saved); }
};

}  // namespace onnxrun::testing
