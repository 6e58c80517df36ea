// The plan places Concat's inputs inside its output (Op::input_slices_of_output)
// so that their producers write the output directly. These graphs check the
// values against plain loops wherever that placement is allowed and wherever
// it must not happen: an input read by another op too, a graph input, the same
// value twice, a slice that would break the arena's alignment, a concat along
// an axis with more than one outer row, and a concat feeding another concat.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "onnxrun/onnxrun.hpp"
#include "tests/support/model_builder.hpp"

namespace onnxrun {
namespace {

Tensor ramp(const Shape& shape, float start) {
  Tensor t = Tensor::allocate(DType::Float32, shape);
  for (std::int64_t i = 0; i < t.element_count(); ++i)
    t.mutable_data_as<float>()[i] = start + 0.25f * static_cast<float>(i % 37) - 3.0f;
  return t;
}

// Concatenation along `axis` of row-major [outer, chunk_i] views of the parts.
std::vector<float> concat_values(const std::vector<std::vector<float>>& parts, const std::vector<std::int64_t>& chunks,
                                 std::int64_t outer) {
  std::vector<float> out;
  for (std::int64_t o = 0; o < outer; ++o)
    for (std::size_t i = 0; i < parts.size(); ++i)
      for (std::int64_t k = 0; k < chunks[i]; ++k) out.push_back(parts[i][static_cast<std::size_t>(o * chunks[i] + k)]);
  return out;
}

std::vector<float> relu(const Tensor& t, float scale = 1.0f) {
  std::vector<float> out;
  for (std::int64_t i = 0; i < t.element_count(); ++i) {
    const float v = t.data_as<float>()[i] * scale;
    out.push_back(v > 0.0f ? v : 0.0f);
  }
  return out;
}

std::vector<float> values(const Tensor& t) { return {t.data_as<float>(), t.data_as<float>() + t.element_count()}; }

std::vector<Tensor> run(const testing::ModelBuilder& builder, const std::vector<NamedTensor>& inputs, int threads) {
  const std::string bytes = builder.bytes();
  const Session session = Session::from_bytes(bytes.data(), bytes.size(), SessionOptions{threads, ""});
  std::vector<Tensor> outputs;
  for (NamedTensor& named : session.run(inputs)) outputs.push_back(std::move(named.tensor));
  return outputs;
}

// x, w [1, 16, 4, 4] -> Relu -> a, b -> Concat (axis 1) -> c.
testing::ModelBuilder two_relus_concatenated() {
  testing::ModelBuilder b;
  b.input("x", testing::FLOAT, {1, 16, 4, 4})
      .input("w", testing::FLOAT, {1, 16, 4, 4})
      .node("Relu", {"x"}, {"a"}, "relu_a")
      .node("Relu", {"w"}, {"b"}, "relu_b")
      .node("Concat", {"a", "b"}, {"c"}, "cat", {testing::attr_int("axis", 1)});
  return b;
}

std::vector<float> negated(std::vector<float> v) {
  for (float& x : v) x = -x;
  return v;
}

}  // namespace

TEST_CASE("plan: Concat's inputs placed in its output share its memory") {
  // relu_a and relu_b write a and b (1 KiB each), the concat c (2 KiB), the
  // graph output y is the caller's. Copied, a, b and c are alive together at
  // the concat: 4 KiB of arena. Placed, a and b are c's halves: 2 KiB.
  testing::ModelBuilder b = two_relus_concatenated();
  b.node("Neg", {"c"}, {"y"}, "neg").output("y");
  const std::string bytes = b.bytes();
  const Session session = Session::from_bytes(bytes.data(), bytes.size(), SessionOptions{1, ""});
  const Tensor x = ramp({1, 16, 4, 4}, 0.0f), w = ramp({1, 16, 4, 4}, 1.0f);
  const std::vector<NamedTensor> out = session.run({{"x", x}, {"w", w}});
  CHECK(session.arena_bytes() == 2048);
  CHECK(values(out[0].tensor) == negated(concat_values({relu(x), relu(w)}, {256, 256}, 1)));
}

TEST_CASE("plan: Concat's inputs written in place give the values of a copy, and only where allowed") {
  const Tensor x = ramp({1, 16, 4, 4}, 0.0f);
  const Tensor w = ramp({1, 16, 4, 4}, 1.0f);
  const std::vector<float> rx = relu(x), rw = relu(w);
  const std::int64_t plane = 16 * 4 * 4;  // floats per input: 1024 bytes, a multiple of 64
  for (int threads : {1, 2}) {
    CAPTURE(threads);
    SUBCASE("two producers, each read only by the concat; then a second concat of the first's output") {
      testing::ModelBuilder b = two_relus_concatenated();
      b.node("Relu", {"x"}, {"d"}, "relu_d")
          .node("Concat", {"c", "d"}, {"e"}, "cat2", {testing::attr_int("axis", 1)})
          .node("Neg", {"e"}, {"y"}, "neg")
          .output("y");
      const std::vector<Tensor> out = run(b, {{"x", x}, {"w", w}}, threads);
      CHECK(values(out[0]) == negated(concat_values({rx, rw, rx}, {plane, plane, plane}, 1)));
    }
    SUBCASE("an input that another op reads too, a graph input, and the same value twice") {
      testing::ModelBuilder b;
      b.input("x", testing::FLOAT, {1, 16, 4, 4})
          .input("w", testing::FLOAT, {1, 16, 4, 4})
          .node("Relu", {"x"}, {"a"}, "relu_a")
          .node("Concat", {"a", "w", "a"}, {"c"}, "cat", {testing::attr_int("axis", 1)})
          .node("Neg", {"a"}, {"n"}, "neg_a")
          .node("Relu", {"c"}, {"y"}, "relu_c")
          .output("y")
          .output("n");
      const std::vector<Tensor> out = run(b, {{"x", x}, {"w", w}}, threads);
      CHECK(values(out[0]) == concat_values({rx, rw, rx}, {plane, plane, plane}, 1));
      CHECK(values(out[1]) == negated(rx));
    }
    SUBCASE("slices off the arena's alignment and concats with several outer rows copy") {
      // [1, 3, 5] slices are 60 bytes; along axis 2 each of the 16 channels is an outer row.
      const Tensor s = ramp({1, 3, 5}, 2.0f), t = ramp({1, 3, 5}, 3.0f);
      testing::ModelBuilder b;
      b.input("s", testing::FLOAT, {1, 3, 5})
          .input("t", testing::FLOAT, {1, 3, 5})
          .input("x", testing::FLOAT, {1, 16, 4, 4})
          .input("w", testing::FLOAT, {1, 16, 4, 4})
          .node("Relu", {"s"}, {"a"}, "relu_s")
          .node("Relu", {"t"}, {"b"}, "relu_t")
          .node("Concat", {"a", "b"}, {"c"}, "cat_unaligned", {testing::attr_int("axis", 1)})
          .node("Relu", {"x"}, {"p"}, "relu_x")
          .node("Relu", {"w"}, {"q"}, "relu_w")
          .node("Concat", {"p", "q"}, {"r"}, "cat_rows", {testing::attr_int("axis", 2)})
          .node("Neg", {"c"}, {"y"}, "neg_c")
          .node("Neg", {"r"}, {"z"}, "neg_r")
          .output("y")
          .output("z");
      const std::vector<Tensor> out = run(b, {{"s", s}, {"t", t}, {"x", x}, {"w", w}}, threads);
      CHECK(values(out[0]) == negated(concat_values({relu(s), relu(t)}, {15, 15}, 1)));
      CHECK(values(out[1]) == negated(concat_values({rx, rw}, {16, 16}, 16)));
    }
  }
}

}  // namespace onnxrun
