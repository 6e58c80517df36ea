// Tests for the ONNX frontend through the public Session API: models built
// here in C++, good ones computed exactly, bad ones refused with an
// onnxrun::Error that says what is wrong and where (never a crash, never a
// huge allocation).
#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <vector>

#include "onnxrun/onnxrun.hpp"
#include "tests/support/model_builder.hpp"

using namespace onnxrun;
using namespace onnxrun::testing;
namespace fs = std::filesystem;

namespace {

// One thread: these models are tiny, and the machine is shared.
SessionOptions options(const std::string& external_data_dir = "") {
  SessionOptions o;
  o.threads = 1;
  o.external_data_dir = external_data_dir;
  return o;
}

Session load(const ModelBuilder& model, const SessionOptions& o = options()) {
  const std::string bytes = model.bytes();
  return Session::from_bytes(bytes.data(), bytes.size(), o);
}

// The message of the onnxrun::Error that loading throws; any other exception
// escapes and fails the test, as does loading successfully.
std::string load_error(const std::string& bytes, const SessionOptions& o = options()) {
  try {
    Session::from_bytes(bytes.data(), bytes.size(), o);
  } catch (const Error& error) {
    return error.what();
  }
  FAIL_CHECK("the model loaded, but an onnxrun::Error was expected");
  return "";
}
std::string load_error(const ModelBuilder& model, const SessionOptions& o = options()) {
  return load_error(model.bytes(), o);
}
std::string file_error(const fs::path& path) {
  try {
    Session session(path.string(), options());
  } catch (const Error& error) {
    return error.what();
  }
  FAIL_CHECK("'" << path.string() << "' loaded, but an onnxrun::Error was expected");
  return "";
}

void check_mentions(const std::string& message, std::initializer_list<std::string> parts) {
  INFO("message: " << message);
  for (const std::string& part : parts) CHECK_MESSAGE(message.find(part) != std::string::npos, "missing: " << part);
}

template <class T>
std::vector<T> values(const Tensor& tensor) {
  const T* data = tensor.data_as<T>();
  return std::vector<T>(data, data + tensor.element_count());
}

// initializer -> Identity -> Y: decodes one tensor through the whole loader.
ModelBuilder identity_of(const onnx::TensorProto& tensor) {
  ModelBuilder model;
  model.initializer(tensor).node("Identity", {tensor.name()}, {"Y"}, "id").output("Y");
  return model;
}
Tensor decoded(const onnx::TensorProto& tensor) { return load(identity_of(tensor)).run({}).at(0).tensor; }

// X [2,3] + B -> Relu -> Y, with relu(x + b) = {0, 0, 1.5, 3, 3, 0}.
ModelBuilder add_relu_model(const onnx::TensorProto& bias = raw_tensor<float>("B", {3}, {1, -2, 0.5f})) {
  ModelBuilder model;
  model.input("X", FLOAT, {2, 3})
      .initializer(bias)
      .node("Add", {"X", bias.name()}, {"S"}, "add")
      .node("Relu", {"S"}, {"Y"}, "relu")
      .output("Y", FLOAT, {2, 3});
  return model;
}
const std::vector<float> kAddReluX = {-3, 0, 1, 2, 5, -1};
const std::vector<float> kAddReluY = {0, 0, 1.5f, 3, 3, 0};

std::vector<float> run_add_relu(const Session& session) {
  std::vector<NamedTensor> out = session.run({{"X", Tensor::from_values<float>({2, 3}, kAddReluX)}});
  REQUIRE(out.size() == 1);
  CHECK(out[0].name == "Y");
  CHECK(out[0].tensor.shape() == Shape{2, 3});
  return values<float>(out[0].tensor);
}

}  // namespace

// ---------------------------------------------------------------- valid models

TEST_CASE("frontend: a valid Add+Relu model loads from bytes and from a file and computes") {
  const ModelBuilder model = add_relu_model();
  SUBCASE("from bytes") {
    const Session session = load(model);
    REQUIRE(session.inputs().size() == 1);
    CHECK(session.inputs()[0].name == "X");
    CHECK(session.inputs()[0].shape == Shape{2, 3});
    REQUIRE(session.outputs().size() == 1);
    CHECK(session.outputs()[0].dtype == DType::Float32);
    CHECK(run_add_relu(session) == kAddReluY);
  }
  SUBCASE("from a file") {
    TempDir dir;
    const Session session(model.write(dir / "model.onnx").string(), options());
    CHECK(run_add_relu(session) == kAddReluY);
  }
}

