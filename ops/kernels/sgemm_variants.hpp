#pragma once
// One entry point per instruction set, each defined in its own file compiled
// with that set's flags (sgemm_sse2.cpp, sgemm_avx2.cpp, sgemm_avx512.cpp).
#include "ops/kernels/sgemm.hpp"

namespace onnxrun::kernels {

using SgemmRun = void (*)(std::int64_t M, std::int64_t N, std::int64_t K, const float* packed_a,
                          const float* packed_b, float* c, std::int64_t ldc, const Epilogue& epilogue,
                          std::int64_t panel_begin, std::int64_t panel_end);

std::int64_t sgemm_nr_sse2();
std::int64_t sgemm_nr_avx2();
std::int64_t sgemm_nr_avx512();
void sgemm_run_sse2(std::int64_t, std::int64_t, std::int64_t, const float*, const float*, float*, std::int64_t,
                    const Epilogue&, std::int64_t, std::int64_t);
void sgemm_run_avx2(std::int64_t, std::int64_t, std::int64_t, const float*, const float*, float*, std::int64_t,
                    const Epilogue&, std::int64_t, std::int64_t);
void sgemm_run_avx512(std::int64_t, std::int64_t, std::int64_t, const float*, const float*, float*, std::int64_t,
                      const Epilogue&, std::int64_t, std::int64_t);
void sgemm_rows_b_sse2(std::int64_t, std::int64_t, std::int64_t, const float*, const float*, std::int64_t, float*,
                       std::int64_t, const Epilogue&, std::int64_t, std::int64_t);
void sgemm_rows_b_avx2(std::int64_t, std::int64_t, std::int64_t, const float*, const float*, std::int64_t, float*,
                       std::int64_t, const Epilogue&, std::int64_t, std::int64_t);
void sgemm_rows_b_avx512(std::int64_t, std::int64_t, std::int64_t, const float*, const float*, std::int64_t, float*,
                         std::int64_t, const Epilogue&, std::int64_t, std::int64_t);

}  // namespace onnxrun::kernels
