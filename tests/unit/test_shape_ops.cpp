// Shape and data-movement ops against a naive oracle: every output element is
// looked up through an index function written here from the ONNX text (and,
// for Slice and Pad, from Python's slice and numpy.pad semantics), on data
// whose values are their own flat index so that any misplaced element shows.
// Each case runs with 1 and 3 threads, which must agree bit for bit. Then a
// Session-level test that PyTorch's x.view(x.size(0), -1) chain folds at load.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "frontends/onnx/onnx_loader.hpp"
#include "onnxrun/onnxrun.hpp"
#include "runtime/exec/plan.hpp"
#include "tests/support/model_builder.hpp"
#include "tests/support/op_runner.hpp"
#include "tests/support/tensor_helpers.hpp"

using namespace onnxrun;
using namespace onnxrun::testing;  // OpRunner, tensor_helpers.hpp

namespace {

constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();

// Values 0, 1, 2, ... in any dtype (wrapping for uint8, 0/1 alternating for bool).
Tensor iota(DType dtype, const Shape& shape) {
  Tensor t = Tensor::allocate(dtype, shape);
  for (std::int64_t i = 0; i < t.element_count(); ++i) {
    switch (dtype) {
      case DType::Float32: t.mutable_data_as<float>()[i] = static_cast<float>(i); break;
      case DType::Float64: t.mutable_data_as<double>()[i] = static_cast<double>(i) + 0.5; break;
      case DType::Int32: t.mutable_data_as<std::int32_t>()[i] = static_cast<std::int32_t>(i); break;
      case DType::Int64: t.mutable_data_as<std::int64_t>()[i] = i * 1000003; break;
      case DType::UInt8: t.mutable_data_as<std::uint8_t>()[i] = static_cast<std::uint8_t>(i * 7); break;
      case DType::Bool: t.mutable_data_as<bool>()[i] = (i % 3) == 1; break;
    }
  }
  return t;
}
Tensor iota(const Shape& shape) { return iota(DType::Float32, shape); }

Tensor i64(const Ints& values) { return Tensor::from_values<std::int64_t>({static_cast<std::int64_t>(values.size())}, values); }
Tensor i32(const Ints& values) {
  std::vector<std::int32_t> narrow(values.begin(), values.end());
  return Tensor::from_values<std::int32_t>({static_cast<std::int64_t>(values.size())}, narrow);
}

// The oracle: out[o] = x[source(o)], or `fill` where source gives nothing.
using Source = std::function<std::optional<Ints>(const Ints&)>;
Tensor reference(const Tensor& x, const Shape& out_shape, const Source& source, const void* fill = nullptr) {
  Tensor out = Tensor::allocate(x.dtype(), out_shape);
  const std::size_t es = dtype_size(x.dtype());
  const auto* in = static_cast<const std::byte*>(x.data());
  auto* o = static_cast<std::byte*>(out.mutable_data());
  for (std::int64_t i = 0; i < out.element_count(); ++i) {
    const std::optional<Ints> from = source(unravel(i, out_shape));
    if (from) std::memcpy(o + i * es, in + ravel(*from, x.shape()) * es, es);
    else if (fill) std::memcpy(o + i * es, fill, es);
    else FAIL("the oracle has no fill value for output element " << i);
  }
  return out;
}

template <class T> std::vector<T> values(const Tensor& t) {
  return std::vector<T>(t.data_as<T>(), t.data_as<T>() + t.element_count());
}

const std::vector<DType> kAllTypes{DType::Float32, DType::Float64, DType::Int32,
                                   DType::Int64,   DType::UInt8,   DType::Bool};

}  // namespace

