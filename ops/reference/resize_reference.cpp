#include "ops/reference/resize_reference.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

namespace onnxrun::reference {

namespace {

// The input coordinate output position o maps to, in double as ONNX's
// reference does: float32 here shifts nearest-neighbour picks that land near
// .5 and breaks agreement with the stored conformance outputs.
double source_coordinate(const ResizeAxis& a, ResizeCoordinates mode, std::int64_t o, bool& outside) {
  const double x = static_cast<double>(o), in = static_cast<double>(a.in);
  outside = false;
  switch (mode) {
    case ResizeCoordinates::HalfPixel: return (x + 0.5) / a.scale - 0.5;
    case ResizeCoordinates::HalfPixelSymmetric: {
      // Centres the output on the input when flooring made out < out_width.
      const double adjustment = static_cast<double>(a.out) / a.out_width;
      const double offset = in / 2.0 * (1.0 - adjustment);
      return offset + (x + 0.5) / a.scale - 0.5;
    }
    case ResizeCoordinates::PytorchHalfPixel:
      // ONNX's text and ONNX Runtime: 0 for a single output. ONNX's reference
      // uses -0.5 (and tests out_width, not out): the same for nearest and
      // linear after edge clamping, but not for cubic, and not for a scale
      // that floors to one output.
      return a.out > 1 ? (x + 0.5) / a.scale - 0.5 : 0.0;
    case ResizeCoordinates::AlignCorners: return a.out_width == 1.0 ? 0.0 : x * (in - 1.0) / (a.out_width - 1.0);
    case ResizeCoordinates::Asymmetric: return x / a.scale;
    case ResizeCoordinates::TfHalfPixelForNn: return (x + 0.5) / a.scale;
    case ResizeCoordinates::TfCropAndResize: {
      const double extent = a.roi_end - a.roi_start;
      double source = a.out_width == 1.0 ? extent * (in - 1.0) / 2.0 : x * extent * (in - 1.0) / (a.out_width - 1.0);
      source += a.roi_start * (in - 1.0);
      outside = source < 0.0 || source > in - 1.0;
      return source;
    }
  }
  return 0.0;
}

double cubic_kernel(double x, double a) {
  x = std::abs(x);
  if (x <= 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
  if (x < 2.0) return ((a * x - 5.0 * a) * x + 8.0 * a) * x - 4.0 * a;
  return 0.0;
}

struct Tap {
  std::int64_t index;
  double weight;
};

// The taps for source coordinate x, before clamping. As in ONNX's reference,
// an integral x is treated as base x - 1 with ratio 1, so that the ratio lies
// in (0, 1]; the weights come out the same either way, but mirroring it keeps
// the floating-point rounding identical.
void raw_taps(const ResizeAxis& a, const ResizeFilter& f, double x, std::vector<Tap>& taps) {
  taps.clear();
  const double floor_x = std::floor(x);
  const bool integral = floor_x == x;
  const std::int64_t base = static_cast<std::int64_t>(floor_x) - (integral ? 1 : 0);
  const double ratio = integral ? 1.0 : x - floor_x;

  if (f.mode == ResizeMode::Nearest) {
    bool upper = true;  // base + 1, else base
    if (!integral) {
      switch (f.rounding) {
        case NearestRounding::RoundPreferFloor: upper = ratio > 0.5; break;
        case NearestRounding::RoundPreferCeil: upper = ratio >= 0.5; break;
        case NearestRounding::Floor: upper = false; break;
        case NearestRounding::Ceil: upper = true; break;
        case NearestRounding::Legacy: upper = a.scale < 1.0; break;
      }
    }
    taps.push_back({base + (upper ? 1 : 0), 1.0});
    return;
  }

  const double support = f.mode == ResizeMode::Linear ? 1.0 : 2.0;
  if (!f.antialias) {
    if (f.mode == ResizeMode::Linear) {
      taps.push_back({base, 1.0 - ratio});
      taps.push_back({base + 1, ratio});
    } else {
      // Keys' cubic convolution at distances 1+r, r, 1-r, 2-r, written as
      // ONNX's reference writes it.
      const double A = f.cubic_a, r = ratio, s = 1.0 - ratio;
      taps.push_back({base - 1, ((A * (r + 1) - 5 * A) * (r + 1) + 8 * A) * (r + 1) - 4 * A});
      taps.push_back({base, ((A + 2) * r - (A + 3)) * r * r + 1});
      taps.push_back({base + 1, ((A + 2) * s - (A + 3)) * s * s + 1});
      taps.push_back({base + 2, ((A * (s + 1) - 5 * A) * (s + 1) + 8 * A) * (s + 1) - 4 * A});
    }
  } else {
    // Antialiasing stretches the filter by 1/scale when downsampling, so each
    // output averages every input it covers; weights are renormalized to 1.
    const double scale = std::min(a.scale, 1.0);
    const std::int64_t start = static_cast<std::int64_t>(std::floor(-support / scale)) + 1;
    const std::int64_t count = 2 - 2 * start;
    double sum = 0.0;
    for (std::int64_t i = start; i < start + count; ++i) {
      const double arg = scale * (static_cast<double>(i) - ratio);
      const double w = f.mode == ResizeMode::Linear ? std::clamp(1.0 - std::abs(arg), 0.0, 1.0)
                                                    : cubic_kernel(arg, f.cubic_a);
      taps.push_back({base + i, w});
      sum += w;
    }
    if (sum != 0.0)
      for (Tap& t : taps) t.weight /= sum;
  }

  if (f.exclude_outside) {
    double sum = 0.0;
    for (Tap& t : taps) {
      if (t.index < 0 || t.index >= a.in) t.weight = 0.0;
      sum += t.weight;
    }
    if (sum != 0.0)
      for (Tap& t : taps) t.weight /= sum;
  }
}

}  // namespace

ResizeTable identity_resize_table(std::int64_t size) {
  ResizeTable table;
  table.in = table.out = size;
  table.taps = 1;
  table.index.resize(static_cast<std::size_t>(size));
  for (std::int64_t i = 0; i < size; ++i) table.index[static_cast<std::size_t>(i)] = i;
  table.weight.assign(static_cast<std::size_t>(size), 1.0f);
  table.outside.assign(static_cast<std::size_t>(size), 0);
  return table;
}

ResizeTable make_resize_table(const ResizeAxis& axis, const ResizeFilter& filter) {
  if (axis.out > 0 && axis.in < 1) throw std::invalid_argument("resize: an empty axis cannot be resized to a non-empty one");
  std::vector<std::vector<Tap>> per_output(static_cast<std::size_t>(axis.out));
  std::vector<std::uint8_t> outside(static_cast<std::size_t>(axis.out), 0);
  std::vector<Tap> raw;
  std::int64_t taps = 1;
  for (std::int64_t o = 0; o < axis.out; ++o) {
    bool out_of_range = false;
    const double x = source_coordinate(axis, filter.coordinates, o, out_of_range);
    outside[static_cast<std::size_t>(o)] = out_of_range ? 1 : 0;
    std::vector<Tap>& merged = per_output[static_cast<std::size_t>(o)];
    if (out_of_range) continue;
    raw_taps(axis, filter, x, raw);
    // Clamping is ONNX's edge padding; taps that clamp onto one input are
    // merged and zero weights dropped, so edges and integral positions cost
    // fewer multiplies.
    for (const Tap& t : raw) {
      if (t.weight == 0.0) continue;
      const std::int64_t index = std::clamp<std::int64_t>(t.index, 0, axis.in - 1);
      auto same = std::find_if(merged.begin(), merged.end(), [&](const Tap& m) { return m.index == index; });
      if (same != merged.end())
        same->weight += t.weight;
      else
        merged.push_back({index, t.weight});
    }
    taps = std::max<std::int64_t>(taps, static_cast<std::int64_t>(merged.size()));
  }

  ResizeTable table;
  table.in = axis.in;
  table.out = axis.out;
  table.taps = taps;
  table.index.assign(static_cast<std::size_t>(axis.out * taps), 0);
  table.weight.assign(static_cast<std::size_t>(axis.out * taps), 0.0f);
  for (std::int64_t o = 0; o < axis.out; ++o) {
    const std::vector<Tap>& merged = per_output[static_cast<std::size_t>(o)];
    for (std::size_t k = 0; k < merged.size(); ++k) {
      table.index[static_cast<std::size_t>(o * taps) + k] = merged[k].index;
      table.weight[static_cast<std::size_t>(o * taps) + k] = static_cast<float>(merged[k].weight);
    }
    // Padding taps repeat a real index with weight 0, so they read valid memory.
    if (!merged.empty())
      for (std::size_t k = merged.size(); k < static_cast<std::size_t>(taps); ++k)
        table.index[static_cast<std::size_t>(o * taps) + k] = merged[0].index;
  }
  table.outside = std::move(outside);
  table.any_outside = std::find(table.outside.begin(), table.outside.end(), 1) != table.outside.end();
  return table;
}

std::int64_t resize_row_count(const ResizeParams& p) {
  std::int64_t rows = 1;
  for (std::size_t d = 0; d + 1 < p.axes.size(); ++d) rows *= p.axes[d].out;
  return rows;
}

namespace {

struct RowWalk {
  const ResizeParams& p;
  const float* x;
  const std::int64_t* in_stride;
  const std::int64_t* out_coord;
  float* y_row;

