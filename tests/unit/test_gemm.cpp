// Gemm and com.onnxrun.FusedGemm on the packed SGEMM against the scalar
// reference (ops/reference/gemm_reference) plus the scalar activation, for
// every ISA this machine runs: sizes around the register tile (M around
// kSgemmMr, N around nr, K around the K block), every transpose, alpha, beta,
// each way C broadcasts, B constant (packed once) or fed at run time, 1 and 3
// threads (which must agree bit for bit).
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "onnxrun/onnxrun.hpp"
#include "ops/kernels/epilogue.hpp"
#include "ops/kernels/isa.hpp"
#include "ops/kernels/sgemm.hpp"
#include "ops/reference/gemm_reference.hpp"
#include "tests/support/compare.hpp"
#include "tests/support/model_builder.hpp"
#include "tests/support/op_runner.hpp"
#include "tests/support/isa_loop.hpp"

namespace k = onnxrun::kernels;
using onnxrun::testing::available_isas;
using onnxrun::testing::IsaGuard;
using onnxrun::Shape;
using onnxrun::Tensor;
using onnxrun::testing::OpRunner;

namespace {

Tensor random_tensor(std::mt19937& rng, const Shape& shape) {
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  Tensor t = Tensor::allocate(onnxrun::DType::Float32, shape);
  float* p = t.mutable_data_as<float>();
  for (std::int64_t i = 0; i < t.element_count(); ++i) p[i] = dist(rng);
  return t;
}

struct GemmCase {
  std::int64_t M, N, K;
  bool trans_a = false, trans_b = false;
  float alpha = 1.0f, beta = 1.0f;
  int c_kind = 0;  // index into c_shape(): 0 means no C
  k::ActivationParams activation{};

  Shape c_shape() const {
    const Shape shapes[] = {{}, {N}, {1, N}, {M, 1}, {M, N}, {}, {1}};
    return shapes[c_kind];
  }
  bool has_c() const { return c_kind != 0; }
};

// Y = act(alpha op(A) op(B) + beta C), C broadcast, by the scalar reference.
Tensor expected_gemm(const GemmCase& g, const Tensor& a, const Tensor& b, const Tensor& c) {
  Tensor y = Tensor::allocate(onnxrun::DType::Float32, {g.M, g.N});
  float* out = y.mutable_data_as<float>();
  if (g.has_c()) {
    const Shape cs = c.shape();
    for (std::int64_t i = 0; i < g.M; ++i)
      for (std::int64_t j = 0; j < g.N; ++j) {
        std::int64_t index = 0;
        if (cs.size() == 2) index = (cs[0] == 1 ? 0 : i) * cs[1] + (cs[1] == 1 ? 0 : j);
        if (cs.size() == 1) index = cs[0] == 1 ? 0 : j;
        out[i * g.N + j] = c.data_as<float>()[index];
      }
  }
  onnxrun::reference::gemm_reference(g.trans_a, g.trans_b, g.M, g.N, g.K, g.alpha, a.data_as<float>(),
                                     b.data_as<float>(), g.has_c() ? g.beta : 0.0f, out, 0, g.M);
  for (std::int64_t i = 0; i < y.element_count(); ++i) out[i] = k::apply_activation(out[i], g.activation);
  return y;
}

void check_identical(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  CHECK(std::memcmp(a.data(), b.data(), a.byte_size()) == 0);
}

// Plain Gemm through OpRunner, B constant or not.
void check_gemm_op(const GemmCase& g, bool b_constant, std::mt19937& rng) {
  const Tensor a = random_tensor(rng, g.trans_a ? Shape{g.K, g.M} : Shape{g.M, g.K});
  const Tensor b = random_tensor(rng, g.trans_b ? Shape{g.N, g.K} : Shape{g.K, g.N});
  const Tensor c = random_tensor(rng, g.c_shape());
  OpRunner runner("Gemm", 13, "gemm");
  runner.input(a);
  if (b_constant) runner.constant(b);
  else runner.input(b);
  if (g.has_c()) runner.constant(c);
  runner.attr_int("transA", g.trans_a).attr_int("transB", g.trans_b).attr_float("alpha", g.alpha).attr_float("beta",
                                                                                                              g.beta);
  INFO("isa " << std::string(k::sgemm_isa()) << " M " << g.M << " N " << g.N << " K " << g.K << " transA " << g.trans_a
              << " transB " << g.trans_b << " alpha " << g.alpha << " beta " << g.beta << " C "
              << (g.has_c() ? onnxrun::shape_to_string(g.c_shape()) : "none") << " B constant " << b_constant);
  const Tensor one = runner.run(1)[0];
  check_identical(one, runner.run(3)[0]);
  onnxrun::testing::check_close(one, expected_gemm(g, a, b, c));
}

}  // namespace

