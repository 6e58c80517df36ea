// Tests for .npy reading and writing: round trips, hand-built headers in every
// format version, byte-exact agreement with numpy.save, and each way a file
// can be malformed.
#include <doctest/doctest.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "onnxrun/npy.hpp"

using onnxrun::DType;
using onnxrun::Error;
using onnxrun::Shape;
using onnxrun::Tensor;

namespace {

// A .npy file with the given version and header text, unpadded, followed by data.
std::string npy_file(unsigned major, const std::string& header, const std::string& data = "") {
  std::string out("\x93NUMPY", 6);
  out += static_cast<char>(major);
  out += '\0';
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  for (std::size_t i = 0; i < length_bytes; ++i) out += static_cast<char>((header.size() >> (8 * i)) & 0xff);
  return out + header + data;
}

template <class T>
std::string raw_bytes(const std::vector<T>& values) {
  std::string out(values.size() * sizeof(T), '\0');
  if (!values.empty()) std::memcpy(out.data(), values.data(), out.size());
  return out;
}

Tensor parse(const std::string& file) { return onnxrun::parse_npy(file.data(), file.size(), "test.npy"); }

std::string parse_error(const std::string& file) {
  try {
    parse(file);
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error thrown)";
}

const std::string kF32Header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";

}  // namespace

// A macro, not a function, so that a failure reports the caller's line.
#define CHECK_NPY_ERROR(file, phrase)                             \
  do {                                                            \
    const std::string message_ = parse_error(file);               \
    INFO("message: ", message_);                                  \
    CHECK(message_.rfind("test.npy: ", 0) == 0);                  \
    CHECK(message_.find(phrase) != std::string::npos);            \
  } while (false)

TEST_CASE("npy: every dtype and shape round-trips through serialize and parse") {
  const DType dtypes[] = {DType::Float32, DType::Float64, DType::Int32,
                          DType::Int64,   DType::UInt8,   DType::Bool};
  const Shape shapes[] = {{}, {0}, {5}, {2, 3, 4}};
  for (DType dtype : dtypes) {
    for (const Shape& shape : shapes) {
      CAPTURE(onnxrun::dtype_name(dtype));
      CAPTURE(onnxrun::shape_to_string(shape));
      Tensor tensor = Tensor::allocate(dtype, shape);
      auto* bytes = static_cast<unsigned char*>(tensor.mutable_data());
      for (std::size_t i = 0; i < tensor.byte_size(); ++i)
        bytes[i] = dtype == DType::Bool ? static_cast<unsigned char>(i % 2) : static_cast<unsigned char>(i * 37 + 11);

      const std::string file = onnxrun::serialize_npy(tensor);
      REQUIRE(file.size() >= tensor.byte_size());
      const std::size_t data_offset = file.size() - tensor.byte_size();
      CHECK(data_offset % 64 == 0);
      CHECK(file[data_offset - 1] == '\n');
      CHECK(file[6] == 1);  // version 1.0 whenever the header fits

      const Tensor back = parse(file);
      CHECK(back.dtype() == dtype);
      CHECK(back.shape() == shape);
      REQUIRE(back.byte_size() == tensor.byte_size());
      if (tensor.byte_size() > 0) CHECK(std::memcmp(back.data(), tensor.data(), tensor.byte_size()) == 0);
    }
  }
}

TEST_CASE("npy: a header too long for version 1.0 is written as version 2.0") {
  // 30000 dims of 1 spell a ~90 KB dict, beyond version 1.0's 16-bit length.
  const Tensor tensor = Tensor::from_values<float>(Shape(30000, 1), {42.0f});
  const std::string file = onnxrun::serialize_npy(tensor);
  CHECK(file[6] == 2);
  CHECK((file.size() - 4) % 64 == 0);
  const Tensor back = parse(file);
  CHECK(back.shape() == tensor.shape());
  CHECK(back.data_as<float>()[0] == 42.0f);
}

TEST_CASE("npy: write_npy and read_npy round-trip through a file") {
  const auto path = (std::filesystem::temp_directory_path() / "onnxrun_test_npy_roundtrip.npy").string();
  const Tensor tensor = Tensor::from_values<std::int32_t>({2, 2}, {1, -2, 3, -4});
  onnxrun::write_npy(path, tensor);
  const Tensor back = onnxrun::read_npy(path);
  std::remove(path.c_str());
  CHECK(back.shape() == Shape{2, 2});
  const std::int32_t* values = back.data_as<std::int32_t>();
  CHECK(values[0] == 1);
  CHECK(values[1] == -2);
  CHECK(values[2] == 3);
  CHECK(values[3] == -4);
}

