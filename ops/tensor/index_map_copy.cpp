#include "ops/tensor/index_map_copy.hpp"

#include <algorithm>
#include <cstring>

namespace onnxrun {

namespace {

// Long inner runs are cut into pieces of this many elements so that a copy
// with few rows (one merged axis, say) still spreads over the pool.
constexpr std::int64_t kPieceElements = 8192;
// Below this many elements per task waking other threads costs more than it saves.
constexpr std::int64_t kGrainElements = 16384;

// Copies element by element through memcpy of a fixed size, which compiles to
// plain loads and stores without breaking aliasing rules for any dtype.
template <std::size_t Size>
void copy_strided(const std::byte* in, std::int64_t step, std::byte* out, std::int64_t count) {
  for (std::int64_t i = 0; i < count; ++i) std::memcpy(out + i * Size, in + i * step * std::int64_t{Size}, Size);
}

template <std::size_t Size>
void copy_table(const std::byte* in, const std::int64_t* table, std::byte* out, std::int64_t count,
                const std::byte* fill) {
  for (std::int64_t i = 0; i < count; ++i) {
    const std::int64_t offset = table[i];
    std::memcpy(out + i * Size, offset == IndexMapCopy::kFill ? fill : in + offset * std::int64_t{Size}, Size);
  }
}

template <std::size_t Size>
void fill_elements(std::byte* out, std::int64_t count, const std::byte* fill) {
  for (std::int64_t i = 0; i < count; ++i) std::memcpy(out + i * Size, fill, Size);
}

}  // namespace

IndexMapCopy::IndexMapCopy(std::vector<Axis> axes, std::size_t element_size) : element_size_(element_size) {
  count_ = 1;
  for (const Axis& axis : axes) count_ *= axis.size;
  if (count_ == 0) return;

  // Size-1 axes only add a constant offset: fold it into the first axis kept.
  std::int64_t base = 0;
  for (const Axis& axis : axes) {
    const bool single = axis.size == 1 && (axis.table.empty() || axis.table[0] != kFill);
    if (single) {
      base += axis.table.empty() ? axis.base : axis.table[0];
      continue;
    }
    if (!axes_.empty() && axis.table.empty() && axes_.back().table.empty() &&
        axes_.back().step == axis.size * axis.step) {
      // The outer axis steps exactly over the inner one: one longer affine axis.
      axes_.back() = Axis::affine(axes_.back().size * axis.size, axes_.back().base + axis.base, axis.step);
      continue;
    }
    axes_.push_back(axis);
  }
  if (axes_.empty()) axes_.push_back(Axis::affine(1, 0, 1));
  Axis& first = axes_.front();
  if (first.table.empty()) {
    first.base += base;
  } else {
    for (std::int64_t& offset : first.table)
      if (offset != kFill) offset += base;
  }
}

std::int64_t IndexMapCopy::outer_offset(std::int64_t row, bool& filled) const {
  std::int64_t offset = 0;
  filled = false;
  for (std::size_t d = axes_.size() - 1; d-- > 0;) {
    const Axis& axis = axes_[d];
    const std::int64_t k = row % axis.size;
    row /= axis.size;
    if (axis.table.empty()) {
      offset += axis.base + k * axis.step;
    } else if (axis.table[k] == kFill) {
      filled = true;
    } else {
      offset += axis.table[k];
    }
  }
  return offset;
}

void IndexMapCopy::copy_run(const std::byte* in, std::byte* out, std::int64_t begin, std::int64_t end,
                            const std::byte* fill) const {
  const Axis& inner = axes_.back();
  const std::int64_t count = end - begin;
  const std::int64_t es = static_cast<std::int64_t>(element_size_);
  if (!inner.table.empty()) {
    const std::int64_t* table = inner.table.data() + begin;
    switch (element_size_) {
      case 1: copy_table<1>(in, table, out, count, fill); return;
      case 4: copy_table<4>(in, table, out, count, fill); return;
      case 8: copy_table<8>(in, table, out, count, fill); return;
      default:
        for (std::int64_t i = 0; i < count; ++i)
          std::memcpy(out + i * es, table[i] == kFill ? fill : in + table[i] * es, element_size_);
        return;
    }
  }
  const std::byte* source = in + (inner.base + begin * inner.step) * es;
  if (inner.step == 1) {
    std::memcpy(out, source, static_cast<std::size_t>(count * es));
    return;
  }
  switch (element_size_) {
    case 1: copy_strided<1>(source, inner.step, out, count); return;
    case 4: copy_strided<4>(source, inner.step, out, count); return;
    case 8: copy_strided<8>(source, inner.step, out, count); return;
    default:
      for (std::int64_t i = 0; i < count; ++i) std::memcpy(out + i * es, source + i * inner.step * es, element_size_);
      return;
  }
}

void IndexMapCopy::run(const void* input, void* output, const void* fill, ThreadPool& pool) const {
  if (count_ == 0) return;
  const std::byte* in = static_cast<const std::byte*>(input);
  std::byte* out = static_cast<std::byte*>(output);
  const std::byte* fill_bytes = static_cast<const std::byte*>(fill);
  const std::int64_t inner = axes_.back().size;
  const std::int64_t rows = count_ / inner;
  const std::int64_t pieces = (inner + kPieceElements - 1) / kPieceElements;
  const std::int64_t piece = std::min(inner, kPieceElements);
  const std::int64_t es = static_cast<std::int64_t>(element_size_);
  pool.parallel_for(rows * pieces, [&](std::int64_t first, std::int64_t last) {
    for (std::int64_t task = first; task < last; ++task) {
      const std::int64_t row = task / pieces;
      const std::int64_t begin = (task % pieces) * piece;
      const std::int64_t end = std::min(inner, begin + piece);
      bool filled = false;
      const std::int64_t offset = outer_offset(row, filled);
      std::byte* destination = out + (row * inner + begin) * es;
      if (!filled) {
        copy_run(in + offset * es, destination, begin, end, fill_bytes);
      } else {
        switch (element_size_) {
          case 1: fill_elements<1>(destination, end - begin, fill_bytes); break;
          case 4: fill_elements<4>(destination, end - begin, fill_bytes); break;
          case 8: fill_elements<8>(destination, end - begin, fill_bytes); break;
          default:
            for (std::int64_t i = 0; i < end - begin; ++i) std::memcpy(destination + i * es, fill_bytes, element_size_);
        }
      }
    }
  }, std::max<std::int64_t>(1, kGrainElements / piece));
}

}  // namespace onnxrun