TEST_CASE("frontend: a Conv with typed weights computes") {
  ModelBuilder model;
  model.input("X", FLOAT, {1, 1, 3, 3})
      .initializer(typed_tensor<float>("W", {1, 1, 2, 2}, {1, 0, 0, 1}))
      .initializer(typed_tensor<float>("B", {1}, {10}))
      .node("Conv", {"X", "W", "B"}, {"Y"}, "conv")
      .output("Y");
  const Session session = load(model);
  const auto out = session.run({{"X", Tensor::from_values<float>({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9})}});
  CHECK(out.at(0).tensor.shape() == Shape{1, 1, 2, 2});
  CHECK(values<float>(out.at(0).tensor) == std::vector<float>{16, 18, 22, 24});  // x[i][j] + x[i+1][j+1] + 10
}

// ---------------------------------------------------------------- versions

TEST_CASE("frontend: IR versions outside 3..10 are refused, the bounds accepted") {
  for (std::int64_t ir : {0, 2, 11, 99}) {
    CAPTURE(ir);
    check_mentions(load_error(add_relu_model().ir_version(ir)),
                   {"<model bytes>", "IR version " + std::to_string(ir) + " is not supported", "3 to 10"});
  }
  for (std::int64_t ir : {3, 10}) {
    CAPTURE(ir);
    CHECK(run_add_relu(load(add_relu_model().ir_version(ir))) == kAddReluY);
  }
}

TEST_CASE("frontend: the default-domain opset must be imported and within 1..21") {
  check_mentions(load_error(add_relu_model().clear_opsets().opset(1, "com.microsoft")),
                 {"imports no opset of the default ONNX domain"});
  check_mentions(load_error(add_relu_model().clear_opsets()), {"imports no opset of the default ONNX domain"});
  for (std::int64_t opset : {22, 1000}) {
    CAPTURE(opset);
    check_mentions(load_error(add_relu_model().opset(opset)),
                   {"opset " + std::to_string(opset) + " is not supported", "opsets 1 to 21"});
  }
  // Old opsets load; ops whose early versions differ (Add before 7 had a
  // broadcast attribute) are reported per node.
  for (std::int64_t opset : {1, 6}) {
    CAPTURE(opset);
    check_mentions(load_error(add_relu_model().opset(opset)), {"(Add) at opset " + std::to_string(opset)});
  }
  for (std::int64_t opset : {7, 21}) CHECK(run_add_relu(load(add_relu_model().opset(opset))) == kAddReluY);
  // "ai.onnx" is the default domain spelled out.
  CHECK(run_add_relu(load(add_relu_model().clear_opsets().opset(13, "ai.onnx"))) == kAddReluY);
}

// ---------------------------------------------------------------- bytes and files

TEST_CASE("frontend: garbage, truncated and empty input is refused") {
  const std::string good = add_relu_model().bytes();
  check_mentions(load_error(std::string("this is not an onnx model")), {"<model bytes>", "protobuf parsing failed"});
  check_mentions(load_error(good.substr(0, good.size() / 2)), {"protobuf parsing failed"});
  check_mentions(load_error(good.substr(0, good.size() - 1)), {"protobuf parsing failed"});
  check_mentions(load_error(std::string()), {"<model bytes>", "no graph"});

  TempDir dir;
  write_file(dir / "truncated.onnx", good.substr(0, good.size() / 2));
  check_mentions(file_error(dir / "truncated.onnx"), {"truncated.onnx", "protobuf parsing failed"});
  write_file(dir / "empty.onnx", "");
  check_mentions(file_error(dir / "empty.onnx"), {"empty.onnx", "no graph"});
  check_mentions(file_error(dir.path()), {dir.path().string(), "is a directory"});
  check_mentions(file_error(dir / "missing.onnx"), {"missing.onnx", "no such file"});
}

// ---------------------------------------------------------------- tensor decoding

