#pragma once
// A dense, C-ordered tensor on the host. It either owns its memory or views
// memory that the caller owns (no copy), read-only or writable.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "onnxrun/dtype.hpp"
#include "onnxrun/error.hpp"

namespace onnxrun {

using Shape = std::vector<std::int64_t>;

class Tensor {
 public:
  Tensor() = default;

  // Owned, zero-filled storage. Throws Error on negative dims or overflow.
  static Tensor allocate(DType dtype, Shape shape);
  // Shares ownership of memory the caller allocated, at least the shape's
  // byte size; writable.
  static Tensor adopt(DType dtype, Shape shape, std::shared_ptr<void> owner);
  // Views caller-owned memory; the caller keeps it alive while the tensor is used.
  static Tensor view(DType dtype, Shape shape, const void* data);
  static Tensor view_mutable(DType dtype, Shape shape, void* data);
  // Owned copy of the values, e.g. Tensor::from_values<float>({2, 2}, {1, 2, 3, 4}).
  template <class T>
  static Tensor from_values(Shape shape, const std::vector<T>& values);

  bool empty() const { return data_ == nullptr && shape_.empty(); }
  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  std::size_t rank() const { return shape_.size(); }
  std::int64_t element_count() const { return element_count_; }
  std::size_t byte_size() const { return static_cast<std::size_t>(element_count_) * dtype_size(dtype_); }
  bool writable() const { return writable_; }

  const void* data() const { return data_; }
  // Throws Error on a read-only view.
  void* mutable_data();

  // Typed access; throws Error when T does not match dtype().
  template <class T> const T* data_as() const {
    check_dtype(dtype_of<T>());
    return static_cast<const T*>(data_);
  }
  template <class T> T* mutable_data_as() {
    check_dtype(dtype_of<T>());
    return static_cast<T*>(mutable_data());
  }

 private:
  void check_dtype(DType wanted) const;

  DType dtype_ = DType::Float32;
  Shape shape_;
  std::int64_t element_count_ = 0;
  std::shared_ptr<void> owner_;
  void* data_ = nullptr;
  bool writable_ = false;
};

// "[1,3,224,224]"
std::string shape_to_string(const Shape& shape);

template <class T>
Tensor Tensor::from_values(Shape shape, const std::vector<T>& values) {
  Tensor tensor = allocate(dtype_of<T>(), std::move(shape));
  if (static_cast<std::int64_t>(values.size()) != tensor.element_count())
    throw Error("Tensor::from_values: " + std::to_string(values.size()) + " values for shape " +
                shape_to_string(tensor.shape()));
  T* out = tensor.mutable_data_as<T>();
  for (std::size_t i = 0; i < values.size(); ++i) out[i] = values[i];
  return tensor;
}

}  // namespace onnxrun
