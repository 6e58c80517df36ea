#pragma once
// Reading tensor bytes stored beside a model (ONNX "external data").
#include <cstdint>
#include <string>

namespace onnxrun {

// Reads `length` bytes at `offset` of the file `location`, which must name a
// regular file inside `model_dir`: absolute paths, ".." components and
// symlinks that lead out of the folder are refused, since a hostile model
// could otherwise read any file on the machine. `where` prefixes errors.
std::string read_external_data(const std::string& model_dir, const std::string& location, std::int64_t offset,
                               std::int64_t length, const std::string& where);

}  // namespace onnxrun