namespace {

// The same values must come back from raw_data and from T's typed field
// (uint8 travels widened in int32_data); values<T> also checks the dtype.
template <class T>
void check_decodes_both_ways(const std::vector<T>& v) {
  CAPTURE(dtype_name(dtype_of<T>()));
  const std::vector<std::int64_t> dims = {static_cast<std::int64_t>(v.size())};
  CHECK(values<T>(decoded(raw_tensor<T>("C", dims, v))) == v);
  CHECK(values<T>(decoded(typed_tensor<T>("C", dims, v))) == v);
}

}  // namespace

TEST_CASE("frontend: initializers decode from raw_data and from every typed field") {
  check_decodes_both_ways<float>({1.5f, -2, 3, 4});
  check_decodes_both_ways<double>({0.25, -1e300});
  check_decodes_both_ways<std::int32_t>({-7, 1 << 30});
  check_decodes_both_ways<std::int64_t>({-(std::int64_t{1} << 40), std::int64_t{1} << 40});
  check_decodes_both_ways<std::uint8_t>({0, 128, 255});

  const Tensor raw_flags = decoded(raw_bytes_tensor("C", BOOL, {3}, std::string("\x01\x00\x01", 3)));
  CHECK(values<bool>(raw_flags) == std::vector<bool>{true, false, true});
  onnx::TensorProto flags = tensor_proto("C", BOOL, {2, 2});
  for (int v : {1, 0, 0, 1}) flags.add_int32_data(v);
  const Tensor typed_flags = decoded(flags);
  CHECK(typed_flags.shape() == Shape{2, 2});
  CHECK(values<bool>(typed_flags) == std::vector<bool>{true, false, false, true});

  const Tensor scalar = decoded(typed_tensor<float>("C", {}, {3.5f}));
  CHECK(scalar.shape() == Shape{});
  CHECK(values<float>(scalar) == std::vector<float>{3.5f});
  CHECK(decoded(tensor_proto("C", FLOAT, {2, 0})).shape() == Shape{2, 0});  // empty: no data needed
}

TEST_CASE("frontend: tensor data that disagrees with its shape is refused") {
  check_mentions(load_error(identity_of(raw_bytes_tensor("W", FLOAT, {2, 2}, std::string(12, '\0')))),
                 {"initializer 'W'", "raw_data holds 12 bytes", "[2,2]", "needs 16"});
  check_mentions(load_error(identity_of(typed_tensor<float>("W", {2, 2}, {1, 2, 3}))),
                 {"initializer 'W'", "float_data holds 3 values", "[2,2]", "needs 4"});
  check_mentions(load_error(identity_of(typed_tensor<std::int64_t>("W", {2, 2}, {1, 2, 3, 4, 5}))),
                 {"initializer 'W'", "int64_data holds 5 values"});
  check_mentions(load_error(identity_of(typed_tensor<double>("W", {3}, {1}))), {"double_data holds 1 values"});
  check_mentions(load_error(identity_of(typed_tensor<std::int32_t>("W", {1}, {1, 2}))), {"int32_data holds 2 values"});
  // A scalar with no data at all is one missing value, not an empty tensor.
  check_mentions(load_error(identity_of(tensor_proto("W", FLOAT, {}))), {"float_data holds 0 values", "[]", "needs 1"});
}

TEST_CASE("frontend: huge declared shapes with tiny data are refused before allocating") {
  // Each of these would need 64 GiB or more; a decoder that allocated before
  // checking the data would die here instead of throwing.
  const std::int64_t huge = std::int64_t{1} << 40;
  check_mentions(load_error(identity_of(raw_bytes_tensor("H", FLOAT, {huge, huge}, std::string(4, '\0')))),
                 {"initializer 'H'", "overflows 64 bits"});
  const std::int64_t n = std::int64_t{1} << 34;  // 64 GiB of float32: just at the size limit
  check_mentions(load_error(identity_of(raw_bytes_tensor("H", FLOAT, {n}, std::string(4, '\0')))),
                 {"initializer 'H'", "raw_data holds 4 bytes", "needs 68719476736"});
  check_mentions(load_error(identity_of(typed_tensor<float>("H", {n}, {1}))),
                 {"initializer 'H'", "float_data holds 1 values", "needs 17179869184"});
  check_mentions(load_error(identity_of(typed_tensor<float>("H", {2 * n}, {1}))), {"more than the limit"});
  TempDir dir;
  write_file(dir / "w.bin", std::string(16, '\0'));
  check_mentions(load_error(identity_of(external_tensor("H", FLOAT, {n}, "w.bin")), options(dir.path().string())),
                 {"initializer 'H'", "holds 16 bytes after offset 0", "68719476736 are declared"});
}

