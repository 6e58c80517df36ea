#pragma once
// ONNX ModelProto -> Graph. The only place in onnxrun that sees protobuf.
#include <cstddef>
#include <string>

#include "runtime/graph/graph.hpp"

namespace onnxrun {

// Throws Error naming the file and the problem on anything malformed.
Graph load_onnx_file(const std::string& path);
// external_data_dir: folder that external tensor data resolves in; empty refuses
// external data.
Graph load_onnx_bytes(const void* data, std::size_t size, const std::string& external_data_dir);

}  // namespace onnxrun