TEST_CASE("npy: bytes match numpy 1.24's numpy.save exactly") {
  // np.save(f, np.arange(6, dtype=np.float32).reshape(2, 3)): the dict, 20
  // spaces left for the first axis to grow, padding to a 128-byte prefix, '\n'.
  std::string header = kF32Header;
  header.append(128 - 10 - 1 - header.size(), ' ');
  header += '\n';
  const std::string numpy_bytes = npy_file(1, header, raw_bytes<float>({0, 1, 2, 3, 4, 5}));
  REQUIRE(numpy_bytes.size() == 128 + 24);
  CHECK(numpy_bytes.substr(0, 10) == std::string("\x93NUMPY\x01\x00\x76\x00", 10));

  const Tensor tensor = parse(numpy_bytes);
  CHECK(tensor.dtype() == DType::Float32);
  CHECK(tensor.shape() == Shape{2, 3});
  const float* values = tensor.data_as<float>();
  for (int i = 0; i < 6; ++i) CHECK(values[i] == static_cast<float>(i));

  CHECK(onnxrun::serialize_npy(tensor) == numpy_bytes);

  // np.save(f, np.array(False)): a scalar gets no growth-axis spaces.
  std::string scalar_header = "{'descr': '|b1', 'fortran_order': False, 'shape': (), }";
  scalar_header.append(128 - 10 - 1 - scalar_header.size(), ' ');
  CHECK(onnxrun::serialize_npy(Tensor::allocate(DType::Bool, {})) == npy_file(1, scalar_header + "\n", std::string(1, '\0')));
}

TEST_CASE("npy: headers in version 1.0, 2.0 and 3.0 layouts") {
  const std::string data = raw_bytes<float>({1, 2, 3, 4, 5, 6});
  for (unsigned major : {1u, 2u, 3u}) {
    CAPTURE(major);
    const Tensor tensor = parse(npy_file(major, kF32Header + "\n", data));
    CHECK(tensor.shape() == Shape{2, 3});
    CHECK(tensor.data_as<float>()[5] == 6.0f);
  }
}

TEST_CASE("npy: header dict spelled in the ways Python allows") {
  const std::string i64 = raw_bytes<std::int64_t>({7, 8, 9});
  SUBCASE("double quotes, other key order, no trailing comma, odd spacing") {
    const Tensor t = parse(npy_file(1, "{ \"shape\" :(3 ,) ,\"fortran_order\":False,\t\"descr\":\"<i8\"}  \n", i64));
    CHECK(t.dtype() == DType::Int64);
    CHECK(t.shape() == Shape{3});
    CHECK(t.data_as<std::int64_t>()[2] == 9);
  }
  SUBCASE("'=' byte order means native, which is little-endian") {
    CHECK(parse(npy_file(1, "{'descr': '=i8', 'fortran_order': False, 'shape': (3,)}", i64)).dtype() ==
          DType::Int64);
  }
  SUBCASE("Python 2 long dims") {
    CHECK(parse(npy_file(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (3L,)}", i64)).shape() == Shape{3});
  }
  SUBCASE("one-byte types with any byte-order character") {
    for (const char* descr : {"|u1", "<u1", "=u1"}) {
      CAPTURE(descr);
      const Tensor t = parse(npy_file(1, std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': (2,)}", "\x05\xff"));
      CHECK(t.dtype() == DType::UInt8);
      CHECK(t.data_as<std::uint8_t>()[1] == 255);
    }
    const Tensor b = parse(npy_file(1, "{'descr': '|b1', 'fortran_order': False, 'shape': (2, 1, 1)}", std::string("\x01\x00", 2)));
    CHECK(b.shape() == Shape{2, 1, 1});
    CHECK(b.data_as<bool>()[0]);
    CHECK(!b.data_as<bool>()[1]);
  }
  SUBCASE("scalar and empty shapes") {
    CHECK(parse(npy_file(1, "{'descr': '<f8', 'fortran_order': False, 'shape': ()}", raw_bytes<double>({2.5})))
              .data_as<double>()[0] == 2.5);
    CHECK(parse(npy_file(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4, 0)}")).element_count() == 0);
  }
}

TEST_CASE("npy: size mismatches say what was expected and what is there") {
  const std::string header = kF32Header + "\n";
  CHECK_THROWS_WITH_AS(parse(npy_file(1, header, std::string(10, '\0'))),
                       "test.npy: truncated: header declares shape [2,3] float32 (24 bytes of data) but the file "
                       "has 10 after the 70-byte header",
                       Error);
  CHECK_NPY_ERROR(npy_file(1, header, std::string(30, '\0')), "6 trailing bytes");
  CHECK_NPY_ERROR(npy_file(1, header), "truncated");
}

TEST_CASE("npy: a huge declared shape fails before anything is allocated") {
  // If the checks came after Tensor::allocate, these would throw std::bad_alloc
  // (or exhaust memory) instead of an Error naming the file.
  CHECK_NPY_ERROR(npy_file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, 1099511627776)}"),
                  "overflows");
  CHECK_NPY_ERROR(npy_file(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1073741824, 1073741824)}"),
                  "too large");
  CHECK_NPY_ERROR(npy_file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1048576, 1048576, 4)}", "abcd"),
                  "truncated");
  CHECK_NPY_ERROR(npy_file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}"),
                  "too large");
}