TEST_CASE("frontend: negative dims, unsupported types and invalid bools are refused") {
  check_mentions(load_error(identity_of(raw_bytes_tensor("N", FLOAT, {-1, 2}, ""))),
                 {"initializer 'N'", "negative dimension", "[-1,2]"});
  ModelBuilder negative_input;
  negative_input.input("X", FLOAT, {2, 2}).node("Relu", {"X"}, {"Y"}, "relu").output("Y");
  onnx::TensorShapeProto* shape =
      negative_input.graph().mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape();
  shape->mutable_dim(1)->set_dim_value(-5);
  check_mentions(load_error(negative_input), {"graph input 'X'", "dimension 1 as -5", "cannot be negative"});

  check_mentions(load_error(identity_of(raw_bytes_tensor("H", FLOAT16, {2}, std::string(4, '\0')))),
                 {"initializer 'H'", "FLOAT16", "not supported"});
  onnx::TensorProto text = tensor_proto("S", STRING, {1});
  text.add_string_data("hello");
  check_mentions(load_error(identity_of(text)), {"initializer 'S'", "STRING", "not supported"});
  ModelBuilder half_input;
  half_input.input("X", FLOAT16, {2}).node("Relu", {"X"}, {"Y"}, "relu").output("Y");
  check_mentions(load_error(half_input), {"graph input 'X'", "FLOAT16", "not supported"});

  check_mentions(load_error(identity_of(raw_bytes_tensor("F", BOOL, {2}, std::string("\x00\x02", 2)))),
                 {"initializer 'F'", "BOOL", "value 2"});
  onnx::TensorProto flags = tensor_proto("F", BOOL, {2});
  flags.add_int32_data(1);
  flags.add_int32_data(-1);
  check_mentions(load_error(identity_of(flags)), {"initializer 'F'", "value -1 is out of range for bool"});
  onnx::TensorProto wide = tensor_proto("U", UINT8, {1});
  wide.add_int32_data(256);
  check_mentions(load_error(identity_of(wide)), {"initializer 'U'", "value 256 is out of range for uint8"});
}

// ---------------------------------------------------------------- external data

namespace {

// X [2,2] + W -> Y, W from external data; y = x + {1, 2, 3, 4}.
ModelBuilder external_add(const onnx::TensorProto& weight) {
  ModelBuilder model;
  model.input("X", FLOAT, {2, 2}).initializer(weight).node("Add", {"X", "W"}, {"Y"}, "add").output("Y");
  return model;
}
const std::string kWeightBytes = to_bytes(std::vector<float>{1, 2, 3, 4});

std::vector<float> run_external_add(const Session& session) {
  const auto out = session.run({{"X", Tensor::from_values<float>({2, 2}, {10, 20, 30, 40})}});
  return values<float>(out.at(0).tensor);
}
const std::vector<float> kExternalY = {11, 22, 33, 44};

}  // namespace

TEST_CASE("frontend: external data beside the model loads, with offset and length") {
  TempDir dir;
  // 8 bytes before and 4 after, so that offset and length both matter.
  write_file(dir / "weights.bin", std::string(8, '\x7f') + kWeightBytes + std::string(4, '\x7f'));
  const ModelBuilder model = external_add(external_tensor("W", FLOAT, {2, 2}, "weights.bin", 8, 16));
  SUBCASE("from a file") {
    CHECK(run_external_add(Session(model.write(dir / "model.onnx").string(), options())) == kExternalY);
  }
  SUBCASE("from bytes, with SessionOptions.external_data_dir") {
    CHECK(run_external_add(load(model, options(dir.path().string()))) == kExternalY);
  }
  SUBCASE("from bytes, without SessionOptions.external_data_dir") {
    check_mentions(load_error(model), {"initializer 'W'", "'weights.bin'", "SessionOptions.external_data_dir"});
  }
  SUBCASE("in a subfolder, whole file, no offset or length") {
    write_file(dir / "data" / "w.bin", kWeightBytes);
    const ModelBuilder whole = external_add(external_tensor("W", FLOAT, {2, 2}, "data/w.bin"));
    CHECK(run_external_add(Session(whole.write(dir / "model.onnx").string(), options())) == kExternalY);
  }
  SUBCASE("through a symlink that stays inside the folder") {
    fs::create_symlink("weights.bin", dir / "link.bin");
    const ModelBuilder linked = external_add(external_tensor("W", FLOAT, {2, 2}, "link.bin", 8, 16));
    CHECK(run_external_add(load(linked, options(dir.path().string()))) == kExternalY);
  }
}

