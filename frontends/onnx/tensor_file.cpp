#include "frontends/onnx/tensor_file.hpp"

#include <filesystem>
#include <fstream>
#include <limits>

#include "frontends/onnx/tensor_decoder.hpp"

namespace onnxrun {

NamedTensorFile read_onnx_tensor_file(const std::string& path) {
  std::error_code error;
  const std::uintmax_t size = std::filesystem::file_size(path, error);
  if (error) throw Error(path + ": " + error.message());
  if (size > static_cast<std::uintmax_t>(std::numeric_limits<int>::max()))
    throw Error(path + ": beyond protobuf's 2 GiB limit");
  std::ifstream stream(path, std::ios::binary);
  std::string bytes(static_cast<std::size_t>(size), '\0');
  if (!stream.read(bytes.data(), static_cast<std::streamsize>(size))) throw Error(path + ": read failed");
  onnx::TensorProto proto;
  if (!proto.ParseFromString(bytes)) throw Error(path + ": not a serialized ONNX TensorProto");
  const std::string folder = std::filesystem::path(path).parent_path().string();
  return NamedTensorFile{proto.name(), decode_tensor(proto, folder.empty() ? "." : folder, path)};
}

}  // namespace onnxrun
