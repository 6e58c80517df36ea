#include "frontends/onnx/onnx_loader.hpp"

#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>

#include "frontends/onnx/tensor_decoder.hpp"
#include "onnx/onnx_pb.h"

namespace onnxrun {

namespace {

// IR versions 3 (the first with opset imports) through 10 (ONNX 1.16).
constexpr std::int64_t kMinIrVersion = 3;
constexpr std::int64_t kMaxIrVersion = 10;
// Opsets of the default domain we know the semantics of.
constexpr std::int64_t kMinOpset = 1;
constexpr std::int64_t kMaxOpset = 21;
// Protobuf cannot parse messages of 2 GiB or more; such models keep their
// weights in external data.
constexpr std::uintmax_t kMaxModelBytes = std::numeric_limits<int>::max();

bool is_default_domain(const std::string& domain) { return domain.empty() || domain == "ai.onnx"; }

class GraphBuilder {
 public:
  GraphBuilder(std::string source, std::string model_dir) : model_dir_(std::move(model_dir)) {
    graph_.source = std::move(source);
  }

  Graph build(const onnx::ModelProto& model) {
    check_versions(model);
    const onnx::GraphProto& proto = model.graph();
    for (const onnx::TensorProto& initializer : proto.initializer()) add_initializer(initializer);
    if (proto.sparse_initializer_size() > 0) fail("sparse initializers are not supported");
    for (const onnx::ValueInfoProto& input : proto.input()) add_input(input);
    for (const onnx::NodeProto& node : proto.node()) add_node(node);
    for (const onnx::ValueInfoProto& output : proto.output()) add_output(output);
    if (graph_.outputs.empty()) fail("the graph has no outputs");
    // Sessions plan at load only when every input has a shape; a cycle or a
    // read of a value nobody produces must not wait for the first run.
    graph_.topological_order();
    return std::move(graph_);
  }

 private:
  [[noreturn]] void fail(const std::string& message) const { throw Error(graph_.source + ": " + message); }

  void check_versions(const onnx::ModelProto& model) {
    if (!model.has_graph()) fail("not an ONNX model (no graph)");
    const std::int64_t ir = model.ir_version();
    if (ir < kMinIrVersion || ir > kMaxIrVersion)
      fail("IR version " + std::to_string(ir) + " is not supported (onnxrun reads " + std::to_string(kMinIrVersion) +
           " to " + std::to_string(kMaxIrVersion) + ")");
    for (const onnx::OperatorSetIdProto& import : model.opset_import()) {
      const std::string domain = is_default_domain(import.domain()) ? "" : import.domain();
      graph_.opsets[domain] = import.version();
    }
    auto it = graph_.opsets.find("");
    if (it == graph_.opsets.end()) fail("the model imports no opset of the default ONNX domain");
    if (it->second < kMinOpset || it->second > kMaxOpset)
      fail("opset " + std::to_string(it->second) + " is not supported (onnxrun runs opsets " +
           std::to_string(kMinOpset) + " to " + std::to_string(kMaxOpset) + ")");
  }

  void add_initializer(const onnx::TensorProto& proto) {
    if (proto.name().empty()) fail("an initializer has no name");
    const ValueId id = graph_.value_id(proto.name());
    if (graph_.values[id].constant) fail("initializer '" + proto.name() + "' is defined twice");
    Tensor tensor = decode_tensor(proto, model_dir_, graph_.source + ": initializer '" + proto.name() + "'");
    graph_.values[id].dtype = tensor.dtype();
    graph_.values[id].constant = std::move(tensor);
  }

  std::vector<DeclaredDim> declared_dims(const onnx::ValueInfoProto& info, bool& has_shape, DType& dtype,
                                         const std::string& where) {
    has_shape = false;
    if (!info.has_type() || !info.type().has_tensor_type()) fail(where + " is not a tensor");
    const auto& tensor_type = info.type().tensor_type();
    dtype = dtype_from_onnx(tensor_type.elem_type(), graph_.source + ": " + where);
    std::vector<DeclaredDim> dims;
    if (!tensor_type.has_shape()) return dims;
    has_shape = true;
    for (const auto& dim : tensor_type.shape().dim()) {
      DeclaredDim declared;
      if (dim.has_dim_value()) {
        if (dim.dim_value() < 0)
          fail(where + " declares dimension " + std::to_string(dims.size()) + " as " +
               std::to_string(dim.dim_value()) + "; dimensions cannot be negative");
        declared.value = dim.dim_value();
      } else {
        declared.symbol = dim.dim_param();
      }
      dims.push_back(declared);
    }
    return dims;
  }