TEST_CASE("frontend: external data that leaves the folder or the file is refused") {
  // The model lives in root/model; root/secret.bin is outside its folder.
  TempDir root;
  const fs::path model_dir = root / "model";
  write_file(root / "secret.bin", kWeightBytes);
  write_file(model_dir / "weights.bin", std::string(8, '\0') + kWeightBytes + std::string(4, '\0'));  // 28 bytes
  write_file(model_dir / "short.bin", std::string(20, '\0'));
  auto error = [&](const std::string& location, std::int64_t offset = -1, std::int64_t length = -1) {
    const ModelBuilder model = external_add(external_tensor("W", FLOAT, {2, 2}, location, offset, length));
    return file_error(model.write(model_dir / "model.onnx"));
  };

  const std::string absolute = (root / "secret.bin").string();
  check_mentions(error(absolute), {"initializer 'W'", "'" + absolute + "' is absolute"});
  check_mentions(error("../secret.bin"), {"initializer 'W'", "'../secret.bin' leaves the model's folder"});
  check_mentions(error("sub/../../secret.bin"), {"leaves the model's folder"});
  fs::create_symlink(root / "secret.bin", model_dir / "escape.bin");
  check_mentions(error("escape.bin"), {"initializer 'W'", "'escape.bin'", "outside the model's folder"});
  fs::create_directories(root / "outside");
  write_file(root / "outside" / "w.bin", kWeightBytes);
  fs::create_directory_symlink(root / "outside", model_dir / "linked_dir");
  check_mentions(error("linked_dir/w.bin"), {"outside the model's folder"});

  check_mentions(error("weights.bin", 100),
                 {"initializer 'W'", "offset 100 is past the end of 'weights.bin' (28 bytes)"});
  check_mentions(error("short.bin", 8, 16), {"'short.bin' holds 12 bytes after offset 8, but 16 are declared"});
  check_mentions(error("weights.bin", 0, 12), {"external data length 12", "[2,2]", "needs 16"});
  check_mentions(error("missing.bin"), {"initializer 'W'", "external data file 'missing.bin'"});
  check_mentions(error(""), {"empty location"});
  check_mentions(error("."), {"'.' is not a regular file"});

  ModelBuilder model = external_add(external_tensor("W", FLOAT, {2, 2}, "weights.bin"));
  onnx::StringStringEntryProto* offset = model.graph().mutable_initializer(0)->add_external_data();
  offset->set_key("offset");
  for (std::string bad : {"eight", "8 bytes", "", "99999999999999999999999"}) {
    CAPTURE(bad);
    offset->set_value(bad);
    check_mentions(file_error(model.write(model_dir / "model.onnx")),
                   {"initializer 'W'", "offset '" + bad + "' is not a 64-bit integer"});
  }
  offset->set_value("-8");
  check_mentions(file_error(model.write(model_dir / "model.onnx")), {"initializer 'W'", "negative offset"});
}

// ---------------------------------------------------------------- graph structure

TEST_CASE("frontend: graph inputs that have initializers are constants, not runtime inputs") {
  ModelBuilder model;
  model.input("X", FLOAT, {2, 2})
      .input("W", FLOAT, {2, 2})
      .initializer(raw_tensor<float>("W", {2, 2}, {1, 2, 3, 4}))
      .node("Add", {"X", "W"}, {"Y"}, "add")
      .output("Y");
  const Session session = load(model);
  REQUIRE(session.inputs().size() == 1);
  CHECK(session.inputs()[0].name == "X");
  CHECK(run_external_add(session) == kExternalY);
  CHECK_THROWS_AS(session.run({{"X", Tensor::from_values<float>({2, 2}, {0, 0, 0, 0})},
                               {"W", Tensor::from_values<float>({2, 2}, {0, 0, 0, 0})}}),
                  Error);
}