TEST_CASE("Gather: any axis, negative and int32/int64 indices, every dtype") {
  const Shape data_shape{3, 4, 5};
  for (std::int64_t axis : {0, 1, 2, -1, -3})
    for (bool wide : {true, false})
      for (DType dtype : {DType::Float32, DType::UInt8, DType::Int64}) {
        INFO("axis " << axis << ", int64 indices " << wide);
        const std::int64_t a = axis < 0 ? axis + 3 : axis, n = data_shape[static_cast<std::size_t>(a)];
        const Ints idx{0, n - 1, -1, -n, 1, 0};
        const Tensor indices = wide ? Tensor::from_values<std::int64_t>({2, 3}, idx)
                                    : Tensor::from_values<std::int32_t>({2, 3}, {0, int(n - 1), -1, int(-n), 1, 0});
        const Tensor x = iota(dtype, data_shape);
        Shape out_shape(data_shape.begin(), data_shape.begin() + a);
        out_shape.insert(out_shape.end(), {2, 3});
        out_shape.insert(out_shape.end(), data_shape.begin() + a + 1, data_shape.end());
        const Tensor expected = reference(x, out_shape, [&](const Ints& o) {
          Ints from(o.begin(), o.begin() + a);
          std::int64_t i = idx[static_cast<std::size_t>(o[a] * 3 + o[a + 1])];
          from.push_back(i < 0 ? i + n : i);
          from.insert(from.end(), o.begin() + a + 2, o.end());
          return std::optional<Ints>(from);
        });
        check_identical(run_threads_single(OpRunner("Gather", 13).attr_int("axis", axis).input(x).input(indices)), expected);
        check_identical(run_threads_single(OpRunner("Gather", 13).attr_int("axis", axis).input(x).constant(indices)), expected);
      }
  // A scalar index drops the axis.
  const Tensor scalar = run_threads_single(OpRunner("Gather", 1).input(iota({4, 2})).input(Tensor::from_values<std::int64_t>({}, {2})));
  CHECK(scalar.shape() == Shape{2});
  CHECK(values<float>(scalar) == std::vector<float>{4, 5});
}

TEST_CASE("Gather: out-of-range indices fail at load when constant, read zeros at run time") {
  check_mentions(OpRunner("Gather", 13, "g").attr_int("axis", 1).input(iota({2, 3})).constant(i64({3})).infer_error(),
                 {"node 'g' (Gather)", "index 3", "[2,3]"});
  check_mentions(OpRunner("Gather", 13).input(iota({2, 3})).constant(i64({-3})).infer_error(), {"index -3"});
  const Tensor out = run_threads_single(OpRunner("Gather", 13).attr_int("axis", 1).input(iota({2, 3})).input(i64({7, 1, -9})));
  CHECK(values<float>(out) == std::vector<float>{0, 1, 0, 0, 4, 0});
}

TEST_CASE("Squeeze and Unsqueeze: axes attribute before 13, input from 13, negative axes") {
  const Tensor x = iota({1, 3, 1, 2});
  for (std::int64_t opset : {11, 13, 21}) {
    CAPTURE(opset);
    auto squeeze = [&](std::optional<Ints> axes) {
      OpRunner r("Squeeze", opset);
      r.input(x);
      if (axes && opset < 13) r.attr_ints("axes", *axes);
      if (axes && opset >= 13) r.constant(i64(*axes));
      return run_threads_single(r);
    };
    CHECK(squeeze(std::nullopt).shape() == Shape{3, 2});
    CHECK(squeeze(Ints{-2}).shape() == Shape{1, 3, 2});
    CHECK(squeeze(Ints{0, 2}).shape() == Shape{3, 2});
    check_identical(Tensor::view(DType::Float32, {3, 2}, squeeze(Ints{0, -2}).data()), iota({3, 2}));

    auto unsqueeze = [&](const Ints& axes) {
      OpRunner r("Unsqueeze", opset);
      r.input(iota({3, 2}));
      if (opset < 13) r.attr_ints("axes", axes);
      else r.constant(i64(axes));
      return run_threads_single(r);
    };
    CHECK(unsqueeze({0}).shape() == Shape{1, 3, 2});
    CHECK(unsqueeze({-1}).shape() == Shape{3, 2, 1});
    CHECK(unsqueeze({4, 0, -3}).shape() == Shape{1, 3, 1, 2, 1});
    CHECK(values<float>(unsqueeze({1, 3})) == values<float>(iota({3, 2})));
  }
  check_mentions(OpRunner("Squeeze", 13, "sq").input(x).constant(i64({1})).infer_error(),
                 {"node 'sq' (Squeeze)", "axis 1 of size 3", "[1,3,1,2]"});
  check_mentions(OpRunner("Unsqueeze", 13).input(x).constant(i64({0, -6})).infer_error(), {"twice"});
  check_mentions(OpRunner("Unsqueeze", 13).input(x).constant(i64({6})).infer_error(), {"out of range"});
}

