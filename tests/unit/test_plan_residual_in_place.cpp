// The plan writes a residual block's output over the block's input
// (Op::input_overwritten_by_output) where no later step reads that input.
// These graphs of 1x1 bottleneck blocks check the values against the
// unoptimized session (where no FusedConv, so no overwriting, exists), the
// arena shrinking where the overwrite is allowed, and the cases where it must
// not happen: the input read again later, the input also the conv's own input.
#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

#include "tests/support/graph_pass_support.hpp"

using namespace onnxrun;
using namespace onnxrun::testing;

namespace {

constexpr std::int64_t kChannels = 16, kSide = 12;  // 144 columns: the 1x1 GEMM reads its input in place
constexpr std::size_t kTensorBytes = kChannels * kSide * kSide * sizeof(float);

// block: a = Relu(Conv(in, Wa)) with `wide` channels, out = Relu(Conv(a, Wb) + in).
void add_block(ModelBuilder& model, std::mt19937& rng, const std::string& in, const std::string& out,
               std::int64_t wide, const std::string& name) {
  model.initializer(raw_tensor<float>(name + "_wa", {wide, kChannels, 1, 1},
                                      random_values(rng, static_cast<std::size_t>(wide * kChannels), -0.3f, 0.3f)))
      .initializer(raw_tensor<float>(name + "_wb", {kChannels, wide, 1, 1},
                                     random_values(rng, static_cast<std::size_t>(wide * kChannels), -0.1f, 0.1f)))
      .node("Conv", {in, name + "_wa"}, {name + "_c1"}, name + "_conv1")
      .node("Relu", {name + "_c1"}, {name + "_a"}, name + "_relu1")
      .node("Conv", {name + "_a", name + "_wb"}, {name + "_c2"}, name + "_conv2")
      .node("Add", {name + "_c2", in}, {name + "_s"}, name + "_add")
      .node("Relu", {name + "_s"}, {out}, name + "_relu2");
}

ModelBuilder input_model() {
  ModelBuilder model;
  model.input("X", FLOAT, {1, kChannels, kSide, kSide}).node("Relu", {"X"}, {"r0"}, "relu_in");
  return model;
}

std::vector<NamedTensor> inputs(std::mt19937& rng) {
  return {{"X", random_tensor(rng, {1, kChannels, kSide, kSide})}};
}

}  // namespace

TEST_CASE("residual in place: one block's output takes its input's buffer") {
  std::mt19937 rng(21);
  ModelBuilder model = input_model();
  add_block(model, rng, "r0", "r1", kChannels, "b0");
  model.node("Sigmoid", {"r1"}, {"Y"}, "head").output("Y");
  check_optimized_matches(model, inputs(rng));
  // r0, the block's inner tensor and r1 are alive together at the fused conv:
  // three tensors' worth of arena unless r1 takes r0's buffer.
  const Session session = open_session(model, true, 1);
  session.run(inputs(rng));
  CHECK(session.arena_bytes() < 3 * kTensorBytes);
}

TEST_CASE("residual in place: chained blocks, K over several SGEMM blocks, threads") {
  std::mt19937 rng(22);
  for (const std::int64_t wide : {std::int64_t{64}, std::int64_t{600}}) {
    INFO("inner channels " << wide);
    ModelBuilder model = input_model();
    add_block(model, rng, "r0", "r1", wide, "b0");
    add_block(model, rng, "r1", "r2", wide, "b1");
    add_block(model, rng, "r2", "r3", wide, "b2");
    model.node("Sigmoid", {"r3"}, {"Y"}, "head").output("Y");
    check_optimized_matches(model, inputs(rng));
  }
}

TEST_CASE("residual in place: not over an input that a later step reads, nor over the conv's own input") {
  std::mt19937 rng(23);
  {
    // r1 is read again at the end: block b1 must not write r2 over it.
    ModelBuilder model = input_model();
    add_block(model, rng, "r0", "r1", kChannels, "b0");
    add_block(model, rng, "r1", "r2", kChannels, "b1");
    model.node("Add", {"r2", "r1"}, {"Y"}, "late_read").output("Y");
    check_optimized_matches(model, inputs(rng));
  }
  {
    // Conv(r) + r: the residual is also the conv's input, which the GEMM
    // reads while writing the output.
    ModelBuilder model = input_model();
    model.initializer(raw_tensor<float>("w", {kChannels, kChannels, 1, 1},
                                        random_values(rng, kChannels * kChannels, -0.3f, 0.3f)))
        .node("Conv", {"r0", "w"}, {"c"}, "conv")
        .node("Add", {"c", "r0"}, {"s"}, "add")
        .node("Relu", {"s"}, {"r1"}, "relu")
        .node("Sigmoid", {"r1"}, {"Y"}, "head")
        .output("Y");
    check_optimized_matches(model, inputs(rng));
  }
}
