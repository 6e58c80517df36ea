#pragma once
// The one exception type onnxrun throws. Its message says what went wrong and
// where (file, node name and op type, input index, the shapes involved).
#include <stdexcept>
#include <string>

namespace onnxrun {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace onnxrun
