// Tests for the public Session API on PyTorch-exported fixtures: loading from a
// file and from bytes, declared inputs and outputs, running over caller memory,
// every way a caller can bind inputs wrongly, dynamic batch re-planning,
// concurrent runs on one Session, and thread-count independence.
#include <doctest/doctest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "onnxrun/onnxrun.hpp"
#include "tests/support/compare.hpp"
#include "tests/support/model_builder.hpp"

namespace fs = std::filesystem;
using namespace onnxrun;

namespace {

fs::path fixture(const std::string& name) {
#ifdef ONNXRUN_FIXTURES_DIR
  return fs::path(ONNXRUN_FIXTURES_DIR) / name;
#else
  return fs::path(__FILE__).parent_path().parent_path() / "models" / "fixtures" / name;
#endif
}

Tensor fixture_npy(const std::string& name, const std::string& file) {
  return read_npy((fixture(name) / file).string());
}

Session open(const std::string& name, int threads = 2) {
  return Session((fixture(name) / "model.onnx").string(), SessionOptions{threads, ""});
}

std::string run_error(const Session& session, const std::vector<NamedTensor>& inputs) {
  try {
    session.run(inputs);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error thrown)";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

bool same_bytes(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.byte_size()) == 0;
}

// A float64 copy of a float32 tensor.
Tensor to_float64(const Tensor& t) {
  Tensor out = Tensor::allocate(DType::Float64, t.shape());
  for (std::int64_t i = 0; i < t.element_count(); ++i) out.mutable_data_as<double>()[i] = t.data_as<float>()[i];
  return out;
}

}  // namespace

TEST_CASE("session: from a file and from bytes give the stored PyTorch output") {
  const fs::path path = fixture("cifar_classifier") / "model.onnx";
  std::ifstream stream(path, std::ios::binary);
  const std::string bytes{std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>()};
  REQUIRE(!bytes.empty());

  const Session from_file(path.string());
  const Session from_bytes = Session::from_bytes(bytes.data(), bytes.size());
  const Tensor input = fixture_npy("cifar_classifier", "input_0.npy");
  const Tensor expected = fixture_npy("cifar_classifier", "output_0.npy");
  for (const Session* session : {&from_file, &from_bytes}) {
    const auto outputs = session->run({{session->inputs()[0].name, input}});
    REQUIRE(outputs.size() == 1);
    CHECK(outputs[0].name == session->outputs()[0].name);
    testing::check_close(outputs[0].tensor, expected);
  }
  CHECK(from_file.inputs()[0].name == from_bytes.inputs()[0].name);
  CHECK(from_file.outputs()[0].name == from_bytes.outputs()[0].name);

  // Errors name the file; bytes have no file name but still say what is wrong.
  CHECK_THROWS_AS(Session((fixture("cifar_classifier") / "no_such_model.onnx").string()), Error);
  const std::string garbage = "this is not a protobuf message at all";
  CHECK_THROWS_AS(Session::from_bytes(garbage.data(), garbage.size()), Error);
}

TEST_CASE("session: declared inputs and outputs") {
  const Session cifar = open("cifar_classifier");
  REQUIRE(cifar.inputs().size() == 1);
  REQUIRE(cifar.outputs().size() == 1);
  const ValueInfo& in = cifar.inputs()[0];
  CHECK(!in.name.empty());
  CHECK(in.dtype == DType::Float32);
  CHECK(in.shape == fixture_npy("cifar_classifier", "input_0.npy").shape());
  CHECK(in.dim_names.size() == in.shape.size());
  const ValueInfo& out = cifar.outputs()[0];
  CHECK(!out.name.empty());
  CHECK(out.dtype == DType::Float32);
  CHECK(out.shape == Shape{2, 10});

  const Session dynamic = open("dynamic_batch_cnn");
  REQUIRE(dynamic.inputs().size() == 1);
  const ValueInfo& batch_in = dynamic.inputs()[0];
  CHECK(batch_in.dtype == DType::Float32);
  REQUIRE(batch_in.shape.size() == 4);
  CHECK(batch_in.shape[0] == -1);
  REQUIRE(batch_in.dim_names.size() == 4);
  CHECK(batch_in.dim_names[0] == "batch");
  for (std::size_t d = 1; d < 4; ++d) {
    CHECK(batch_in.shape[d] > 0);
    CHECK(batch_in.dim_names[d].empty());
  }
  REQUIRE(dynamic.outputs().size() == 1);
  const ValueInfo& batch_out = dynamic.outputs()[0];
  CHECK(batch_out.dtype == DType::Float32);
  REQUIRE(!batch_out.shape.empty());
  CHECK(batch_out.shape[0] == -1);
  CHECK(batch_out.dim_names[0] == "batch");
}

