// The packed SGEMM against a plain triple loop, for every instruction set this
// machine runs, at sizes around the register-tile and cache-block edges, with
// every epilogue.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "ops/kernels/isa.hpp"
#include "ops/kernels/sgemm.hpp"
#include "tests/support/isa_loop.hpp"

namespace k = onnxrun::kernels;
using onnxrun::testing::available_isas;
using onnxrun::testing::IsaGuard;

namespace {

std::vector<float> random_vector(std::mt19937& rng, std::size_t n) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

// C = epilogue(A * B) with A [M, K] row-major and B [K, N] row-major.
std::vector<float> reference_gemm(const std::vector<float>& a, const std::vector<float>& b, std::int64_t M,
                                  std::int64_t N, std::int64_t K, const k::Epilogue& e) {
  std::vector<float> c(static_cast<std::size_t>(M * N));
  for (std::int64_t i = 0; i < M; ++i) {
    for (std::int64_t j = 0; j < N; ++j) {
      double sum = 0;
      for (std::int64_t p = 0; p < K; ++p) sum += static_cast<double>(a[i * K + p]) * b[p * N + j];
      c[i * N + j] = static_cast<float>(sum);
    }
    k::apply_epilogue_row(c.data() + i * N, N, e, i, e.residual ? e.residual + i * N : nullptr);
  }
  return c;
}

// Packs, multiplies in `pieces` column-panel ranges (as threads would) and compares.
void check_gemm(std::int64_t M, std::int64_t N, std::int64_t K, k::Epilogue e, int pieces, std::mt19937& rng) {
  const std::vector<float> a = random_vector(rng, static_cast<std::size_t>(M * K));
  const std::vector<float> b = random_vector(rng, static_cast<std::size_t>(K * N));
  std::vector<float> packed_a(k::sgemm_packed_a_floats(M, K)), packed_b(k::sgemm_packed_b_floats(K, N));
  k::sgemm_pack_a(a.data(), K, 1, M, K, packed_a.data());
  k::sgemm_pack_b(b.data(), N, 1, K, N, packed_b.data());
  std::vector<float> c(static_cast<std::size_t>(M * N), NAN);
  const std::int64_t panels = (N + k::sgemm_nr() - 1) / k::sgemm_nr();
  for (int piece = 0; piece < pieces; ++piece)
    k::sgemm_packed(M, N, K, packed_a.data(), packed_b.data(), c.data(), N, e, panels * piece / pieces,
                    panels * (piece + 1) / pieces);
  // B read in place (sgemm_rows_b), rows wider than N as a conv's column block
  // within its plane; ends exactly at the buffer's end, so that a read past a
  // row's last column on the last row would be caught by AddressSanitizer.
  const std::int64_t ldb = N + 5;
  std::vector<float> b_rows(static_cast<std::size_t>(K > 0 ? (K - 1) * ldb + N : 0));
  for (std::int64_t p = 0; p < K; ++p) std::copy(b.begin() + p * N, b.begin() + (p + 1) * N, b_rows.begin() + p * ldb);
  std::vector<float> c_rows(c.size(), NAN);
  for (int piece = 0; piece < pieces; ++piece)
    k::sgemm_rows_b(M, N, K, packed_a.data(), b_rows.data(), ldb, c_rows.data(), N, e, panels * piece / pieces,
                    panels * (piece + 1) / pieces);

  const std::vector<float> expected = reference_gemm(a, b, M, N, K, e);
  float max_error = 0, max_error_rows = 0, max_expected = 0;
  for (std::size_t i = 0; i < c.size(); ++i) {
    max_error = std::max(max_error, std::isnan(c[i]) ? INFINITY : std::abs(c[i] - expected[i]));
    max_error_rows = std::max(max_error_rows, std::isnan(c_rows[i]) ? INFINITY : std::abs(c_rows[i] - expected[i]));
    max_expected = std::max(max_expected, std::abs(expected[i]));
  }
  INFO("isa " << k::sgemm_isa() << " M " << M << " N " << N << " K " << K << " activation "
              << static_cast<int>(e.activation.kind) << " pieces " << pieces);
  CHECK(max_error <= 1e-4f * max_expected + 1e-5f);
  CHECK(max_error_rows <= 1e-4f * max_expected + 1e-5f);
}

}  // namespace

TEST_CASE("sgemm_packed matches the plain product at tile and block edges, every ISA") {
  IsaGuard guard;
  std::mt19937 rng(7);
  for (k::Isa isa : available_isas()) {
    k::set_active_isa(isa);
    const std::int64_t nr = k::sgemm_nr();
    for (std::int64_t M : {std::int64_t{1}, k::kSgemmMr - 1, k::kSgemmMr, k::kSgemmMr + 1, std::int64_t{13},
                           k::kSgemmMc + 5})
      // nr + nr / 2 + 1 and + 4: a last panel of one vector and 1 or 4 columns (vector_columns).
      for (std::int64_t N : {std::int64_t{1}, nr - 1, nr, nr + 1, std::int64_t{37}, nr + nr / 2 + 1, nr + nr / 2 + 4})
        for (std::int64_t K : {std::int64_t{1}, std::int64_t{3}, k::kSgemmKc, k::kSgemmKc + 1, std::int64_t{300}})
          check_gemm(M, N, K, k::Epilogue{}, 1, rng);
  }
}