TEST_CASE("npy: malformed preambles") {
  CHECK_NPY_ERROR(std::string("\x93NUMPZ\x01\x00\x00\x00", 10), "bad magic");
  CHECK_NPY_ERROR(std::string("\x93NU"), "bad magic");
  CHECK_NPY_ERROR(std::string(""), "bad magic");
  CHECK_NPY_ERROR(npy_file(4, kF32Header), "unsupported .npy format version 4.0");
  CHECK_NPY_ERROR(std::string("\x93NUMPY\x02\x00\x10\x00", 10), "truncated");
  std::string too_long = npy_file(1, kF32Header);
  too_long[8] = '\xff';
  CHECK_NPY_ERROR(too_long, "goes beyond the end of the file");
  std::string v2_too_long = npy_file(2, kF32Header);
  v2_too_long[11] = '\xff';  // a 4 GB header length in a 70-byte file
  CHECK_NPY_ERROR(v2_too_long, "goes beyond the end of the file");
}

TEST_CASE("npy: malformed or unsupported headers") {
  const auto with = [](const std::string& descr, const std::string& fortran, const std::string& shape) {
    return npy_file(1, "{'descr': " + descr + ", 'fortran_order': " + fortran + ", 'shape': " + shape + "}");
  };
  CHECK_NPY_ERROR(npy_file(1, "[('a', '<f4')]"), "not a dict");
  CHECK_NPY_ERROR(npy_file(1, ""), "not a dict");
  CHECK_NPY_ERROR(with("'>f4'", "False", "(2,)"), "big-endian dtype '>f4'");
  CHECK_NPY_ERROR(with("'<f2'", "False", "(2,)"), "unsupported dtype '<f2'");
  CHECK_NPY_ERROR(with("'|O'", "False", "(2,)"), "unsupported dtype '|O'");
  CHECK_NPY_ERROR(with("'|f4'", "False", "(2,)"), "unsupported dtype");
  CHECK_NPY_ERROR(with("[('x', '<f4')]", "False", "(2,)"), "expected a quoted dtype string");
  CHECK_NPY_ERROR(with("'<f4'", "True", "(2,)"), "Fortran-ordered");
  CHECK_NPY_ERROR(with("'<f4'", "maybe", "(2,)"), "expected True or False");
  CHECK_NPY_ERROR(with("'<f4'", "False", "(2, -3)"), "negative dimension -3");
  CHECK_NPY_ERROR(with("'<f4'", "False", "[2, 3]"), "expected a tuple");
  CHECK_NPY_ERROR(with("'<f4'", "False", "(2, 3"), "expected ',' or ')'");
  CHECK_NPY_ERROR(with("'<f4'", "False", "(2, x)"), "expected an integer");
  CHECK_NPY_ERROR(with("'<f4", "False", "(2,)"), "expected ',' or '}'");
  CHECK_NPY_ERROR(npy_file(1, "{'descr': '<f4', 'fortran_order': False}"), "missing key 'shape'");
  CHECK_NPY_ERROR(npy_file(1, "{'descr': '<f4', 'shape': (1,)}"), "missing key 'fortran_order'");
  CHECK_NPY_ERROR(npy_file(1, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': ()}"),
                  "duplicate key 'descr'");
  CHECK_NPY_ERROR(npy_file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), 'extra': 1}"),
                  "unexpected key 'extra'");
  CHECK_NPY_ERROR(npy_file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': ()} junk"), "after the closing");
  CHECK_NPY_ERROR(npy_file(1, "{'descr': '<f4', 'fortran_order': False, 'shape': ()"), "expected ',' or '}'");
  CHECK_NPY_ERROR(npy_file(1, "{'descr"), "unterminated string");
}

TEST_CASE("npy: bool bytes other than 0 and 1 are rejected") {
  CHECK_NPY_ERROR(npy_file(1, "{'descr': '|b1', 'fortran_order': False, 'shape': (3,)}", std::string("\x01\x00\x02", 3)),
                  "bool element 2 has byte value 2");
}

TEST_CASE("npy: file errors name the path") {
  const std::string missing = "/nonexistent_dir_onnxrun/input.npy";
  CHECK_THROWS_WITH_AS(onnxrun::read_npy(missing), (missing + ": cannot open: No such file or directory").c_str(), Error);
  CHECK_THROWS_WITH_AS(onnxrun::write_npy(missing, Tensor::allocate(DType::UInt8, {1})),
                       (missing + ": cannot open for writing: No such file or directory").c_str(), Error);
  CHECK_THROWS_AS(onnxrun::serialize_npy(Tensor()), Error);

  // read_npy passes the path on as the source name of parse errors.
  const auto path = (std::filesystem::temp_directory_path() / "onnxrun_test_npy_bad.npy").string();
  std::FILE* file = std::fopen(path.c_str(), "wb");
  REQUIRE(file != nullptr);
  std::fputs("not numpy", file);
  std::fclose(file);
  CHECK_THROWS_WITH_AS(onnxrun::read_npy(path), (path + ": not a .npy file (bad magic; expected \\x93NUMPY)").c_str(),
                       Error);
  std::remove(path.c_str());
}