TEST_CASE("frontend: Constant nodes of every value kind feed the next node") {
  // X [2] + Constant -> Y
  auto add_constant = [](int elem_type, const onnx::AttributeProto& value) {
    ModelBuilder model;
    model.input("X", elem_type, {2})
        .node("Constant", {}, {"C"}, "c", {value})
        .node("Add", {"X", "C"}, {"Y"}, "add")
        .output("Y");
    return load(model);
  };
  auto run_float = [](const Session& session) {
    REQUIRE(session.inputs().size() == 1);
    return values<float>(session.run({{"X", Tensor::from_values<float>({2}, {1, 2})}}).at(0).tensor);
  };
  auto run_int = [](const Session& session) {
    REQUIRE(session.inputs().size() == 1);
    return values<std::int64_t>(session.run({{"X", Tensor::from_values<std::int64_t>({2}, {1, 2})}}).at(0).tensor);
  };
  CHECK(run_float(add_constant(FLOAT, attr_tensor("value", typed_tensor<float>("", {2}, {10, 20})))) ==
        std::vector<float>{11, 22});
  CHECK(run_float(add_constant(FLOAT, attr_tensor("value", raw_tensor<float>("", {}, {0.5f})))) ==
        std::vector<float>{1.5f, 2.5f});
  CHECK(run_float(add_constant(FLOAT, attr_float("value_float", 0.5f))) == std::vector<float>{1.5f, 2.5f});
  CHECK(run_float(add_constant(FLOAT, attr_floats("value_floats", {10, 20}))) == std::vector<float>{11, 22});
  CHECK(run_int(add_constant(INT64, attr_int("value_int", 7))) == std::vector<std::int64_t>{8, 9});
  CHECK(run_int(add_constant(INT64, attr_ints("value_ints", {10, 20}))) == std::vector<std::int64_t>{11, 22});

  ModelBuilder text;
  text.node("Constant", {}, {"C"}, "c", {attr_string("value_string", "hi")})
      .node("Identity", {"C"}, {"Y"}, "id")
      .output("Y");
  check_mentions(load_error(text), {"node 'c' (Constant)", "'value_string'", "STRING", "not supported"});
  ModelBuilder two;
  two.node("Constant", {}, {"C"}, "c", {attr_float("value_float", 1), attr_int("value_int", 1)}).output("C");
  check_mentions(load_error(two), {"node 'c' (Constant)", "exactly one value attribute"});
  ModelBuilder bad_tensor;
  bad_tensor.node("Constant", {}, {"C"}, "c", {attr_tensor("value", typed_tensor<float>("", {2}, {1}))}).output("C");
  check_mentions(load_error(bad_tensor), {"node 'c' (Constant)", "attribute 'value'", "float_data holds 1 values"});
}

TEST_CASE("frontend: unsupported ops are all named in one message") {
  ModelBuilder model;
  model.input("X", FLOAT, {1, 4})
      .node("FooOp", {"X"}, {"A"}, "foo")
      .node("Relu", {"A"}, {"B"}, "relu")
      .node("NonMaxSuppression", {"B", "X"}, {"Y"}, "nms")
      .output("Y");
  const std::string message = load_error(model);
  check_mentions(message, {"2 unsupported ops", "node 'foo' (FooOp)", "node 'nms' (NonMaxSuppression)", "opset 17"});
  CHECK(message.find("Relu") == std::string::npos);

  ModelBuilder unimported;
  unimported.input("X", FLOAT, {2}).node("Custom", {"X"}, {"Y"}, "custom", {}, "com.example").output("Y");
  check_mentions(load_error(unimported),
                 {"node 'custom' (com.example.Custom)", "domain 'com.example'", "does not import"});
  unimported.opset(1, "com.example");
  check_mentions(load_error(unimported), {"1 unsupported op", "node 'custom' (com.example.Custom)"});
}