TEST_CASE("gemm: packed Gemm matches the reference at tile edges, every transpose and ISA") {
  IsaGuard guard;
  std::mt19937 rng(2024);
  for (k::Isa isa : available_isas()) {
    k::set_active_isa(isa);
    const std::int64_t nr = k::sgemm_nr();
    int variant = 0;
    // N = nr + nr / 2 + 3 ends in a panel of one vector and 3 columns (sgemm_impl.hpp's vector_columns).
    for (std::int64_t M : {std::int64_t{1}, k::kSgemmMr - 1, k::kSgemmMr, k::kSgemmMr + 1, std::int64_t{31}})
      for (std::int64_t N : {std::int64_t{1}, nr - 1, nr, nr + 1, std::int64_t{37}, nr + nr / 2 + 3})
        for (std::int64_t K : {std::int64_t{1}, std::int64_t{13}, k::kSgemmKc, k::kSgemmKc + 1})
          for (int trans = 0; trans < 4; ++trans) {
            GemmCase g{M, N, K, (trans & 1) != 0, (trans & 2) != 0};
            // The C variants rotate through the sizes; the next test covers them all at once.
            g.c_kind = variant % 7;
            g.alpha = variant % 3 == 0 ? 1.0f : 0.75f;
            g.beta = variant % 5 == 0 ? 1.0f : -1.5f;
            check_gemm_op(g, variant % 2 == 0, rng);
            ++variant;
          }
  }
}

TEST_CASE("gemm: every C broadcast, alpha, beta (0 included) with B constant and fed") {
  IsaGuard guard;
  std::mt19937 rng(99);
  for (k::Isa isa : available_isas()) {
    k::set_active_isa(isa);
    for (int c_kind = 0; c_kind < 7; ++c_kind)
      for (float beta : {1.0f, 0.0f, 2.5f})
        for (bool b_constant : {true, false}) {
          // M = 40 splits rows across threads, M = 2 splits column panels.
          check_gemm_op(GemmCase{40, 29, 19, false, true, 1.0f, beta, c_kind}, b_constant, rng);
          check_gemm_op(GemmCase{2, 70, 33, true, false, -0.5f, beta, c_kind}, b_constant, rng);
        }
  }
}

TEST_CASE("gemm: beta = 0 ignores a C full of NaN") {
  const Tensor a = Tensor::from_values<float>({1, 2}, {1.0f, 2.0f});
  const Tensor b = Tensor::from_values<float>({2, 1}, {3.0f, 4.0f});
  const Tensor c = Tensor::from_values<float>({1}, {NAN});
  OpRunner runner("Gemm", 13, "gemm");
  runner.input(a).constant(b).constant(c).attr_float("beta", 0.0f);
  CHECK(runner.run(1)[0].data_as<float>()[0] == 11.0f);
}

TEST_CASE("gemm: K = 0 gives beta * C") {
  const Tensor a = Tensor::allocate(onnxrun::DType::Float32, {3, 0});
  const Tensor b = Tensor::allocate(onnxrun::DType::Float32, {0, 2});
  const Tensor c = Tensor::from_values<float>({2}, {1.0f, -1.0f});
  OpRunner runner("Gemm", 13, "gemm");
  runner.input(a).constant(b).constant(c).attr_float("beta", 2.0f);
  const Tensor y = runner.run(2)[0];
  REQUIRE(y.shape() == Shape{3, 2});
  for (std::int64_t i = 0; i < 3; ++i) {
    CHECK(y.data_as<float>()[i * 2] == 2.0f);
    CHECK(y.data_as<float>()[i * 2 + 1] == -2.0f);
  }
}

