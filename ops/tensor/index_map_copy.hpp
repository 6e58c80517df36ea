#pragma once
// One copy kernel for the ops that move elements without computing on them
// (Transpose, Slice, Expand, Tile, Pad): every output element is read from
// input offset sum_d axis_d(o_d), where each output axis maps its coordinate
// either affinely (base + k * step: transposed, sliced, broadcast with step 0)
// or through an explicit table (Pad's reflect/edge/wrap borders, or kFill for
// its constant ones). Built once at load; run() only walks rows.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "runtime/exec/thread_pool.hpp"

namespace onnxrun {

class IndexMapCopy {
 public:
  // In a table: this output coordinate takes the fill value.
  static constexpr std::int64_t kFill = std::numeric_limits<std::int64_t>::min();

  struct Axis {
    std::int64_t size = 1;
    std::int64_t base = 0, step = 0;  // affine: offset(k) = base + k * step
    std::vector<std::int64_t> table;  // when not empty: offset(k) = table[k] (may be kFill)

    static Axis affine(std::int64_t size, std::int64_t base, std::int64_t step) { return Axis{size, base, step, {}}; }
    static Axis mapped(std::vector<std::int64_t> table) {
      const std::int64_t size = static_cast<std::int64_t>(table.size());
      return Axis{size, 0, 0, std::move(table)};
    }
  };

  IndexMapCopy() = default;
  // Axes in output order (their sizes are the output shape). Adjacent affine
  // axes that walk the input contiguously are merged so that the inner loop
  // is as long as possible, and a unit-stride inner axis becomes a memcpy.
  IndexMapCopy(std::vector<Axis> axes, std::size_t element_size);

  // `fill` (one element) is read only when some table holds kFill.
  void run(const void* input, void* output, const void* fill, ThreadPool& pool) const;

  std::int64_t output_count() const { return count_; }

 private:
  std::int64_t outer_offset(std::int64_t row, bool& filled) const;
  void copy_run(const std::byte* in, std::byte* out, std::int64_t begin, std::int64_t end, const std::byte* fill) const;

  std::vector<Axis> axes_;  // the last one is the inner axis
  std::size_t element_size_ = 1;
  std::int64_t count_ = 0;
};

}  // namespace onnxrun
