#pragma once
// Overflow-checked integer arithmetic for shapes and byte counts. Hostile
// models declare dims like 2^62; every product of dims goes through here.
#include <cstdint>
#include <string>

#include "onnxrun/error.hpp"
#include "onnxrun/tensor.hpp"

namespace onnxrun {

inline std::int64_t checked_mul(std::int64_t a, std::int64_t b, const std::string& what) {
  std::int64_t result = 0;
  if (__builtin_mul_overflow(a, b, &result))
    throw Error(what + ": size overflows 64 bits (" + std::to_string(a) + " x " + std::to_string(b) + ")");
  return result;
}

inline std::int64_t checked_add(std::int64_t a, std::int64_t b, const std::string& what) {
  std::int64_t result = 0;
  if (__builtin_add_overflow(a, b, &result))
    throw Error(what + ": size overflows 64 bits (" + std::to_string(a) + " + " + std::to_string(b) + ")");
  return result;
}

// Product of the dims; throws on a negative dim or overflow.
inline std::int64_t checked_element_count(const Shape& shape, const std::string& what) {
  std::int64_t count = 1;
  for (std::int64_t dim : shape) {
    if (dim < 0) throw Error(what + ": negative dimension in shape " + shape_to_string(shape));
    count = checked_mul(count, dim, what);
  }
  return count;
}

// Largest tensor we agree to allocate: beyond this a model is hostile or broken,
// and failing with a message beats an out-of-memory kill.
inline constexpr std::int64_t kMaxTensorBytes = std::int64_t{1} << 36;  // 64 GiB

inline std::int64_t checked_byte_count(const Shape& shape, std::size_t element_size, const std::string& what) {
  std::int64_t bytes = checked_mul(checked_element_count(shape, what), static_cast<std::int64_t>(element_size), what);
  if (bytes > kMaxTensorBytes)
    throw Error(what + ": tensor of shape " + shape_to_string(shape) + " needs " + std::to_string(bytes) +
                " bytes, more than the limit of " + std::to_string(kMaxTensorBytes));
  return bytes;
}

}  // namespace onnxrun
