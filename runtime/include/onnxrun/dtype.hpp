#pragma once
// Element types onnxrun can hold in tensors and .npy files.
#include <cstddef>
#include <cstdint>
#include <string>

namespace onnxrun {

enum class DType : std::uint8_t { Float32, Float64, Int32, Int64, UInt8, Bool };

// Bytes per element.
std::size_t dtype_size(DType dtype);
// Numpy-style name: "float32", "int64", "bool", ...
const char* dtype_name(DType dtype);

template <class T> constexpr DType dtype_of();
template <> constexpr DType dtype_of<float>() { return DType::Float32; }
template <> constexpr DType dtype_of<double>() { return DType::Float64; }
template <> constexpr DType dtype_of<std::int32_t>() { return DType::Int32; }
template <> constexpr DType dtype_of<std::int64_t>() { return DType::Int64; }
template <> constexpr DType dtype_of<std::uint8_t>() { return DType::UInt8; }
template <> constexpr DType dtype_of<bool>() { return DType::Bool; }

}  // namespace onnxrun