TEST_CASE("Concat: negative axes, zero-size inputs, every dtype") {
  for (DType dtype : kAllTypes)
    for (std::int64_t axis : {0, 1, 2, -1, -2}) {
      CAPTURE(axis);
      const std::size_t a = static_cast<std::size_t>(axis < 0 ? axis + 3 : axis);
      const Shape base{2, 3, 4};
      std::vector<Tensor> parts;
      for (std::int64_t size : {2, 0, 1, 3}) {
        Shape s = base;
        s[a] = size;
        parts.push_back(iota(dtype, s));
      }
      OpRunner r("Concat", 13);
      r.attr_int("axis", axis);
      for (const Tensor& p : parts) r.input(p);
      Shape out_shape = base;
      out_shape[a] = 6;
      // The expectation, element by element: walk past the inputs before this one.
      Tensor want = Tensor::allocate(dtype, out_shape);
      const std::size_t es = dtype_size(dtype);
      for (std::int64_t i = 0; i < want.element_count(); ++i) {
        Ints o = unravel(i, out_shape);
        std::size_t p = 0;
        while (o[a] >= parts[p].shape()[a]) o[a] -= parts[p++].shape()[a];
        std::memcpy(static_cast<std::byte*>(want.mutable_data()) + i * es,
                    static_cast<const std::byte*>(parts[p].data()) + ravel(o, parts[p].shape()) * es, es);
      }
      check_identical(run_threads_single(r), want);
    }
  check_mentions(OpRunner("Concat", 13, "cat").attr_int("axis", 0).input(iota({2, 3})).input(iota({2, 4})).infer_error(),
                 {"node 'cat' (Concat)", "[2,4]", "[2,3]"});
}

TEST_CASE("Split: attribute, input, equal parts, num_outputs with an uneven last chunk") {
  const Tensor x = iota({2, 7});
  auto check_parts = [&](const std::vector<Tensor>& outs, const Ints& sizes, std::int64_t axis) {
    REQUIRE(outs.size() == sizes.size());
    std::int64_t offset = 0;
    for (std::size_t j = 0; j < sizes.size(); ++j) {
      Shape s = x.shape();
      s[static_cast<std::size_t>(axis)] = sizes[j];
      check_identical(outs[j], reference(x, s, [&](const Ints& o) {
        Ints from = o;
        from[static_cast<std::size_t>(axis)] += offset;
        return std::optional<Ints>(from);
      }));
      offset += sizes[j];
    }
  };
  check_parts(run_threads(OpRunner("Split", 11).attr_int("axis", -1).attr_ints("split", {2, 0, 5}).set_output_count(3).input(x)),
              {2, 0, 5}, 1);
  check_parts(run_threads(OpRunner("Split", 13).attr_int("axis", 1).set_output_count(3).input(x).constant(i64({3, 3, 1}))),
              {3, 3, 1}, 1);
  check_parts(run_threads(OpRunner("Split", 2).set_output_count(2).input(x)), {1, 1}, 0);
  check_parts(run_threads(OpRunner("Split", 18).attr_int("axis", 1).attr_int("num_outputs", 3).set_output_count(3).input(x)),
              {3, 3, 1}, 1);
  check_parts(run_threads(OpRunner("Split", 18).attr_int("axis", 1).attr_int("num_outputs", 4).set_output_count(4).input(x)),
              {2, 2, 2, 1}, 1);
  // An output the model omits is neither inferred into nor written.
  const auto partial = run_threads(OpRunner("Split", 13).attr_int("axis", 1).set_output_count(2).omit_output(0).input(iota({2, 4})));
  CHECK(partial[0].empty());
  CHECK(values<float>(partial[1]) == std::vector<float>{2, 3, 6, 7});
  check_mentions(OpRunner("Split", 13, "sp").attr_int("axis", 1).set_output_count(2).input(x).infer_error(),
                 {"node 'sp' (Split)", "[2,7]", "2 equal parts"});
  check_mentions(OpRunner("Split", 13).attr_int("axis", 1).set_output_count(2).input(x).constant(i64({3, 3})).infer_error(),
                 {"sums to 6"});
}