TEST_CASE("session: inputs may view caller memory, which is left untouched") {
  const Session session = open("cifar_classifier");
  const Tensor stored = fixture_npy("cifar_classifier", "input_0.npy");
  std::vector<float> caller(static_cast<std::size_t>(stored.element_count()));
  std::memcpy(caller.data(), stored.data(), stored.byte_size());
  const std::vector<float> before = caller;

  // Both view kinds: a writable view must not be written either.
  for (const Tensor& view : {Tensor::view(DType::Float32, stored.shape(), caller.data()),
                             Tensor::view_mutable(DType::Float32, stored.shape(), caller.data())}) {
    CHECK(view.data() == caller.data());
    const auto outputs = session.run({{session.inputs()[0].name, view}});
    testing::check_close(outputs[0].tensor, fixture_npy("cifar_classifier", "output_0.npy"));
    CHECK(std::memcmp(caller.data(), before.data(), before.size() * sizeof(float)) == 0);
    // The result is the caller's own tensor, not a view of the session's arena.
    CHECK(outputs[0].tensor.writable());
  }
}

TEST_CASE("session: binding errors say what is wrong") {
  const Session session = open("cifar_classifier");
  const std::string name = session.inputs()[0].name;
  const Tensor good = fixture_npy("cifar_classifier", "input_0.npy");
  Shape shape = good.shape();

  SUBCASE("float64 for a float32 input") {
    const std::string message = run_error(session, {{name, to_float64(good)}});
    INFO(message);
    CHECK(contains(message, "'" + name + "'"));
    CHECK(contains(message, "float64"));
    CHECK(contains(message, "float32"));
  }
  SUBCASE("wrong dim") {
    shape.back() += 1;
    const std::string message = run_error(session, {{name, Tensor::allocate(DType::Float32, shape)}});
    INFO(message);
    CHECK(contains(message, "'" + name + "'"));
    CHECK(contains(message, shape_to_string(shape)));
    CHECK(contains(message, "dim " + std::to_string(shape.size() - 1)));
  }
  SUBCASE("wrong rank") {
    shape.erase(shape.begin());
    const std::string message = run_error(session, {{name, Tensor::allocate(DType::Float32, shape)}});
    INFO(message);
    CHECK(contains(message, "'" + name + "'"));
    CHECK(contains(message, shape_to_string(shape)));
  }
  SUBCASE("unknown name") {
    const std::string message = run_error(session, {{name, good}, {"not_an_input", good}});
    INFO(message);
    CHECK(contains(message, "'not_an_input'"));
    CHECK(contains(message, "'" + name + "'"));  // lists the real inputs
  }
  SUBCASE("missing input") {
    const std::string message = run_error(session, {});
    INFO(message);
    CHECK(contains(message, "'" + name + "'"));
    CHECK(contains(message, "missing"));
  }
  SUBCASE("duplicate input") {
    const std::string message = run_error(session, {{name, good}, {name, good}});
    INFO(message);
    CHECK(contains(message, "'" + name + "'"));
    CHECK(contains(message, "twice"));
  }
  SUBCASE("a dim of the wrong size in a symbolic position is fine, a fixed one is not") {
    const Session dynamic = open("dynamic_batch_cnn");
    Shape batch_shape = fixture_npy("dynamic_batch_cnn", "input_0.npy").shape();
    batch_shape[0] = 3;
    CHECK_NOTHROW(dynamic.run({{dynamic.inputs()[0].name, Tensor::allocate(DType::Float32, batch_shape)}}));
    batch_shape[1] += 1;
    const std::string message =
        run_error(dynamic, {{dynamic.inputs()[0].name, Tensor::allocate(DType::Float32, batch_shape)}});
    INFO(message);
    CHECK(contains(message, "[batch,"));
  }
  // A failed run leaves the session usable.
  testing::check_close(session.run({{name, good}})[0].tensor, fixture_npy("cifar_classifier", "output_0.npy"));
}

