#pragma once
// A small fluent way for tests to build ONNX models in C++ (valid ones and
// deliberately broken ones), serialize them, and write them to disk:
//
//   ModelBuilder model;                       // IR 8, default-domain opset 17
//   model.input("X", FLOAT, {"batch", 3})
//        .initializer(raw_tensor<float>("B", {3}, {1, 2, 3}))
//        .node("Add", {"X", "B"}, {"Y"}, "add")
//        .output("Y");
//   Session session = Session::from_bytes(...model.bytes()...);
//
// Everything stays reachable through proto() so a test can break any field
// the builder does not cover. Header-only; tests link onnx_proto.
#include <atomic>
#include <concepts>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "onnx/onnx_pb.h"

namespace onnxrun::testing {

// The element types tests use most, so that calls read "FLOAT", not the enum path.
inline constexpr int FLOAT = onnx::TensorProto::FLOAT;
inline constexpr int DOUBLE = onnx::TensorProto::DOUBLE;
inline constexpr int INT32 = onnx::TensorProto::INT32;
inline constexpr int INT64 = onnx::TensorProto::INT64;
inline constexpr int UINT8 = onnx::TensorProto::UINT8;
inline constexpr int BOOL = onnx::TensorProto::BOOL;
inline constexpr int FLOAT16 = onnx::TensorProto::FLOAT16;
inline constexpr int STRING = onnx::TensorProto::STRING;

template <class T> constexpr int onnx_type_of();
template <> constexpr int onnx_type_of<float>() { return FLOAT; }
template <> constexpr int onnx_type_of<double>() { return DOUBLE; }
template <> constexpr int onnx_type_of<std::int32_t>() { return INT32; }
template <> constexpr int onnx_type_of<std::int64_t>() { return INT64; }
template <> constexpr int onnx_type_of<std::uint8_t>() { return UINT8; }

// One declared dimension of a graph input or output: a number or a symbol.
// The integral template makes a literal 0 a number rather than a null pointer.
struct Dim {
  template <std::integral I> Dim(I v) : value(static_cast<std::int64_t>(v)) {}
  Dim(const char* symbol) : symbol(symbol) {}
  Dim(std::string symbol) : symbol(std::move(symbol)) {}
  std::int64_t value = -1;
  std::string symbol;
};

// A tensor header without data: the test fills whichever field it is about.
inline onnx::TensorProto tensor_proto(const std::string& name, int elem_type, const std::vector<std::int64_t>& dims) {
  onnx::TensorProto tensor;
  tensor.set_name(name);
  tensor.set_data_type(elem_type);
  for (std::int64_t d : dims) tensor.add_dims(d);
  return tensor;
}

// Data in raw_data, byte for byte as given (which may disagree with the dims).
inline onnx::TensorProto raw_bytes_tensor(const std::string& name, int elem_type, const std::vector<std::int64_t>& dims,
                                          const std::string& bytes) {
  onnx::TensorProto tensor = tensor_proto(name, elem_type, dims);
  tensor.set_raw_data(bytes);
  return tensor;
}

// The little-endian bytes of the values, as raw_data and external files hold them.
template <class T>
std::string to_bytes(const std::vector<T>& values) {
  std::string bytes(values.size() * sizeof(T), '\0');
  if (!values.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

template <class T>
onnx::TensorProto raw_tensor(const std::string& name, const std::vector<std::int64_t>& dims,
                             const std::vector<T>& values) {
  return raw_bytes_tensor(name, onnx_type_of<T>(), dims, to_bytes(values));
}

// Data in the typed repeated field ONNX uses for T (float_data, int64_data, ...).
template <class T>
onnx::TensorProto typed_tensor(const std::string& name, const std::vector<std::int64_t>& dims,
                               const std::vector<T>& values) {
  onnx::TensorProto tensor = tensor_proto(name, onnx_type_of<T>(), dims);
  for (T v : values) {
    if constexpr (std::is_same_v<T, float>) tensor.add_float_data(v);
    else if constexpr (std::is_same_v<T, double>) tensor.add_double_data(v);
    else if constexpr (std::is_same_v<T, std::int64_t>) tensor.add_int64_data(v);
    else tensor.add_int32_data(v);  // int32, and uint8 widened as ONNX stores it
  }
  return tensor;
}

// A tensor whose data lives in `location`, relative to the model's folder.
// Negative offset/length leave that key out.
inline onnx::TensorProto external_tensor(const std::string& name, int elem_type, const std::vector<std::int64_t>& dims,
                                         const std::string& location, std::int64_t offset = -1,
                                         std::int64_t length = -1) {
  onnx::TensorProto tensor = tensor_proto(name, elem_type, dims);
  tensor.set_data_location(onnx::TensorProto::EXTERNAL);
  auto add = [&](const char* key, const std::string& value) {
    onnx::StringStringEntryProto* entry = tensor.add_external_data();
    entry->set_key(key);
    entry->set_value(value);
  };
  add("location", location);
  if (offset >= 0) add("offset", std::to_string(offset));
  if (length >= 0) add("length", std::to_string(length));
  return tensor;
}

// Attributes, for ModelBuilder::node.
inline onnx::AttributeProto attr_int(const std::string& name, std::int64_t v) {
  onnx::AttributeProto a;
  a.set_name(name);
  a.set_type(onnx::AttributeProto::INT);
  a.set_i(v);
  return a;
}
inline onnx::AttributeProto attr_float(const std::string& name, float v) {
  onnx::AttributeProto a;
  a.set_name(name);
  a.set_type(onnx::AttributeProto::FLOAT);
  a.set_f(v);
  return a;
}
inline onnx::AttributeProto attr_string(const std::string& name, const std::string& v) {
  onnx::AttributeProto a;
  a.set_name(name);
  a.set_type(onnx::AttributeProto::STRING);
  a.set_s(v);
  return a;
}
inline onnx::AttributeProto attr_ints(const std::string& name, const std::vector<std::int64_t>& v) {
  onnx::AttributeProto a;
  a.set_name(name);
  a.set_type(onnx::AttributeProto::INTS);
  for (std::int64_t x : v) a.add_ints(x);
  return a;
}
inline onnx::AttributeProto attr_floats(const std::string& name, const std::vector<float>& v) {
  onnx::AttributeProto a;
  a.set_name(name);
  a.set_type(onnx::AttributeProto::FLOATS);
  for (float x : v) a.add_floats(x);
  return a;
}
inline onnx::AttributeProto attr_tensor(const std::string& name, const onnx::TensorProto& v) {
  onnx::AttributeProto a;
  a.set_name(name);
  a.set_type(onnx::AttributeProto::TENSOR);
  *a.mutable_t() = v;
  return a;
}

// Writes bytes to a file, creating its folder; throws std::runtime_error on failure.
inline void write_file(const std::filesystem::path& path, const std::string& bytes) {
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  std::ofstream stream(path, std::ios::binary | std::ios::trunc);
  stream.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!stream) throw std::runtime_error("cannot write " + path.string());
}

class ModelBuilder {
 public:
  // IR 8 and opset 17 are what current PyTorch exports by default.
  explicit ModelBuilder(std::int64_t opset = 17, std::int64_t ir_version = 8) {
    model_.set_ir_version(ir_version);
    model_.set_producer_name("onnxrun tests");
    model_.mutable_graph()->set_name("test_graph");
    this->opset(opset);
  }

  ModelBuilder& ir_version(std::int64_t version) {
    model_.set_ir_version(version);
    return *this;
  }
  // Sets the import of `domain` ("" is the default domain), adding it if new.
  ModelBuilder& opset(std::int64_t version, const std::string& domain = "") {
    for (onnx::OperatorSetIdProto& import : *model_.mutable_opset_import())
      if (import.domain() == domain) {
        import.set_version(version);
        return *this;
      }
    onnx::OperatorSetIdProto* import = model_.add_opset_import();
    import->set_domain(domain);
    import->set_version(version);
    return *this;
  }
  ModelBuilder& clear_opsets() {
    model_.clear_opset_import();
    return *this;
  }

  ModelBuilder& input(const std::string& name, int elem_type, const std::vector<Dim>& dims) {
    fill_value_info(*graph().add_input(), name, elem_type, &dims);
    return *this;
  }
  // An input whose type carries no shape at all (rank unknown).
  ModelBuilder& input_without_shape(const std::string& name, int elem_type) {
    fill_value_info(*graph().add_input(), name, elem_type, nullptr);
    return *this;
  }
  // Outputs usually need no declared type: the runtime infers it.
  ModelBuilder& output(const std::string& name) {
    graph().add_output()->set_name(name);
    return *this;
  }
  ModelBuilder& output(const std::string& name, int elem_type, const std::vector<Dim>& dims) {
    fill_value_info(*graph().add_output(), name, elem_type, &dims);
    return *this;
  }
  ModelBuilder& initializer(const onnx::TensorProto& tensor) {
    *graph().add_initializer() = tensor;
    return *this;
  }
  ModelBuilder& node(const std::string& op_type, const std::vector<std::string>& inputs,
                     const std::vector<std::string>& outputs, const std::string& name = "",
                     const std::vector<onnx::AttributeProto>& attributes = {}, const std::string& domain = "") {
    onnx::NodeProto* node = graph().add_node();
    node->set_op_type(op_type);
    node->set_name(name);
    if (!domain.empty()) node->set_domain(domain);
    for (const std::string& in : inputs) node->add_input(in);
    for (const std::string& out : outputs) node->add_output(out);
    for (const onnx::AttributeProto& attribute : attributes) *node->add_attribute() = attribute;
    return *this;
  }

  onnx::ModelProto& proto() { return model_; }
  const onnx::ModelProto& proto() const { return model_; }
  onnx::GraphProto& graph() { return *model_.mutable_graph(); }

  std::string bytes() const {
    std::string out;
    if (!model_.SerializeToString(&out)) throw std::runtime_error("ModelBuilder: serialization failed");
    return out;
  }
  // Writes the model to `path` (creating its folder) and returns the path.
  std::filesystem::path write(const std::filesystem::path& path) const {
    write_file(path, bytes());
    return path;
  }

 private:
  static void fill_value_info(onnx::ValueInfoProto& info, const std::string& name, int elem_type,
                              const std::vector<Dim>* dims) {
    info.set_name(name);
    onnx::TypeProto_Tensor* tensor_type = info.mutable_type()->mutable_tensor_type();
    tensor_type->set_elem_type(elem_type);
    if (!dims) return;
    onnx::TensorShapeProto* shape = tensor_type->mutable_shape();
    for (const Dim& dim : *dims) {
      onnx::TensorShapeProto_Dimension* d = shape->add_dim();
      if (!dim.symbol.empty()) d->set_dim_param(dim.symbol);
      else if (dim.value >= 0) d->set_dim_value(dim.value);
      // Dim(-1): neither field set, the way exporters write "unknown".
    }
  }

  onnx::ModelProto model_;
};

// A fresh, empty folder under the system temp folder, removed with everything
// in it when the object dies, so tests never see each other's files.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "onnxrun_test") {
    static std::atomic<unsigned> counter{0};
    std::random_device random;
    const std::filesystem::path base = std::filesystem::temp_directory_path();
    for (int attempt = 0; attempt < 100; ++attempt) {
      const std::filesystem::path candidate =
          base / (prefix + "_" + std::to_string(random()) + "_" + std::to_string(counter++));
      if (std::filesystem::create_directory(candidate)) {
        path_ = candidate;
        return;
      }
    }
    throw std::runtime_error("TempDir: cannot create a folder under " + base.string());
  }
  ~TempDir() {
    std::error_code ignored;  // a destructor must not throw; a leftover folder is harmless
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::filesystem::path& child) const { return path_ / child; }

 private:
  std::filesystem::path path_;
};

}  // namespace onnxrun::testing