namespace {

// Python's slice.indices(), element by element: the oracle for Slice, with
// the two places where ONNX (spec and ONNX Runtime) differs from Python: an
// end of INT_MAX is None, and a backward start before -n is 0, not -1.
Ints python_slice(std::int64_t start, std::int64_t stop, std::int64_t step, std::int64_t n) {
  auto adjust = [&](std::int64_t v) -> __int128 {
    __int128 w = v;
    if (w < 0) w += n;
    if (w < 0) return step < 0 ? -1 : 0;
    if (w >= n) return step < 0 ? n - 1 : n;
    return w;
  };
  __int128 first = adjust(start);
  if (step < 0 && first < 0) first = 0;
  const bool none = stop == kMax || stop == std::numeric_limits<std::int32_t>::max();
  const __int128 end = none ? (step < 0 ? -1 : n) : adjust(stop);
  Ints picked;
  for (__int128 i = first; step > 0 ? i < end : i > end; i += step) picked.push_back(static_cast<std::int64_t>(i));
  return picked;
}

}  // namespace

TEST_CASE("Slice: steps of both signs, clamped and extreme ends, attributes before opset 10") {
  const Shape shape{5, 6, 4};
  const Tensor x = iota(shape);
  const std::vector<Ints> specs{  // start, end, step on axis 1
      {0, 6, 1}, {1, 5, 2}, {-1, kMin, -1}, {kMax, kMin, -2}, {-100, 100, 3}, {5, 0, -1}, {2, 2, 1}, {4, 1, 1},
      {0, kMax, kMax}, {-1, -7, kMin}, {3, -100, -4}, {-2, kMax, 1}, {7, 9, 1}, {-9, -8, -1},
      {4, kMax, -1}, {-8, -1, -1}, {5, 2147483647, -2}, {1, 2147483647, 1}};
  for (const Ints& s : specs)
    for (std::int64_t axis_arg : {1, -2}) {
      INFO("start " << s[0] << ", end " << s[1] << ", step " << s[2] << ", axis " << axis_arg);
      const Ints picked = python_slice(s[0], s[1], s[2], 6);
      const Tensor expected = reference(x, {5, static_cast<std::int64_t>(picked.size()), 4}, [&](const Ints& o) {
        return std::optional<Ints>(Ints{o[0], picked[static_cast<std::size_t>(o[1])], o[2]});
      });
      check_identical(run_threads_single(OpRunner("Slice", 13).input(x).constant(i64({s[0]})).constant(i64({s[1]}))
                               .constant(i64({axis_arg})).constant(i64({s[2]}))),
                      expected);
      auto fits32 = [](std::int64_t v) { return v >= std::numeric_limits<std::int32_t>::min() && v <= std::numeric_limits<std::int32_t>::max(); };
      if (s[2] == 1 && fits32(s[0]) && fits32(s[1]))
        check_identical(run_threads_single(OpRunner("Slice", 10).input(x).constant(i32({0, s[0]})).constant(i32({5, s[1]}))), expected);
      if (s[2] == 1)
        check_identical(run_threads_single(OpRunner("Slice", 1).attr_ints("starts", {s[0]}).attr_ints("ends", {s[1]})
                                 .attr_ints("axes", {axis_arg}).input(x)),
                        expected);
    }
  // Several axes at once, default axes and steps, any dtype.
  for (DType dtype : kAllTypes) {
    const Tensor xt = iota(dtype, shape);
    const Tensor expected = reference(xt, {2, 3, 2}, [](const Ints& o) {
      return std::optional<Ints>(Ints{4 - 2 * o[0], 1 + o[1], 3 - o[2] * 2});
    });
    check_identical(run_threads_single(OpRunner("Slice", 13).input(xt).constant(i64({-1, 1, kMax})).constant(i64({0, 4, kMin}))
                             .constant(i64({0, 1, 2})).constant(i64({-2, 1, -2}))),
                    expected);
  }
  CHECK(run_threads_single(OpRunner("Slice", 13).input(x).constant(i64({1})).constant(i64({3}))).shape() == Shape{2, 6, 4});
  check_mentions(OpRunner("Slice", 13, "sl").input(x).constant(i64({0})).constant(i64({1})).constant(i64({1}))
                     .constant(i64({0})).infer_error(),
                 {"node 'sl' (Slice)", "steps"});
  check_mentions(OpRunner("Slice", 13).input(x).constant(i64({0, 0})).constant(i64({1, 1})).constant(i64({1, -2})).infer_error(),
                 {"twice"});
  check_mentions(OpRunner("Slice", 13).input(x).input(i64({0})).constant(i64({1})).infer_error(), {"computed at run time"});
}