  void add_input(const onnx::ValueInfoProto& info) {
    const std::string where = "graph input '" + info.name() + "'";
    if (info.name().empty()) fail("a graph input has no name");
    const ValueId id = graph_.value_id(info.name());
    // An input that also has an initializer is a constant with a default
    // value; onnxrun treats it as the constant (as PyTorch exports intend).
    if (graph_.values[id].constant) return;
    for (const GraphInput& existing : graph_.inputs)
      if (existing.value == id) fail(where + " is declared twice");
    GraphInput input;
    input.value = id;
    input.dims = declared_dims(info, input.has_shape, graph_.values[id].dtype, where);
    graph_.inputs.push_back(std::move(input));
    defined_by_[id] = "is a graph input";
  }

  void add_output(const onnx::ValueInfoProto& info) {
    const std::string where = "graph output '" + info.name() + "'";
    const std::optional<ValueId> id = graph_.find_value(info.name());
    // A name that nodes only read is known to the graph but defined by nothing.
    if (!id || (!graph_.values[*id].constant && !defined_by_.count(*id)))
      fail(where + " is neither a graph input, an initializer nor any node's output");
    GraphOutput output;
    output.value = *id;
    DType declared = DType::Float32;
    if (info.has_type()) output.dims = declared_dims(info, output.has_shape, declared, where);
    graph_.outputs.push_back(std::move(output));
  }

  Attribute decode_attribute(const onnx::AttributeProto& proto, const std::string& where) {
    Attribute attribute;
    switch (proto.type()) {
      case onnx::AttributeProto::FLOAT: attribute.kind = Attribute::Kind::Float; attribute.f = proto.f(); break;
      case onnx::AttributeProto::INT: attribute.kind = Attribute::Kind::Int; attribute.i = proto.i(); break;
      case onnx::AttributeProto::STRING: attribute.kind = Attribute::Kind::String; attribute.s = proto.s(); break;
      case onnx::AttributeProto::TENSOR:
        attribute.kind = Attribute::Kind::Tensor;
        attribute.tensor = decode_tensor(proto.t(), model_dir_, where + " attribute '" + proto.name() + "'");
        break;
      case onnx::AttributeProto::FLOATS:
        attribute.kind = Attribute::Kind::Floats;
        attribute.floats.assign(proto.floats().begin(), proto.floats().end());
        break;
      case onnx::AttributeProto::INTS:
        attribute.kind = Attribute::Kind::Ints;
        attribute.ints.assign(proto.ints().begin(), proto.ints().end());
        break;
      case onnx::AttributeProto::STRINGS:
        attribute.kind = Attribute::Kind::Strings;
        attribute.strings.assign(proto.strings().begin(), proto.strings().end());
        break;
      default:
        // Subgraphs and sparse tensors: kept as Unsupported so that an op that
        // reads them fails with a message, and ops that ignore them still load.
        attribute.kind = Attribute::Kind::Unsupported;
        break;
    }
    return attribute;
  }

  void add_node(const onnx::NodeProto& proto) {
    Node node;
    node.name = proto.name().empty() ? proto.op_type() + "_" + std::to_string(graph_.nodes.size()) : proto.name();
    node.op_type = proto.op_type();
    node.domain = is_default_domain(proto.domain()) ? "" : proto.domain();
    const std::string where = graph_.source + ": " + node.describe();
    if (node.op_type.empty()) fail("node '" + node.name + "' has no op type");
    auto opset = graph_.opsets.find(node.domain);
    if (opset == graph_.opsets.end()) fail(node.describe() + " uses domain '" + node.domain + "', which the model does not import");
    node.opset = opset->second;
    for (const onnx::AttributeProto& attribute : proto.attribute()) {
      if (node.attributes.has(attribute.name())) fail(node.describe() + " has attribute '" + attribute.name() + "' twice");
      node.attributes.set(attribute.name(), decode_attribute(attribute, where));
    }
    // Empty names stand for omitted optional inputs and outputs.
    for (const std::string& name : proto.input()) node.inputs.push_back(name.empty() ? kNoValue : graph_.value_id(name));
    std::set<ValueId> seen;
    for (const std::string& name : proto.output()) {
      if (name.empty()) {
        node.outputs.push_back(kNoValue);
        continue;
      }
      const ValueId id = graph_.value_id(name);
      if (!seen.insert(id).second) fail(node.describe() + " lists output '" + name + "' twice");
      // Checked before constants: a Constant node's output is one too.
      auto [definer, inserted] = defined_by_.emplace(id, node.describe() + " also writes");
      if (!inserted) fail(node.describe() + " writes '" + name + "', which " + definer->second);
      if (graph_.values[id].constant) fail(node.describe() + " writes '" + name + "', which is an initializer");
      node.outputs.push_back(id);
    }
    if (is_default_domain(node.domain) && node.op_type == "Constant") {
      fold_constant_node(node, where);
      return;
    }
    graph_.nodes.push_back(std::move(node));
  }