TEST_CASE("session: dynamic batch re-plans and matches PyTorch at each size") {
  const Session session = open("dynamic_batch_cnn");
  const std::string name = session.inputs()[0].name;
  std::size_t arena_batch1 = 0, arena_batch7 = 0;
  // 2, 7, 1, then 2 again: a cached plan is reused after others were made.
  const std::vector<std::pair<std::string, std::int64_t>> cases{{"", 2}, {"_batch7", 7}, {"_batch1", 1}, {"", 2}};
  for (const auto& [suffix, batch] : cases) {
    INFO("case '" << suffix << "'");
    const Tensor input = fixture_npy("dynamic_batch_cnn", "input_0" + suffix + ".npy");
    REQUIRE(input.shape()[0] == batch);
    const Tensor expected = fixture_npy("dynamic_batch_cnn", "output_0" + suffix + ".npy");
    const auto outputs = session.run({{name, input}});
    REQUIRE(outputs.size() == 1);
    CHECK(outputs[0].tensor.shape()[0] == input.shape()[0]);
    testing::check_close(outputs[0].tensor, expected);
    CHECK(session.arena_bytes() > 0);
    if (input.shape()[0] == 1) arena_batch1 = session.arena_bytes();
    if (input.shape()[0] == 7) arena_batch7 = session.arena_bytes();
  }
  // arena_bytes() follows the most recent shapes.
  CHECK(arena_batch7 > arena_batch1);
}

TEST_CASE("session: concurrent runs on one Session") {
  // Four threads, two of them on the same batch size (so they share a plan
  // and its arena pool), the others forcing re-plans while runs are in flight.
  for (int threads : {1, 2}) {
    const Session session = open("dynamic_batch_cnn", threads);
    const std::string name = session.inputs()[0].name;
    const std::vector<std::string> suffixes{"_batch1", "_batch7", "", "_batch7"};
    std::vector<Tensor> inputs, expected;
    for (const std::string& suffix : suffixes) {
      inputs.push_back(fixture_npy("dynamic_batch_cnn", "input_0" + suffix + ".npy"));
      expected.push_back(fixture_npy("dynamic_batch_cnn", "output_0" + suffix + ".npy"));
    }
    constexpr int kRounds = 8;
    std::vector<std::vector<Tensor>> results(suffixes.size());
    std::vector<std::string> errors(suffixes.size());
    std::vector<std::thread> workers;
    for (std::size_t t = 0; t < suffixes.size(); ++t)
      workers.emplace_back([&, t] {
        try {
          for (int round = 0; round < kRounds; ++round) results[t].push_back(session.run({{name, inputs[t]}})[0].tensor);
        } catch (const std::exception& e) {
          errors[t] = e.what();
        }
      });
    for (std::thread& worker : workers) worker.join();
    // doctest assertions are checked here, on the main thread.
    for (std::size_t t = 0; t < suffixes.size(); ++t) {
      INFO("session threads " << threads << ", runner " << t << " case '" << suffixes[t] << "'");
      CHECK(errors[t].empty());
      REQUIRE(results[t].size() == kRounds);
      for (const Tensor& result : results[t]) testing::check_close(result, expected[t]);
      // Every round of one runner computed exactly the same bytes.
      for (const Tensor& result : results[t]) CHECK(same_bytes(result, results[t][0]));
    }
  }
}

TEST_CASE("session: one thread and two threads give identical results") {
  for (const std::string name : {"cifar_classifier", "resnet_basic_block", "dynamic_batch_cnn"}) {
    INFO("fixture " << name);
    const Session one = open(name, 1);
    const Session two = open(name, 2);
    CHECK(one.threads() == 1);
    CHECK(two.threads() == 2);
    const std::vector<NamedTensor> inputs{{one.inputs()[0].name, fixture_npy(name, "input_0.npy")}};
    const auto a = one.run(inputs);
    const auto b = two.run(inputs);
    REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i) CHECK(same_bytes(a[i].tensor, b[i].tensor));
  }
}