TEST_CASE("Transpose: every permutation of rank 3 and 4, default reverse, every dtype") {
  for (const Shape& shape : {Shape{2, 3, 4}, Shape{2, 1, 3, 5}}) {
    Ints perm(shape.size());
    for (std::size_t d = 0; d < perm.size(); ++d) perm[d] = static_cast<std::int64_t>(d);
    do {
      for (DType dtype : {DType::Float32, DType::UInt8, DType::Float64}) {
        const Tensor x = iota(dtype, shape);
        Shape out;
        for (std::int64_t p : perm) out.push_back(shape[static_cast<std::size_t>(p)]);
        const Tensor expected = reference(x, out, [&](const Ints& o) {
          Ints from(shape.size());
          for (std::size_t d = 0; d < perm.size(); ++d) from[static_cast<std::size_t>(perm[d])] = o[d];
          return std::optional<Ints>(from);
        });
        check_identical(run_threads_single(OpRunner("Transpose", 13).attr_ints("perm", perm).input(x)), expected);
      }
    } while (std::next_permutation(perm.begin(), perm.end()));
  }
  const Tensor t = run_threads_single(OpRunner("Transpose", 1).input(iota({2, 3, 4})));
  CHECK(t.shape() == Shape{4, 3, 2});
  CHECK(t.data_as<float>()[1] == 12);
  // Big enough for the pool to split rows and long runs.
  const Tensor big = iota({3, 40000});
  check_identical(run_threads_single(OpRunner("Transpose", 13).input(big)),
                  reference(big, {40000, 3}, [](const Ints& o) { return std::optional<Ints>(Ints{o[1], o[0]}); }));
  check_mentions(OpRunner("Transpose", 13, "tr").attr_ints("perm", {0, 0, 1}).input(iota({2, 3, 4})).infer_error(),
                 {"node 'tr' (Transpose)", "twice"});
}

TEST_CASE("Expand and Tile: bidirectional broadcast, repeats, every dtype") {
  struct Case { Shape in; Ints target; Shape out; };
  for (const Case& c : {Case{{3, 1}, {2, 1, 6}, {2, 3, 6}}, Case{{3, 4}, {1, 1}, {3, 4}}, Case{{1}, {2, 3}, {2, 3}},
                        Case{{2, 1, 3}, {4, 1}, {2, 4, 3}}, Case{{}, {3}, {3}}, Case{{2, 1}, {2, 0}, {2, 0}}})
    for (DType dtype : kAllTypes) {
      const Tensor x = iota(dtype, c.in);
      const Tensor expected = reference(x, c.out, [&](const Ints& o) {
        Ints from(c.in.size());
        for (std::size_t d = 0; d < c.in.size(); ++d) from[d] = c.in[d] == 1 ? 0 : o[d + c.out.size() - c.in.size()];
        return std::optional<Ints>(from);
      });
      check_identical(run_threads_single(OpRunner("Expand", 13).input(x).constant(i64(c.target))), expected);
    }
  check_mentions(OpRunner("Expand", 13, "ex").input(iota({3, 2})).constant(i64({4, 4})).infer_error(),
                 {"node 'ex' (Expand)", "[3,2]", "[4,4]"});

  for (const Ints& repeats : {Ints{1, 1, 1}, Ints{2, 1, 3}, Ints{1, 4, 1}, Ints{3, 2, 2}, Ints{2, 0, 1}})
    for (DType dtype : {DType::Float32, DType::Bool, DType::Int64}) {
      const Shape in{2, 3, 2};
      const Tensor x = iota(dtype, in);
      const Shape out{2 * repeats[0], 3 * repeats[1], 2 * repeats[2]};
      const Tensor expected = reference(x, out, [&](const Ints& o) {
        return std::optional<Ints>(Ints{o[0] % 2, o[1] % 3, o[2] % 2});
      });
      check_identical(run_threads_single(OpRunner("Tile", 13).input(x).constant(i64(repeats))), expected);
    }
  check_mentions(OpRunner("Tile", 13).input(iota({2, 3})).constant(i64({2})).infer_error(), {"repeats [2]", "[2,3]"});
}