// M = 1 (a batch-1 classifier head) has its own path, four column panels at
// a time: N = 9 panels and a partial one covers groups, single panels and the tail.
TEST_CASE("sgemm_packed epilogues: bias, residual and each activation, split into panel ranges") {
  IsaGuard guard;
  std::mt19937 rng(11);
  for (k::Isa isa : available_isas())
    for (const std::int64_t M : {std::int64_t{14}, std::int64_t{1}}) {
      k::set_active_isa(isa);
      const std::int64_t N = (M == 1 ? 9 : 3) * k::sgemm_nr() + 5, K = 270;
      const std::vector<float> bias = random_vector(rng, M);
      const std::vector<float> residual = random_vector(rng, static_cast<std::size_t>(M * N));
      using A = k::Activation;
      for (k::ActivationParams act : {k::ActivationParams{A::None}, k::ActivationParams{A::Relu},
                                      k::ActivationParams{A::Clip, 0.0f, 6.0f}, k::ActivationParams{A::LeakyRelu, 0.1f},
                                      k::ActivationParams{A::Sigmoid}, k::ActivationParams{A::HardSigmoid, 0.2f, 0.5f},
                                      k::ActivationParams{A::HardSwish, 1.0f / 6.0f, 0.5f}, k::ActivationParams{A::Silu}}) {
        check_gemm(M, N, K, k::Epilogue{bias.data(), nullptr, act}, 1, rng);
        check_gemm(M, N, K, k::Epilogue{bias.data(), residual.data(), act}, 3, rng);
        check_gemm(M, N, K, k::Epilogue{nullptr, residual.data(), act}, 2, rng);
      }
    }
}

TEST_CASE("sgemm_packed with K = 0 writes the epilogue of zero") {
  const std::int64_t M = 3, N = 5;
  const std::vector<float> bias{1.0f, -2.0f, 3.0f};
  std::vector<float> c(M * N, NAN);
  k::sgemm_packed(M, N, 0, nullptr, nullptr, c.data(), N, k::Epilogue{bias.data(), nullptr, {k::Activation::Relu}}, 0,
                  1000);
  for (std::int64_t i = 0; i < M; ++i)
    for (std::int64_t j = 0; j < N; ++j) CHECK(c[i * N + j] == std::max(bias[i], 0.0f));
}

// A residual block's output written over its input: C holds the residual and
// the epilogue's residual is C itself. With K over several blocks the
// residual must survive the first blocks' partial sums; M = 1, narrow and
// few-column tails take their own kernels.
TEST_CASE("sgemm adds the products to a residual held in C itself, packed and in-place B, every ISA") {
  IsaGuard guard;
  std::mt19937 rng(13);
  for (k::Isa isa : available_isas()) {
    k::set_active_isa(isa);
    const std::int64_t nr = k::sgemm_nr();
    for (const std::int64_t M : {std::int64_t{1}, std::int64_t{14}, k::kSgemmMc + 5})
      for (const std::int64_t N : {std::int64_t{49}, 3 * nr + 5, 2 * nr + 2})
        for (const std::int64_t K : {std::int64_t{0}, std::int64_t{64}, k::kSgemmKc + 14, 2 * k::kSgemmKc + 3})
          for (const int pieces : {1, 3}) {
            const std::vector<float> a = random_vector(rng, static_cast<std::size_t>(M * K));
            const std::vector<float> b = random_vector(rng, static_cast<std::size_t>(K * N));
            const std::vector<float> bias = random_vector(rng, static_cast<std::size_t>(M));
            const std::vector<float> residual = random_vector(rng, static_cast<std::size_t>(M * N));
            std::vector<float> packed_a(k::sgemm_packed_a_floats(M, K)), packed_b(k::sgemm_packed_b_floats(K, N));
            if (K > 0) {
              k::sgemm_pack_a(a.data(), K, 1, M, K, packed_a.data());
              k::sgemm_pack_b(b.data(), N, 1, K, N, packed_b.data());
            }
            const k::ActivationParams relu{k::Activation::Relu};
            const std::vector<float> expected =
                reference_gemm(a, b, M, N, K, k::Epilogue{bias.data(), residual.data(), relu});
            std::vector<float> c_packed = residual, c_rows = residual;
            const std::int64_t panels = (N + nr - 1) / nr;
            for (int piece = 0; piece < pieces; ++piece) {
              const std::int64_t p0 = panels * piece / pieces, p1 = panels * (piece + 1) / pieces;
              k::sgemm_packed(M, N, K, packed_a.data(), packed_b.data(), c_packed.data(), N,
                              k::Epilogue{bias.data(), c_packed.data(), relu}, p0, p1);
              k::sgemm_rows_b(M, N, K, packed_a.data(), b.data(), N, c_rows.data(), N,
                              k::Epilogue{bias.data(), c_rows.data(), relu}, p0, p1);
            }
            float max_error = 0, max_expected = 0;
            for (std::size_t i = 0; i < expected.size(); ++i) {
              max_error = std::max({max_error, std::abs(c_packed[i] - expected[i]), std::abs(c_rows[i] - expected[i])});
              max_expected = std::max(max_expected, std::abs(expected[i]));
            }
            INFO("isa " << k::sgemm_isa() << " M " << M << " N " << N << " K " << K << " pieces " << pieces);
            CHECK(max_error <= 1e-4f * max_expected + 1e-5f);
          }
  }
}