TEST_CASE("session: thread options") {
  const fs::path path = fixture("cifar_classifier") / "model.onnx";
  for (int bad : {-1, -100}) {
    std::string message;
    try {
      Session(path.string(), SessionOptions{bad, ""});
    } catch (const Error& e) {
      message = e.what();
    }
    INFO(message);
    CHECK(contains(message, "threads"));
    CHECK(contains(message, std::to_string(bad)));
  }
  CHECK(Session(path.string(), SessionOptions{0, ""}).threads() >= 1);
  CHECK(Session(path.string(), SessionOptions{3, ""}).threads() == 3);
}

TEST_CASE("session: a moved-from session's replacement keeps working") {
  Session session = open("cifar_classifier");
  Session moved = std::move(session);
  const auto outputs = moved.run({{moved.inputs()[0].name, fixture_npy("cifar_classifier", "input_0.npy")}});
  testing::check_close(outputs[0].tensor, fixture_npy("cifar_classifier", "output_0.npy"));
}

TEST_CASE("session: an empty (default-constructed) Tensor is rejected, never read") {
  // Tensor() has rank 0 like a scalar but holds no element.
  testing::ModelBuilder scalar;
  scalar.input("x", testing::FLOAT, {}).node("Add", {"x", "x"}, {"y"}, "add").output("y");
  testing::ModelBuilder shapeless;
  shapeless.input_without_shape("x", testing::FLOAT).node("Relu", {"x"}, {"y"}, "relu").output("y");
  for (testing::ModelBuilder* builder : {&scalar, &shapeless}) {
    const std::string bytes = builder->bytes();
    const Session session = Session::from_bytes(bytes.data(), bytes.size());
    const std::string message = run_error(session, {{"x", Tensor()}});
    INFO(message);
    CHECK(contains(message, "'x'"));
    CHECK(contains(message, "empty"));
    const auto outputs = session.run({{"x", Tensor::from_values<float>({}, {1.5f})}});
    CHECK(outputs[0].tensor.shape() == Shape{});
    CHECK(outputs[0].tensor.data_as<float>()[0] == (builder == &scalar ? 3.0f : 1.5f));
  }
}

TEST_CASE("session: a batch of zero gives an empty output") {
  const Session session = open("dynamic_batch_cnn");
  Shape shape = fixture_npy("dynamic_batch_cnn", "input_0.npy").shape();
  shape[0] = 0;
  const auto outputs = session.run({{session.inputs()[0].name, Tensor::allocate(DType::Float32, shape)}});
  REQUIRE(outputs.size() == 1);
  CHECK(outputs[0].tensor.shape()[0] == 0);
  CHECK(outputs[0].tensor.element_count() == 0);
}

TEST_CASE("session: results kept by the caller are never overwritten by later runs; dropped ones are reused") {
  const Session session = open("cifar_classifier");
  const Tensor input = fixture_npy("cifar_classifier", "input_0.npy");
  const Tensor expected = fixture_npy("cifar_classifier", "output_0.npy");
  const std::string name = session.inputs()[0].name;

  auto first = session.run({{name, input}});
  const std::vector<float> first_values(first[0].tensor.data_as<float>(),
                                        first[0].tensor.data_as<float>() + first[0].tensor.element_count());
  // A different input: the second run's result must land in other memory.
  Tensor other = Tensor::allocate(DType::Float32, input.shape());
  for (std::int64_t i = 0; i < other.element_count(); ++i) other.mutable_data_as<float>()[i] = 0.5f;
  auto second = session.run({{name, other}});
  CHECK(second[0].tensor.data() != first[0].tensor.data());
  CHECK(std::memcmp(first[0].tensor.data(), first_values.data(), first[0].tensor.byte_size()) == 0);
  testing::check_close(first[0].tensor, expected);

  // Once the caller drops a result, its buffer serves a later run, which
  // writes every element of it again.
  const void* dropped = first[0].tensor.data();
  first.clear();
  const auto third = session.run({{name, input}});
  CHECK(third[0].tensor.data() == dropped);
  testing::check_close(third[0].tensor, expected);
}