TEST_CASE("ConstantOfShape and Range") {
  const Tensor zeros = run_threads_single(OpRunner("ConstantOfShape", 9).constant(i64({2, 3})));
  CHECK(zeros.dtype() == DType::Float32);
  CHECK(values<float>(zeros) == std::vector<float>(6, 0.0f));
  // OpRunner has no tensor attributes; its node is ours to extend.
  OpRunner filled("ConstantOfShape", 20);
  Attribute value;
  value.kind = Attribute::Kind::Tensor;
  value.tensor = Tensor::from_values<std::int64_t>({1}, {-7});
  const_cast<Node&>(filled.node()).attributes.set("value", value);
  filled.constant(i64({3}));
  CHECK(values<std::int64_t>(run_threads_single(filled)) == std::vector<std::int64_t>{-7, -7, -7});
  CHECK(run_threads_single(OpRunner("ConstantOfShape", 9).constant(i64({}))).shape() == Shape{});
  CHECK(run_threads_single(OpRunner("ConstantOfShape", 9).constant(i64({4, 0}))).shape() == Shape{4, 0});
  check_mentions(OpRunner("ConstantOfShape", 9, "cos").input(i64({2})).infer_error(),
                 {"node 'cos' (ConstantOfShape)", "computed at run time"});

  auto range_i = [](std::int64_t a, std::int64_t b, std::int64_t d) {
    return values<std::int64_t>(run_threads_single(OpRunner("Range", 11).constant(Tensor::from_values<std::int64_t>({}, {a}))
                                         .constant(Tensor::from_values<std::int64_t>({}, {b}))
                                         .constant(Tensor::from_values<std::int64_t>({}, {d}))));
  };
  CHECK(range_i(0, 5, 2) == std::vector<std::int64_t>{0, 2, 4});
  CHECK(range_i(10, 4, -3) == std::vector<std::int64_t>{10, 7});
  CHECK(range_i(3, 3, 1).empty());
  CHECK(range_i(3, 9, -1).empty());
  CHECK(range_i(kMin, kMax, kMax) == std::vector<std::int64_t>{kMin, -1, kMax - 1});
  const Tensor f = run_threads_single(OpRunner("Range", 11).constant(Tensor::from_values<float>({}, {1.0f}))
                            .constant(Tensor::from_values<float>({}, {2.0f}))
                            .constant(Tensor::from_values<float>({}, {0.25f})));
  CHECK(values<float>(f) == std::vector<float>{1.0f, 1.25f, 1.5f, 1.75f});
  check_mentions(OpRunner("Range", 11).constant(Tensor::from_values<std::int32_t>({}, {0}))
                     .constant(Tensor::from_values<std::int32_t>({}, {4}))
                     .constant(Tensor::from_values<std::int32_t>({}, {0})).infer_error(),
                 {"delta is 0"});
}

namespace {

// numpy.pad's index rules, by repeated reflection / wrapping rather than a
// formula, on the part of the axis that negative pads leave (ONNX Runtime
// crops first, then pads from what is left). v counts from the kept part's start.
std::optional<std::int64_t> pad_source(const std::string& mode, std::int64_t v, std::int64_t n) {
  if (v >= 0 && v < n) return v;
  if (mode == "constant") return std::nullopt;
  if (mode == "edge") return std::clamp<std::int64_t>(v, 0, n - 1);
  if (mode == "wrap") return ((v % n) + n) % n;
  if (n == 1) return 0;
  while (v < 0 || v >= n) v = v < 0 ? -v : 2 * (n - 1) - v;
  return v;
}

// Input coordinate for output coordinate o along an axis of n with pads (b, e).
std::optional<std::int64_t> padded_source(const std::string& mode, std::int64_t o, std::int64_t n, std::int64_t b,
                                          std::int64_t e) {
  const std::int64_t crop_b = std::max<std::int64_t>(0, -b), kept = n - crop_b - std::max<std::int64_t>(0, -e);
  const auto v = pad_source(mode, o - std::max<std::int64_t>(0, b), kept);
  if (!v) return std::nullopt;
  return crop_b + *v;
}

}  // namespace