  // A Constant node's value is known now: it becomes a constant value of the
  // graph, exactly like an initializer.
  void fold_constant_node(const Node& node, const std::string& where) {
    if (node.outputs.size() != 1 || node.outputs[0] == kNoValue) fail(node.describe() + " must have one output");
    const auto& all = node.attributes.all();
    if (all.size() != 1) fail(node.describe() + " must have exactly one value attribute");
    const auto& [name, attribute] = *all.begin();
    Tensor value;
    if (name == "value" && attribute.kind == Attribute::Kind::Tensor) value = attribute.tensor;
    else if (name == "value_float" && attribute.kind == Attribute::Kind::Float) value = Tensor::from_values<float>({}, {attribute.f});
    else if (name == "value_floats" && attribute.kind == Attribute::Kind::Floats)
      value = Tensor::from_values<float>({static_cast<std::int64_t>(attribute.floats.size())}, attribute.floats);
    else if (name == "value_int" && attribute.kind == Attribute::Kind::Int) value = Tensor::from_values<std::int64_t>({}, {attribute.i});
    else if (name == "value_ints" && attribute.kind == Attribute::Kind::Ints)
      value = Tensor::from_values<std::int64_t>({static_cast<std::int64_t>(attribute.ints.size())}, attribute.ints);
    else
      throw Error(where + ": attribute '" + name + "' of kind " + attribute_kind_name(attribute.kind) +
                  " is not supported (sparse and string constants are not)");
    Value& output = graph_.values[node.outputs[0]];
    output.dtype = value.dtype();
    output.constant = std::move(value);
  }

  Graph graph_;
  std::string model_dir_;
  // Every value but an initializer has one definition: a graph input or one
  // node's output. A second one would let a node overwrite the caller's input
  // buffer or silently replace a value. Maps to the end of an error sentence.
  std::map<ValueId, std::string> defined_by_;
};

Graph parse_model(const void* data, std::size_t size, const std::string& source, const std::string& model_dir) {
  if (size > kMaxModelBytes) throw Error(source + ": model is " + std::to_string(size) + " bytes, beyond protobuf's 2 GiB limit");
  onnx::ModelProto model;
  if (!model.ParseFromArray(data, static_cast<int>(size)))
    throw Error(source + ": not a valid ONNX model (protobuf parsing failed)");
  return GraphBuilder(source, model_dir).build(model);
}

}  // namespace

Graph load_onnx_file(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (!fs::exists(path, error)) throw Error(path + ": no such file");
  if (fs::is_directory(path, error)) throw Error(path + ": is a directory, not a model file");
  const std::uintmax_t size = fs::file_size(path, error);
  if (error) throw Error(path + ": " + error.message());
  if (size > kMaxModelBytes) throw Error(path + ": model is " + std::to_string(size) + " bytes, beyond protobuf's 2 GiB limit");
  std::ifstream stream(path, std::ios::binary);
  if (!stream) throw Error(path + ": cannot open");
  std::string bytes(static_cast<std::size_t>(size), '\0');
  stream.read(bytes.data(), static_cast<std::streamsize>(size));
  if (!stream) throw Error(path + ": read failed");
  fs::path folder = fs::path(path).parent_path();
  if (folder.empty()) folder = ".";
  return parse_model(bytes.data(), bytes.size(), path, folder.string());
}

Graph load_onnx_bytes(const void* data, std::size_t size, const std::string& external_data_dir) {
  return parse_model(data, size, "<model bytes>", external_data_dir);
}

}  // namespace onnxrun