  // Adds weight * (the row interpolated along the innermost axis, from the
  // input row at `offset`) for every combination of outer taps, outermost first.
  void accumulate(std::size_t d, std::int64_t offset, float weight) const {
    const ResizeTable& t = p.axes[d];
    if (d + 1 == p.axes.size()) {
      const float* in = x + offset;
      for (std::int64_t o = 0; o < t.out; ++o) {
        const std::int64_t* index = t.index.data() + o * t.taps;
        const float* w = t.weight.data() + o * t.taps;
        float sum = 0.0f;
        for (std::int64_t k = 0; k < t.taps; ++k) sum += w[k] * in[index[k]];
        y_row[o] += weight * sum;
      }
      return;
    }
    const std::int64_t o = out_coord[d];
    for (std::int64_t k = 0; k < t.taps; ++k) {
      const float w = t.weight[static_cast<std::size_t>(o * t.taps + k)];
      if (w == 0.0f) continue;  // padding taps
      accumulate(d + 1, offset + t.index[static_cast<std::size_t>(o * t.taps + k)] * in_stride[d], weight * w);
    }
  }
};

}  // namespace

void resize_reference(const ResizeParams& p, const float* x, float* y, std::int64_t row_begin, std::int64_t row_end) {
  const std::size_t rank = p.axes.size();
  if (rank == 0 || rank > kMaxResizeRank) return;
  std::int64_t in_stride[kMaxResizeRank], out_coord[kMaxResizeRank] = {};
  in_stride[rank - 1] = 1;
  for (std::size_t d = rank - 1; d-- > 0;) in_stride[d] = in_stride[d + 1] * p.axes[d + 1].in;
  const ResizeTable& last = p.axes[rank - 1];

  for (std::int64_t row = row_begin; row < row_end; ++row) {
    std::int64_t rest = row;
    bool outside = false;
    for (std::size_t d = rank - 1; d-- > 0;) {
      out_coord[d] = rest % p.axes[d].out;
      rest /= p.axes[d].out;
      outside = outside || p.axes[d].outside[static_cast<std::size_t>(out_coord[d])];
    }
    float* y_row = y + row * last.out;
    if (outside) {
      std::fill(y_row, y_row + last.out, p.extrapolation_value);
      continue;
    }
    std::fill(y_row, y_row + last.out, 0.0f);
    RowWalk{p, x, in_stride, out_coord, y_row}.accumulate(0, 0, 1.0f);
    if (last.any_outside)
      for (std::int64_t o = 0; o < last.out; ++o)
        if (last.outside[static_cast<std::size_t>(o)]) y_row[o] = p.extrapolation_value;
  }
}

}  // namespace onnxrun::reference