TEST_CASE("Pad: constant, reflect, edge and wrap; attributes, inputs, axes and cropping") {
  const Shape in{3, 4};
  const std::vector<Ints> pad_sets{{0, 0, 0, 0}, {1, 2, 1, 0}, {0, 5, 2, 7}, {2, 0, 0, 3}, {-1, 1, 0, -2}, {1, -3, -1, 2}};
  for (const std::string mode : {"constant", "reflect", "edge", "wrap"})
    for (const Ints& pads : pad_sets)
      for (DType dtype : {DType::Float32, DType::UInt8, DType::Int64}) {
        INFO("mode " << mode << ", pads " << shape_to_string(pads) << ", " << dtype_name(dtype));
        const Tensor x = iota(dtype, in);
        const Shape out{3 + pads[0] + pads[2], 4 + pads[1] + pads[3]};
        Tensor fill = iota(dtype, {5});
        const std::size_t es = dtype_size(dtype);
        const void* fill_value = static_cast<const std::byte*>(fill.data()) + 3 * es;
        const Tensor expected = reference(x, out, [&](const Ints& o) -> std::optional<Ints> {
          const auto r = padded_source(mode, o[0], 3, pads[0], pads[2]);
          const auto c = padded_source(mode, o[1], 4, pads[1], pads[3]);
          if (!r || !c) return std::nullopt;
          return Ints{*r, *c};
        }, fill_value);
        const Tensor scalar = Tensor::view(dtype, {}, fill_value);
        const OpRunner r11 = OpRunner("Pad", 11).attr_string("mode", mode).input(x).constant(i64(pads)).constant(scalar);
        check_identical(run_threads_single(r11), expected);
        // Opset 18 axes, reordered: pads follow the axes' order.
        const OpRunner r18 = OpRunner("Pad", 18).attr_string("mode", mode).input(x)
                                 .constant(i64({pads[1], pads[0], pads[3], pads[2]})).constant(scalar).constant(i64({-1, 0}));
        check_identical(run_threads_single(r18), expected);
        if (dtype == DType::Float32) {
          const float v = *static_cast<const float*>(fill_value);
          check_identical(run_threads_single(OpRunner("Pad", 2).attr_string("mode", mode).attr_ints("pads", pads).attr_float("value", v).input(x)),
                          expected);
          check_identical(run_threads_single(OpRunner("Pad", 1).attr_string("mode", mode).attr_ints("paddings", pads).attr_float("value", v).input(x)),
                          expected);
        }
      }
  // Only the listed axis is padded; the default fill is 0.
  const Tensor one_axis = run_threads_single(OpRunner("Pad", 18).input(iota({2, 2})).constant(i64({1, 0})).missing_input().constant(i64({1})));
  CHECK(values<float>(one_axis) == std::vector<float>{0, 0, 1, 0, 2, 3});
  const Tensor from_scalar = run_threads_single(OpRunner("Pad", 13).attr_string("mode", "reflect").input(iota({1, 1})).constant(i64({0, 2, 0, 1})));
  CHECK(values<float>(from_scalar) == std::vector<float>(4, 0.0f));
  check_mentions(OpRunner("Pad", 13, "pad").input(iota({2, 2})).constant(i64({1, 1})).infer_error(),
                 {"node 'pad' (Pad)", "pads [1,1]", "[2,2]"});
  check_mentions(OpRunner("Pad", 13).input(iota({2, 2})).constant(i64({-3, 0, 0, 0})).infer_error(), {"below size 0"});
  check_mentions(OpRunner("Pad", 13).attr_string("mode", "edge").input(iota({0, 2})).constant(i64({1, 0, 0, 0})).infer_error(),
                 {"nothing is left"});
}

// --- whole models through Session ---

