// Per-op profiling: Session::run(inputs, profile) records every executed step
// with its node, op type, algorithm, shapes, FLOPs and timing, and leaves the
// outputs as an unprofiled run makes them; node_flops counts 2 x multiply-adds
// from shapes.
#include <doctest/doctest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "onnxrun/onnxrun.hpp"
#include "runtime/exec/op_flops.hpp"
#include "tests/support/model_builder.hpp"

using namespace onnxrun;
using onnxrun::testing::FLOAT;
using onnxrun::testing::ModelBuilder;

namespace {

std::vector<float> random_values(std::size_t count, unsigned seed) {
  std::mt19937 random(seed);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<float> values(count);
  for (float& v : values) v = uniform(random);
  return values;
}

// x [1,3,8,8] -> Conv 3x3 pad 1 (4 channels) -> MaxPool 2x2 -> Flatten -> Gemm
// (10 classes) -> y, and m [2,5,7] -> MatMul [7,3] -> z: no pair of these is
// fused, so every node is one step.
Session profiled_model(int threads) {
  using namespace onnxrun::testing;
  ModelBuilder builder;
  builder.input("x", FLOAT, {1, 3, 8, 8})
      .input("m", FLOAT, {2, 5, 7})
      .initializer(raw_tensor<float>("w", {4, 3, 3, 3}, random_values(108, 1)))
      .initializer(raw_tensor<float>("b", {4}, random_values(4, 2)))
      .initializer(raw_tensor<float>("fc_w", {10, 64}, random_values(640, 3)))
      .initializer(raw_tensor<float>("fc_b", {10}, random_values(10, 4)))
      .initializer(raw_tensor<float>("mm_w", {7, 3}, random_values(21, 5)))
      .node("Conv", {"x", "w", "b"}, {"c"}, "conv", {attr_ints("pads", {1, 1, 1, 1})})
      .node("MaxPool", {"c"}, {"p"}, "pool", {attr_ints("kernel_shape", {2, 2}), attr_ints("strides", {2, 2})})
      .node("Flatten", {"p"}, {"f"}, "flat")
      .node("Gemm", {"f", "fc_w", "fc_b"}, {"y"}, "fc", {attr_int("transB", 1)})
      .node("MatMul", {"m", "mm_w"}, {"z"}, "mm")
      .output("y")
      .output("z");
  const std::string bytes = builder.bytes();
  SessionOptions options;
  options.threads = threads;
  return Session::from_bytes(bytes.data(), bytes.size(), options);
}

std::vector<NamedTensor> model_inputs() {
  return {{"x", Tensor::from_values<float>({1, 3, 8, 8}, random_values(192, 6))},
          {"m", Tensor::from_values<float>({2, 5, 7}, random_values(70, 7))}};
}

const OpProfile* find_op(const RunProfile& profile, const std::string& node) {
  for (const OpProfile& op : profile.ops)
    if (op.node == node) return &op;
  return nullptr;
}

bool same_bytes(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.byte_size()) == 0;
}

}  // namespace

