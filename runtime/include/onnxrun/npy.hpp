#pragma once
// Reading and writing numpy .npy files (format versions 1.0 to 3.0,
// little-endian, C order).
#include <string>

#include "onnxrun/tensor.hpp"

namespace onnxrun {

// Throws Error naming the file and the problem on anything malformed,
// truncated, oversized, Fortran-ordered or of an unsupported dtype.
Tensor read_npy(const std::string& path);
Tensor parse_npy(const void* bytes, std::size_t size, const std::string& source_name);
void write_npy(const std::string& path, const Tensor& tensor);
std::string serialize_npy(const Tensor& tensor);

}  // namespace onnxrun
