#pragma once
// onnx::TensorProto -> Tensor, for initializers and Constant/attribute tensors.
#include <string>

#include "onnx/onnx_pb.h"
#include "onnxrun/tensor.hpp"

namespace onnxrun {

// Maps an ONNX element type to ours; throws Error naming `where` otherwise.
DType dtype_from_onnx(int onnx_type, const std::string& where);

// model_dir: folder for external data ("" refuses it). Throws Error naming
// the tensor when data is missing, short, oversized or of an unsupported type.
Tensor decode_tensor(const onnx::TensorProto& proto, const std::string& model_dir, const std::string& where);

}  // namespace onnxrun