TEST_CASE("profile: one record per step with node, op, shapes, algorithm and FLOPs") {
  for (int threads : {1, 2}) {
    CAPTURE(threads);
    const Session session = profiled_model(threads);
    RunProfile profile;
    const std::vector<NamedTensor> outputs = session.run(model_inputs(), profile);

    // Flatten may become a view; the others are real steps. The MaxPool is
    // folded into the convolution (fuse_max_pool_into_conv).
    REQUIRE(profile.ops.size() >= 3);
    REQUIRE(profile.ops.size() <= 4);
    const OpProfile* conv = find_op(profile, "conv");
    const OpProfile* fc = find_op(profile, "fc");
    const OpProfile* mm = find_op(profile, "mm");
    REQUIRE(conv);
    REQUIRE(fc);
    REQUIRE(mm);
    CHECK(!find_op(profile, "pool"));
    CHECK(conv->op_type == "FusedConv");
    CHECK(mm->op_type == "MatMul");
    CHECK(conv->input_shapes == std::vector<Shape>{{1, 3, 8, 8}, {4, 3, 3, 3}, {4}});
    CHECK(conv->output_shapes == std::vector<Shape>{{1, 4, 4, 4}});  // pooled
    CHECK(fc->output_shapes == std::vector<Shape>{{1, 10}});
    // Conv chooses among algorithms and says which, and that it pools.
    REQUIRE(conv->algorithm.size() > 8);
    CHECK(conv->algorithm.substr(conv->algorithm.size() - 8) == "+maxpool");
    // 2 x output values x (in channels x kernel area), and so on: the
    // convolution's 8x8 outputs, not the pooled 4x4.
    CHECK(conv->flops == 2 * 256 * 27);
    CHECK(fc->flops == 2 * 10 * 64);
    CHECK(mm->flops == 2 * 30 * 7);
    const OpProfile* flat = find_op(profile, "flat");
    if (flat) CHECK(flat->flops == 0);

    // Steps run one after another within the run.
    double previous_end = 0;
    for (const OpProfile& op : profile.ops) {
      CHECK(op.start_us >= previous_end);
      CHECK(op.duration_us >= 0);
      previous_end = op.start_us + op.duration_us;
    }
    CHECK(profile.total_us >= previous_end);
    CHECK(profile.total_us > 0);

    // Profiling changes nothing in the results.
    const std::vector<NamedTensor> plain = session.run(model_inputs());
    REQUIRE(plain.size() == outputs.size());
    for (std::size_t i = 0; i < plain.size(); ++i) CHECK(same_bytes(plain[i].tensor, outputs[i].tensor));

    // A second profiled run replaces the records rather than appending.
    const std::size_t steps = profile.ops.size();
    session.run(model_inputs(), profile);
    CHECK(profile.ops.size() == steps);
  }
}

TEST_CASE("profile: node_flops counts 2 x multiply-adds from shapes") {
  auto desc = [](Shape shape) { return ValueDesc{DType::Float32, std::move(shape), nullptr, true}; };
  Node node;
  node.name = "n";

  node.op_type = "Conv";  // grouped: W [8, 2, 3, 3], 4 groups of 2 input channels
  CHECK(node_flops(node, {desc({1, 8, 10, 10}), desc({8, 2, 3, 3})}, {desc({1, 8, 5, 5})}) == 2 * 200 * 18);
  node.op_type = "FusedConv";
  CHECK(node_flops(node, {desc({2, 3, 4}), desc({6, 3, 1})}, {desc({2, 6, 4})}) == 2 * 48 * 3);
  node.op_type = "NchwcConv";  // blocked [1, 2, 5, 5, 8]: 16 channels x 25 pixels, 9 products each (depthwise)
  CHECK(node_flops(node, {desc({1, 2, 10, 10, 8}), desc({16, 1, 3, 3})}, {desc({1, 2, 5, 5, 8})}) == 2 * 400 * 9);
  node.op_type = "ConvTranspose";  // W [in 4, out/group 2, 3, 3]: each input value feeds 18 outputs
  CHECK(node_flops(node, {desc({1, 4, 5, 5}), desc({4, 2, 3, 3})}, {desc({1, 2, 11, 11})}) == 2 * 100 * 18);
  node.op_type = "MatMul";
  CHECK(node_flops(node, {desc({7}), desc({7, 3})}, {desc({3})}) == 2 * 3 * 7);

  node.op_type = "Gemm";
  CHECK(node_flops(node, {desc({6, 5}), desc({5, 4})}, {desc({6, 4})}) == 2 * 24 * 5);
  Attribute trans;
  trans.kind = Attribute::Kind::Int;
  trans.i = 1;
  node.attributes.set("transA", trans);  // A is [K, M]
  CHECK(node_flops(node, {desc({5, 6}), desc({5, 4})}, {desc({6, 4})}) == 2 * 24 * 5);

  // Not counted: other ops, and inputs or outputs missing.
  node.op_type = "Relu";
  CHECK(node_flops(node, {desc({10, 10}), desc({10, 10})}, {desc({10, 10})}) == 0);
  node.op_type = "MatMul";
  CHECK(node_flops(node, {desc({4, 4}), ValueDesc{}}, {desc({4, 4})}) == 0);
  CHECK(node_flops(node, {desc({4, 4}), desc({4, 4})}, {}) == 0);
}
