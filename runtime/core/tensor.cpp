#include "onnxrun/tensor.hpp"

#include <cstdlib>
#include <cstring>
#include <new>

#include "runtime/core/aligned_buffer.hpp"
#include "runtime/core/checked_math.hpp"

namespace onnxrun {

std::string shape_to_string(const Shape& shape) {
  std::string text = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) text += ",";
    text += std::to_string(shape[i]);
  }
  return text + "]";
}

Tensor Tensor::allocate(DType dtype, Shape shape) {
  const std::int64_t bytes = checked_byte_count(shape, dtype_size(dtype), "Tensor::allocate");
  Tensor tensor = adopt(dtype, std::move(shape), allocate_aligned_shared(static_cast<std::size_t>(bytes)));
  std::memset(tensor.owner_.get(), 0, static_cast<std::size_t>(bytes));
  return tensor;
}

Tensor Tensor::adopt(DType dtype, Shape shape, std::shared_ptr<void> owner) {
  Tensor tensor;
  tensor.dtype_ = dtype;
  tensor.element_count_ = checked_element_count(shape, "Tensor::adopt");
  tensor.shape_ = std::move(shape);
  tensor.owner_ = std::move(owner);
  tensor.data_ = tensor.owner_.get();
  tensor.writable_ = true;
  return tensor;
}

Tensor Tensor::view(DType dtype, Shape shape, const void* data) {
  Tensor tensor = view_mutable(dtype, std::move(shape), const_cast<void*>(data));
  tensor.writable_ = false;
  return tensor;
}

Tensor Tensor::view_mutable(DType dtype, Shape shape, void* data) {
  Tensor tensor;
  tensor.element_count_ = checked_element_count(shape, "Tensor::view");
  if (data == nullptr && tensor.element_count_ > 0) throw Error("Tensor::view: null data for shape " + shape_to_string(shape));
  tensor.dtype_ = dtype;
  tensor.shape_ = std::move(shape);
  tensor.data_ = data;
  tensor.writable_ = true;
  return tensor;
}

void* Tensor::mutable_data() {
  if (!writable_) throw Error("Tensor: write access to a read-only tensor view");
  return data_;
}

void Tensor::check_dtype(DType wanted) const {
  if (wanted != dtype_)
    throw Error(std::string("Tensor: accessed as ") + dtype_name(wanted) + " but holds " + dtype_name(dtype_));
}

}  // namespace onnxrun