namespace {

SessionOptions one_thread() {
  SessionOptions o;
  o.threads = 1;
  return o;
}

// torch: y = relu(x).view(x.size(0), -1), as exported at opset 13.
ModelBuilder view_batch_model(std::int64_t opset) {
  ModelBuilder model(opset);
  model.input("X", FLOAT, {"batch", 2, 3})
      .initializer(raw_tensor<std::int64_t>("zero", {}, {0}))
      .initializer(raw_tensor<std::int64_t>("axes0", {1}, {0}))
      .initializer(raw_tensor<std::int64_t>("minus_one", {1}, {-1}))
      .node("Relu", {"X"}, {"R"}, "relu")
      .node("Shape", {"X"}, {"S"}, "shape")
      .node("Gather", {"S", "zero"}, {"B"}, "gather", {attr_int("axis", 0)});
  if (opset >= 13) model.node("Unsqueeze", {"B", "axes0"}, {"B1"}, "unsqueeze");
  else model.node("Unsqueeze", {"B"}, {"B1"}, "unsqueeze", {attr_ints("axes", {0})});
  model.node("Concat", {"B1", "minus_one"}, {"T"}, "concat", {attr_int("axis", 0)})
      .node("Reshape", {"R", "T"}, {"Y"}, "reshape")
      .node("Size", {"X"}, {"N"}, "size")
      .output("Y")
      .output("N");
  return model;
}

}  // namespace

TEST_CASE("Session: Shape -> Gather -> Unsqueeze -> Concat -> Reshape folds and follows the batch size") {
  for (std::int64_t opset : {11, 13, 17}) {
    CAPTURE(opset);
    const std::string bytes = view_batch_model(opset).bytes();
    const Session session = Session::from_bytes(bytes.data(), bytes.size(), one_thread());
    for (std::int64_t batch : {1, 3, 1}) {
      CAPTURE(batch);
      const Tensor x = iota({batch, 2, 3});
      std::vector<float> data = values<float>(x);
      data[0] = -5;  // relu runs
      const auto out = session.run({{"X", Tensor::from_values<float>({batch, 2, 3}, data)}});
      REQUIRE(out.at(0).tensor.shape() == Shape{batch, 6});
      std::vector<float> want = values<float>(x);
      want[0] = 0;
      CHECK(values<float>(out[0].tensor) == want);
      CHECK(values<std::int64_t>(out[1].tensor) == std::vector<std::int64_t>{batch * 6});
    }

    // Only Relu and Reshape are left to execute: the shape arithmetic ran at load.
    const Graph graph = load_onnx_bytes(bytes.data(), bytes.size(), "");
    ThreadPool pool(1);
    const Plan plan(graph, builtin_op_registry(), {Shape{4, 2, 3}}, {nullptr}, pool);
    CHECK(plan.step_count() == 2);
  }
}

TEST_CASE("Session: Shape start/end, and a Slice whose bounds are graph inputs re-plans per value") {
  ModelBuilder model(17);
  model.input("X", FLOAT, {"n", 4})
      .input("starts", INT64, {1})
      .node("Shape", {"X"}, {"S"}, "shape", {attr_int("start", -1)})
      .node("Shape", {"X"}, {"S0"}, "shape0", {attr_int("end", -1)})
      .initializer(raw_tensor<std::int64_t>("ends", {1}, {kMax}))
      .node("Slice", {"X", "starts", "ends"}, {"Y"}, "slice")
      .output("S")
      .output("S0")
      .output("Y");
  const std::string bytes = model.bytes();
  const Session session = Session::from_bytes(bytes.data(), bytes.size(), one_thread());
  for (std::int64_t start : {1, -1, 0}) {
    CAPTURE(start);
    const auto out = session.run({{"X", iota({3, 4})}, {"starts", i64({start})}});
    CHECK(values<std::int64_t>(out[0].tensor) == std::vector<std::int64_t>{4});
    CHECK(values<std::int64_t>(out[1].tensor) == std::vector<std::int64_t>{3});
    const std::int64_t first = start < 0 ? start + 3 : start;
    CHECK(out[2].tensor.shape() == Shape{3 - first, 4});
    CHECK(values<float>(out[2].tensor).front() == static_cast<float>(first * 4));
  }
}
