#pragma once
// A serialized onnx::TensorProto on disk, as the ONNX backend tests store
// their inputs and expected outputs (input_0.pb, output_0.pb).
#include <string>

#include "onnxrun/tensor.hpp"

namespace onnxrun {

struct NamedTensorFile {
  std::string name;  // the TensorProto's name (may be empty)
  Tensor tensor;
};

// Throws Error naming the file when it is missing, malformed or of a dtype
// onnxrun does not support.
NamedTensorFile read_onnx_tensor_file(const std::string& path);

}  // namespace onnxrun
