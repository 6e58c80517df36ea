#include "frontends/onnx/tensor_decoder.hpp"

#include <bit>
#include <charconv>
#include <cstring>

#include "frontends/onnx/external_data.hpp"
#include "runtime/core/checked_math.hpp"

namespace onnxrun {

static_assert(std::endian::native == std::endian::little,
              "ONNX raw_data is little-endian; decoding assumes a little-endian host");

namespace {

const char* onnx_type_name(int type) {
  switch (type) {
    case onnx::TensorProto::FLOAT: return "FLOAT";
    case onnx::TensorProto::UINT8: return "UINT8";
    case onnx::TensorProto::INT8: return "INT8";
    case onnx::TensorProto::UINT16: return "UINT16";
    case onnx::TensorProto::INT16: return "INT16";
    case onnx::TensorProto::INT32: return "INT32";
    case onnx::TensorProto::INT64: return "INT64";
    case onnx::TensorProto::STRING: return "STRING";
    case onnx::TensorProto::BOOL: return "BOOL";
    case onnx::TensorProto::FLOAT16: return "FLOAT16";
    case onnx::TensorProto::DOUBLE: return "DOUBLE";
    case onnx::TensorProto::UINT32: return "UINT32";
    case onnx::TensorProto::UINT64: return "UINT64";
    case onnx::TensorProto::BFLOAT16: return "BFLOAT16";
    default: return "UNDEFINED";
  }
}

// Copies a typed repeated field into the tensor, converting element by element.
template <class Out, class Field>
void copy_field(const Field& field, Tensor& tensor) {
  Out* out = static_cast<Out*>(tensor.mutable_data());
  for (int i = 0; i < field.size(); ++i) out[i] = static_cast<Out>(field.Get(i));
}

void check_bools(const Tensor& tensor, const std::string& where) {
  // Loading any byte but 0 or 1 into a C++ bool is undefined behaviour.
  const auto* bytes = static_cast<const std::uint8_t*>(tensor.data());
  for (std::int64_t i = 0; i < tensor.element_count(); ++i)
    if (bytes[i] > 1) throw Error(where + ": BOOL tensor holds the value " + std::to_string(bytes[i]));
}

// The whole string must be the number: std::stoll would read "8 bytes" as 8.
std::int64_t external_data_integer(const onnx::StringStringEntryProto& entry, const std::string& where) {
  const std::string& text = entry.value();
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size())
    throw Error(where + ": external data " + entry.key() + " '" + text + "' is not a 64-bit integer");
  return value;
}

}  // namespace

DType dtype_from_onnx(int onnx_type, const std::string& where) {
  switch (onnx_type) {
    case onnx::TensorProto::FLOAT: return DType::Float32;
    case onnx::TensorProto::DOUBLE: return DType::Float64;
    case onnx::TensorProto::INT32: return DType::Int32;
    case onnx::TensorProto::INT64: return DType::Int64;
    case onnx::TensorProto::UINT8: return DType::UInt8;
    case onnx::TensorProto::BOOL: return DType::Bool;
    default:
      throw Error(where + ": element type " + onnx_type_name(onnx_type) + " (" + std::to_string(onnx_type) +
                  ") is not supported; onnxrun handles float32, float64, int32, int64, uint8 and bool");
  }
}

Tensor decode_tensor(const onnx::TensorProto& proto, const std::string& model_dir, const std::string& where) {
  const DType dtype = dtype_from_onnx(proto.data_type(), where);
  if (proto.has_segment()) throw Error(where + ": segmented tensors are not supported");
  Shape shape(proto.dims().begin(), proto.dims().end());
  const std::int64_t count = checked_element_count(shape, where);
  const std::int64_t bytes = checked_byte_count(shape, dtype_size(dtype), where);

  // Every size is checked against the data actually present before anything
  // is allocated, so a tensor that merely declares huge dims costs nothing.
  std::string external;
  const std::string* source = nullptr;
  const char* origin = "raw_data";
  if (proto.data_location() == onnx::TensorProto::EXTERNAL) {
    std::string location;
    std::int64_t offset = 0, length = -1;
    for (const auto& entry : proto.external_data()) {
      if (entry.key() == "location") location = entry.value();
      else if (entry.key() == "offset") offset = external_data_integer(entry, where);
      else if (entry.key() == "length") length = external_data_integer(entry, where);
    }
    if (length != -1 && length != bytes)
      throw Error(where + ": external data length " + std::to_string(length) + " but shape " + shape_to_string(shape) +
                  " of " + dtype_name(dtype) + " needs " + std::to_string(bytes) + " bytes");
    if (length == -1) length = bytes;
    external = read_external_data(model_dir, location, offset, length, where);
    source = &external;
    origin = "external data";
  } else if (proto.has_raw_data()) {
    source = &proto.raw_data();
  }

  if (source) {
    if (static_cast<std::int64_t>(source->size()) != bytes)
      throw Error(where + ": " + origin + " holds " + std::to_string(source->size()) + " bytes but shape " +
                  shape_to_string(shape) + " of " + dtype_name(dtype) + " needs " + std::to_string(bytes));
    Tensor tensor = Tensor::allocate(dtype, shape);
    if (bytes) std::memcpy(tensor.mutable_data(), source->data(), source->size());
    if (dtype == DType::Bool) check_bools(tensor, where);
    return tensor;
  }

  std::int64_t present = 0;
  const char* field = "";
  switch (dtype) {
    case DType::Float32: present = proto.float_data_size(); field = "float_data"; break;
    case DType::Float64: present = proto.double_data_size(); field = "double_data"; break;
    case DType::Int64: present = proto.int64_data_size(); field = "int64_data"; break;
    case DType::Int32:
    case DType::UInt8:
    case DType::Bool: present = proto.int32_data_size(); field = "int32_data"; break;
  }
  if (present != count)
    throw Error(where + ": " + field + " holds " + std::to_string(present) + " values but shape " +
                shape_to_string(shape) + " needs " + std::to_string(count));
  Tensor tensor = Tensor::allocate(dtype, shape);
  switch (dtype) {
    case DType::Float32: copy_field<float>(proto.float_data(), tensor); break;
    case DType::Float64: copy_field<double>(proto.double_data(), tensor); break;
    case DType::Int32: copy_field<std::int32_t>(proto.int32_data(), tensor); break;
    case DType::Int64: copy_field<std::int64_t>(proto.int64_data(), tensor); break;
    case DType::UInt8:
    case DType::Bool:
      // ONNX stores these widened to int32; anything out of range is corrupt.
      for (int i = 0; i < proto.int32_data_size(); ++i)
        if (proto.int32_data(i) < 0 || proto.int32_data(i) > (dtype == DType::Bool ? 1 : 255))
          throw Error(where + ": int32_data value " + std::to_string(proto.int32_data(i)) + " is out of range for " +
                      dtype_name(dtype));
      copy_field<std::uint8_t>(proto.int32_data(), tensor);
      break;
  }
  return tensor;
}

}  // namespace onnxrun