namespace {

namespace t = onnxrun::testing;

// One com.onnxrun.FusedGemm node in a model, run through a Session.
Tensor run_fused_gemm(const GemmCase& g, const Tensor& a, const Tensor& b, const Tensor& c, const std::string& activation,
                      int threads) {
  t::ModelBuilder model(17);
  model.opset(1, "com.onnxrun");
  model.input("A", t::FLOAT, {a.shape()[0], a.shape()[1]});
  auto to_proto = [](const std::string& name, const Tensor& x) {
    return t::raw_tensor<float>(name, x.shape(),
                                std::vector<float>(x.data_as<float>(), x.data_as<float>() + x.element_count()));
  };
  model.initializer(to_proto("B", b));
  std::vector<std::string> inputs{"A", "B"};
  if (g.has_c()) {
    model.initializer(to_proto("C", c));
    inputs.push_back("C");
  }
  std::vector<onnx::AttributeProto> attributes{t::attr_int("transA", g.trans_a), t::attr_int("transB", g.trans_b),
                                               t::attr_float("alpha", g.alpha), t::attr_float("beta", g.beta),
                                               t::attr_string("activation", activation)};
  if (g.activation.kind != k::Activation::Relu && g.activation.kind != k::Activation::Sigmoid) {
    attributes.push_back(t::attr_float("activation_alpha", g.activation.alpha));
    attributes.push_back(t::attr_float("activation_beta", g.activation.beta));
  }
  model.node("FusedGemm", inputs, {"Y"}, "fused", attributes, "com.onnxrun").output("Y");
  const std::string bytes = model.bytes();
  onnxrun::SessionOptions options;
  options.threads = threads;
  options.optimize = false;  // the node as written
  onnxrun::Session session = onnxrun::Session::from_bytes(bytes.data(), bytes.size(), options);
  return session.run({{"A", a}})[0].tensor;
}

}  // namespace

TEST_CASE("gemm: FusedGemm applies each activation after alpha A B + beta C, every ISA") {
  IsaGuard guard;
  std::mt19937 rng(5);
  using A = k::Activation;
  const std::pair<const char*, k::ActivationParams> activations[] = {
      {"Relu", {A::Relu}},
      {"Clip", {A::Clip, -0.25f, 0.5f}},
      {"LeakyRelu", {A::LeakyRelu, 0.1f}},
      {"Sigmoid", {A::Sigmoid}},
      {"HardSigmoid", {A::HardSigmoid, 0.2f, 0.5f}},
      {"HardSwish", {A::HardSwish, 1.0f / 6.0f, 0.5f}}};
  for (k::Isa isa : available_isas()) {
    k::set_active_isa(isa);
    for (const auto& [name, params] : activations)
      for (int c_kind : {0, 1, 4}) {
        GemmCase g{9, 2 * k::sgemm_nr() + 3, 20, false, true, 1.0f, 1.0f, c_kind, params};
        const Tensor a = random_tensor(rng, {g.M, g.K});
        const Tensor b = random_tensor(rng, {g.N, g.K});
        const Tensor c = random_tensor(rng, g.c_shape());
        INFO("isa " << k::sgemm_isa() << " activation " << name << " C kind " << c_kind);
        const Tensor one = run_fused_gemm(g, a, b, c, name, 1);
        check_identical(one, run_fused_gemm(g, a, b, c, name, 3));
        onnxrun::testing::check_close(one, expected_gemm(g, a, b, c));
      }
  }
}

TEST_CASE("gemm: FusedGemm refuses an activation it does not know") {
  GemmCase g{2, 3, 4};
  std::mt19937 rng(1);
  const Tensor a = random_tensor(rng, {2, 4}), b = random_tensor(rng, {4, 3});
  CHECK_THROWS_WITH_AS(run_fused_gemm(g, a, b, Tensor(), "Tanh", 1), doctest::Contains("activation 'Tanh'"),
                       onnxrun::Error);
}
