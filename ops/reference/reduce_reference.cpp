#include "ops/reference/reduce_reference.hpp"

#include <cmath>
#include <limits>
#include <type_traits>

namespace onnxrun::reference {

namespace {

template <class T> constexpr bool kFloat = std::is_floating_point_v<T>;
// Floats sum in double; integers in uint64, whose arithmetic wraps (signed
// overflow would be undefined) and converts back modulo 2^bits.
template <class T> using Accumulator = std::conditional_t<kFloat<T>, double, std::uint64_t>;

std::int64_t kept_offset(const ReduceParams& p, std::int64_t index) {
  std::int64_t offset = 0;
  for (std::size_t d = p.kept_sizes.size(); d-- > 0;) {
    offset += (index % p.kept_sizes[d]) * p.kept_strides[d];
    index /= p.kept_sizes[d];
  }
  return offset;
}

// visit(value) for every reduced element under `base`, row-major over the
// reduced dims: the innermost runs as a strided loop, the others are
// recomputed per run so that no index array is needed.
template <class T, class Visit>
void for_each_reduced(const ReduceParams& p, const T* base, Visit&& visit) {
  const std::size_t rank = p.reduced_sizes.size();
  if (rank == 0) {
    visit(*base);
    return;
  }
  const std::int64_t inner = p.reduced_sizes[rank - 1], inner_stride = p.reduced_strides[rank - 1];
  if (inner == 0) return;
  const std::int64_t runs = p.reduced_count / inner;
  for (std::int64_t run = 0; run < runs; ++run) {
    std::int64_t offset = 0;
    std::int64_t rest = run;
    for (std::size_t d = rank - 1; d-- > 0;) {
      offset += (rest % p.reduced_sizes[d]) * p.reduced_strides[d];
      rest /= p.reduced_sizes[d];
    }
    const T* x = base + offset;
    for (std::int64_t i = 0; i < inner; ++i) visit(x[i * inner_stride]);
  }
}

template <class T>
struct Sum {
  Accumulator<T> acc = 0;
  void add(T v) { acc += static_cast<Accumulator<T>>(v); }
  T result(std::int64_t) const { return static_cast<T>(acc); }
};

template <class T>
struct Mean {
  Sum<T> sum;
  void add(T v) { sum.add(v); }
  T result(std::int64_t count) const {
    if constexpr (kFloat<T>) {
      if (count == 0) return std::numeric_limits<T>::quiet_NaN();
      return static_cast<T>(sum.acc / static_cast<double>(count));
    } else {
      // Truncating division, as onnxruntime's integer ReduceMean does.
      return static_cast<T>(static_cast<std::int64_t>(sum.acc) / count);
    }
  }
};

template <class T>
struct Prod {
  Accumulator<T> acc = 1;
  void add(T v) { acc *= static_cast<Accumulator<T>>(v); }
  T result(std::int64_t) const { return static_cast<T>(acc); }
};

// The identity of Max (-inf, or the lowest value) and of Min (+inf, or the highest).
template <class T, bool kIsMax>
constexpr T extreme_identity() {
  if constexpr (kFloat<T>)
    return kIsMax ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::infinity();
  else
    return kIsMax ? std::numeric_limits<T>::lowest() : std::numeric_limits<T>::max();
}

template <class T, bool kIsMax>
struct Extreme {
  T best = extreme_identity<T, kIsMax>();
  void add(T v) {
    if constexpr (kFloat<T>) {
      if (best != best) return;  // NaN, once seen, is the answer (numpy, torch.amax)
      if (v != v) {
        best = v;
        return;
      }
    }
    if (kIsMax ? v > best : v < best) best = v;
  }
  T result(std::int64_t) const { return best; }
};

// The float-only kinds; T is float or double.
template <class T>
struct L1 {
  double acc = 0;
  void add(T v) { acc += std::abs(static_cast<double>(v)); }
  T result(std::int64_t) const { return static_cast<T>(acc); }
};

template <class T>
struct SumSquare {
  double acc = 0;
  void add(T v) { acc += static_cast<double>(v) * static_cast<double>(v); }
  T result(std::int64_t) const { return static_cast<T>(acc); }
};

template <class T>
struct L2 {
  SumSquare<T> sum;
  void add(T v) { sum.add(v); }
  T result(std::int64_t) const { return static_cast<T>(std::sqrt(sum.acc)); }
};

template <class T>
struct LogSum {
  double acc = 0;
  void add(T v) { acc += static_cast<double>(v); }
  T result(std::int64_t) const { return static_cast<T>(std::log(acc)); }
};

template <class Reducer, class T>
void reduce_with(const ReduceParams& p, const T* input, T* output, std::int64_t begin, std::int64_t end) {
  for (std::int64_t o = begin; o < end; ++o) {
    Reducer reducer;
    for_each_reduced(p, input + kept_offset(p, o), [&](T v) { reducer.add(v); });
    output[o] = reducer.result(p.reduced_count);
  }
}

// log(sum(exp(x))) as max + log(sum(exp(x - max))), which neither overflows
// for large x nor underflows to log(0) for very negative x.
template <class T>
void log_sum_exp(const ReduceParams& p, const T* input, T* output, std::int64_t begin, std::int64_t end) {
  for (std::int64_t o = begin; o < end; ++o) {
    const T* base = input + kept_offset(p, o);
    Extreme<T, true> max;
    for_each_reduced(p, base, [&](T v) { max.add(v); });
    const double m = max.best;
    // Empty, all -inf, any +inf or any NaN: the max is already the answer.
    if (!std::isfinite(m)) {
      output[o] = max.best;
      continue;
    }
    double sum = 0;
    for_each_reduced(p, base, [&](T v) { sum += std::exp(static_cast<double>(v) - m); });
    output[o] = static_cast<T>(m + std::log(sum));
  }
}

}  // namespace

template <class T>
void reduce_reference(ReduceKind kind, const ReduceParams& p, const T* input, T* output, std::int64_t begin,
                      std::int64_t end) {
  constexpr bool arithmetic = !std::is_same_v<T, bool> && !std::is_same_v<T, std::uint8_t>;
  switch (kind) {
    case ReduceKind::Max: reduce_with<Extreme<T, true>>(p, input, output, begin, end); return;
    case ReduceKind::Min: reduce_with<Extreme<T, false>>(p, input, output, begin, end); return;
    default: break;
  }
  if constexpr (arithmetic) {
    switch (kind) {
      case ReduceKind::Sum: reduce_with<Sum<T>>(p, input, output, begin, end); return;
      case ReduceKind::Mean: reduce_with<Mean<T>>(p, input, output, begin, end); return;
      case ReduceKind::Prod: reduce_with<Prod<T>>(p, input, output, begin, end); return;
      default: break;
    }
  }
  if constexpr (kFloat<T>) {
    switch (kind) {
      case ReduceKind::L1: reduce_with<L1<T>>(p, input, output, begin, end); return;
      case ReduceKind::L2: reduce_with<L2<T>>(p, input, output, begin, end); return;
      case ReduceKind::SumSquare: reduce_with<SumSquare<T>>(p, input, output, begin, end); return;
      case ReduceKind::LogSum: reduce_with<LogSum<T>>(p, input, output, begin, end); return;
      case ReduceKind::LogSumExp: log_sum_exp(p, input, output, begin, end); return;
      default: break;
    }
  }
}

template void reduce_reference<float>(ReduceKind, const ReduceParams&, const float*, float*, std::int64_t,
                                      std::int64_t);
template void reduce_reference<double>(ReduceKind, const ReduceParams&, const double*, double*, std::int64_t,
                                       std::int64_t);
template void reduce_reference<std::int32_t>(ReduceKind, const ReduceParams&, const std::int32_t*, std::int32_t*,
                                             std::int64_t, std::int64_t);
template void reduce_reference<std::int64_t>(ReduceKind, const ReduceParams&, const std::int64_t*, std::int64_t*,
                                             std::int64_t, std::int64_t);
template void reduce_reference<std::uint8_t>(ReduceKind, const ReduceParams&, const std::uint8_t*, std::uint8_t*,
                                             std::int64_t, std::int64_t);
template void reduce_reference<bool>(ReduceKind, const ReduceParams&, const bool*, bool*, std::int64_t, std::int64_t);

}  // namespace onnxrun::reference