TEST_CASE("frontend: broken graph structure is refused at load") {
  // With a shaped input the session plans at load; with an unshaped one it
  // cannot, and structural errors must still surface at load, not at run.
  for (bool shaped : {true, false}) {
    CAPTURE(shaped);
    auto base = [shaped] {
      ModelBuilder model;
      if (shaped) model.input("X", FLOAT, {2});
      else model.input_without_shape("X", FLOAT);
      return model;
    };
    ModelBuilder ghost = base();
    ghost.node("Add", {"X", "ghost"}, {"Y"}, "add").output("Y");
    check_mentions(load_error(ghost), {"node 'add' (Add) reads 'ghost'", "neither a graph input"});

    ModelBuilder cycle = base();
    cycle.node("Add", {"X", "T2"}, {"T1"}, "add").node("Relu", {"T1"}, {"T2"}, "relu").output("T1");
    check_mentions(load_error(cycle), {"has a cycle through node '"});

    ModelBuilder nowhere = base();
    nowhere.node("Relu", {"X"}, {"Y"}, "relu").output("Y").output("nowhere");
    check_mentions(load_error(nowhere), {"graph output 'nowhere'", "neither a graph input"});

    ModelBuilder twice = base();
    twice.node("Relu", {"X"}, {"Y"}, "relu1").node("Relu", {"X"}, {"Y"}, "relu2").output("Y");
    check_mentions(load_error(twice), {"'Y'", "node 'relu1' (Relu)", "node 'relu2' (Relu)"});

    ModelBuilder constant_twice = base();
    constant_twice.node("Relu", {"X"}, {"Y"}, "relu")
        .node("Constant", {}, {"Y"}, "c", {attr_floats("value_floats", {1, 2})})
        .output("Y");
    check_mentions(load_error(constant_twice), {"'Y'", "node 'relu' (Relu)", "node 'c' (Constant)"});

    ModelBuilder writes_input = base();
    writes_input.input("Z", FLOAT, {2})
        .node("Relu", {"Z"}, {"X"}, "relu")
        .node("Add", {"X", "Z"}, {"Y"}, "add")
        .output("Y");
    check_mentions(load_error(writes_input), {"node 'relu' (Relu) writes 'X'", "graph input"});
  }

  ModelBuilder duplicate;
  duplicate.initializer(raw_tensor<float>("W", {1}, {1})).initializer(raw_tensor<float>("W", {1}, {2})).output("W");
  check_mentions(load_error(duplicate), {"initializer 'W' is defined twice"});

  ModelBuilder writes_initializer;
  writes_initializer.input("X", FLOAT, {1})
      .initializer(raw_tensor<float>("W", {1}, {1}))
      .node("Relu", {"X"}, {"W"}, "relu")
      .output("W");
  check_mentions(load_error(writes_initializer), {"node 'relu' (Relu) writes 'W'", "initializer"});

  ModelBuilder no_outputs;
  no_outputs.input("X", FLOAT, {1}).node("Relu", {"X"}, {"Y"}, "relu");
  check_mentions(load_error(no_outputs), {"no outputs"});
}

TEST_CASE("frontend: symbolic input dims are -1 with their names, and any size runs") {
  ModelBuilder model;
  model.input("X", FLOAT, {"batch", 3, -1}).node("Relu", {"X"}, {"Y"}, "relu").output("Y", FLOAT, {"batch", 3, -1});
  const Session session = load(model);
  REQUIRE(session.inputs().size() == 1);
  CHECK(session.inputs()[0].shape == Shape{-1, 3, -1});
  CHECK(session.inputs()[0].dim_names == std::vector<std::string>{"batch", "", ""});
  CHECK(session.outputs().at(0).shape == Shape{-1, 3, -1});
  CHECK(session.outputs().at(0).dim_names.at(0) == "batch");
  for (std::int64_t batch : {1, 2, 5}) {
    CAPTURE(batch);
    std::vector<float> x(static_cast<std::size_t>(batch * 3 * 2), -1.0f);
    x[0] = 4;
    const auto out = session.run({{"X", Tensor::from_values<float>({batch, 3, 2}, x)}});
    CHECK(out.at(0).tensor.shape() == Shape{batch, 3, 2});
    CHECK(values<float>(out.at(0).tensor)[0] == 4);
    CHECK(values<float>(out.at(0).tensor)[1] == 0);
  }
}
