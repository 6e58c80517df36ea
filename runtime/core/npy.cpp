// Reading and writing numpy .npy files. The layout (numpy/lib/format.py) is:
// the magic "\x93NUMPY", a major and minor version byte, the header length
// (2 bytes little-endian in version 1.0, 4 bytes in 2.0 and 3.0), the header
// (a Python dict literal; latin-1 up to 2.0, utf-8 in 3.0), then the raw data.
#include "onnxrun/npy.hpp"

#include <bit>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <string_view>

namespace onnxrun {
namespace {

// Data is copied byte for byte; a big-endian host would need swapping that
// nothing else in onnxrun does either.
static_assert(std::endian::native == std::endian::little, "onnxrun assumes a little-endian host");

constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicSize = 6;
// numpy aligns the start of the data to 64 bytes so that a memory-mapped array
// suits any SIMD width; we pad the same way so our files match numpy.save's.
constexpr std::size_t kDataAlign = 64;
// numpy >= 1.23 leaves room after the dict for the first dimension to grow to
// this many digits, so an appending writer can rewrite the header in place.
constexpr std::size_t kGrowthAxisMaxDigits = 21;
constexpr std::uint64_t kMaxInt64 = std::numeric_limits<std::int64_t>::max();

struct DescrEntry {
  const char* code;  // the descr without its byte-order character
  DType dtype;
};
constexpr DescrEntry kDescrs[] = {
    {"f4", DType::Float32}, {"f8", DType::Float64}, {"i4", DType::Int32},
    {"i8", DType::Int64},   {"u1", DType::UInt8},   {"b1", DType::Bool},
};

struct NpyHeader {
  DType dtype = DType::Float32;
  Shape shape;
};

// The header as it can safely go into an error message: whitespace padding
// trimmed, control and non-ASCII bytes replaced, long headers cut short.
std::string quoted_excerpt(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\n')) text.remove_suffix(1);
  constexpr std::size_t kMaxShown = 120;
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size() && i < kMaxShown; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
  }
  if (text.size() > kMaxShown) out += "...";
  return out + "\"";
}

// Hand-written recursive descent over the tiny subset of Python literals that
// .npy headers use. numpy itself calls ast.literal_eval; we accept what that
// would for real files (either quote style, any spacing, trailing commas, keys
// in any order) and reject everything else with a message saying where.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& source) : text_(text), source_(source) {}

  NpyHeader parse() {
    skip_space();
    if (!consume('{')) throw Error(source_ + ": .npy header is not a dict: " + quoted_excerpt(text_));
    std::optional<std::string> descr;
    std::optional<bool> fortran_order;
    std::optional<Shape> shape;
    for (;;) {
      skip_space();
      if (consume('}')) break;
      const std::string key = parse_string("a quoted key or '}'");
      skip_space();
      if (!consume(':')) fail("expected ':' after key '" + key + "'");
      skip_space();
      if (key == "descr") {
        if (descr) fail("duplicate key 'descr'");
        descr = parse_string("a quoted dtype string for 'descr'");
      } else if (key == "fortran_order") {
        if (fortran_order) fail("duplicate key 'fortran_order'");
        fortran_order = parse_bool();
      } else if (key == "shape") {
        if (shape) fail("duplicate key 'shape'");
        shape = parse_shape();
      } else {
        fail("unexpected key '" + key + "'");
      }
      skip_space();
      if (consume(',')) continue;
      if (consume('}')) break;
      fail("expected ',' or '}'");
    }
    skip_space();
    if (pos_ != text_.size()) fail("unexpected text after the closing '}'");
    if (!descr) fail("missing key 'descr'");
    if (!fortran_order) fail("missing key 'fortran_order'");
    if (!shape) fail("missing key 'shape'");
    if (*fortran_order)
      throw Error(source_ + ": Fortran-ordered arrays (fortran_order: True) are not supported; "
                            "save np.ascontiguousarray(arr) instead");
    return {parse_descr(*descr), std::move(*shape)};
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw Error(source_ + ": malformed .npy header: " + what + " at character " + std::to_string(pos_) +
                " of " + quoted_excerpt(text_));
  }

  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return at_end() ? '\0' : text_[pos_]; }
  bool consume(char c) {
    if (at_end() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }
  void skip_space() {
    while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) ++pos_;
  }

  std::string parse_string(const std::string& expected) {
    const char quote = peek();
    if (quote != '\'' && quote != '"') fail("expected " + expected);
    const std::size_t start = ++pos_;
    while (!at_end() && peek() != quote) {
      // No key or dtype numpy writes needs an escape; refusing them keeps this
      // parser from having to implement Python's escape rules.
      if (peek() == '\\') fail("escape sequences in strings are not supported");
      ++pos_;
    }
    if (at_end()) fail("unterminated string");
    return std::string(text_.substr(start, pos_++ - start));
  }

  bool parse_bool() {
    const std::size_t start = pos_;
    while (!at_end() && ((peek() >= 'a' && peek() <= 'z') || (peek() >= 'A' && peek() <= 'Z'))) ++pos_;
    const std::string_view word = text_.substr(start, pos_ - start);
    if (word == "True") return true;
    if (word == "False") return false;
    pos_ = start;
    fail("expected True or False for 'fortran_order'");
  }

  Shape parse_shape() {
    if (!consume('(')) fail("expected a tuple for 'shape'");
    Shape shape;
    skip_space();
    if (consume(')')) return shape;
    for (;;) {
      shape.push_back(parse_dim());
      skip_space();
      if (consume(',')) {
        skip_space();
        if (consume(')')) return shape;
        continue;
      }
      if (consume(')')) return shape;
      fail("expected ',' or ')' in 'shape'");
    }
  }

  std::int64_t parse_dim() {
    const std::size_t start = pos_;
    const bool negative = consume('-');
    if (!(peek() >= '0' && peek() <= '9')) fail("expected an integer in 'shape'");
    std::uint64_t value = 0;
    bool too_large = false;
    while (peek() >= '0' && peek() <= '9') {
      const auto digit = static_cast<std::uint64_t>(peek() - '0');
      too_large = too_large || value > (kMaxInt64 - digit) / 10;
      if (!too_large) value = value * 10 + digit;
      ++pos_;
    }
    const std::string literal(text_.substr(start, pos_ - start));
    // Files written by numpy under Python 2 spell large dims as longs: (3L, 4L).
    if (peek() == 'L' || peek() == 'l') ++pos_;
    if (negative) throw Error(source_ + ": negative dimension " + literal + " in the header's shape");
    if (too_large) throw Error(source_ + ": dimension " + literal + " in the header's shape is too large");
    return static_cast<std::int64_t>(value);
  }

  DType parse_descr(const std::string& descr) const {
    if (descr.size() == 3) {
      const char order = descr[0];
      const std::string_view code = std::string_view(descr).substr(1);
      for (const DescrEntry& entry : kDescrs) {
        if (code != entry.code) continue;
        // '|' means "byte order does not apply": numpy writes it for one-byte
        // types, for which every byte-order character means the same thing.
        // '=' means native, which is little-endian on every host we build for.
        const bool one_byte = dtype_size(entry.dtype) == 1;
        if (order == '<' || order == '=' || (one_byte && (order == '|' || order == '>'))) return entry.dtype;
        if (order == '>')
          throw Error(source_ + ": big-endian dtype '" + descr + "' is not supported; save arr.astype('<" +
                      std::string(code) + "') instead");
        break;
      }
    }
    throw Error(source_ + ": unsupported dtype '" + descr +
                "' (supported: '<f4', '<f8', '<i4', '<i8', '|u1', '|b1')");
  }

  std::string_view text_;
  const std::string& source_;
  std::size_t pos_ = 0;
};

// "shape [2,3] float32 (24 bytes of data)", for size mismatch messages.
std::string describe(const NpyHeader& header, std::uint64_t data_bytes) {
  return "shape " + shape_to_string(header.shape) + " " + dtype_name(header.dtype) + " (" +
         std::to_string(data_bytes) + " bytes of data)";
}

// Size of the data the header declares, with every multiplication checked so
// that a hostile shape cannot wrap around to a small number.
std::uint64_t checked_data_bytes(const NpyHeader& header, const std::string& source) {
  std::uint64_t count = 1;
  for (std::int64_t dim : header.shape) {
    if (dim == 0) return 0;  // an empty array, however large its other dims
  }
  for (std::int64_t dim : header.shape) {
    const auto d = static_cast<std::uint64_t>(dim);
    if (count > kMaxInt64 / d)
      throw Error(source + ": element count of shape " + shape_to_string(header.shape) +
                  " overflows 64 bits");
    count *= d;
  }
  const std::uint64_t item = dtype_size(header.dtype);
  if (count > kMaxInt64 / item)
    throw Error(source + ": shape " + shape_to_string(header.shape) + " " + dtype_name(header.dtype) +
                " is too large: its byte size overflows 64 bits");
  return count * item;
}

std::string shape_repr(const Shape& shape) {
  // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on "(" + string&&.
  std::string out = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(shape[i]);
  }
  out += shape.size() == 1 ? ",)" : ")";
  return out;
}

const char* descr_of(DType dtype) {
  switch (dtype) {
    case DType::Float32: return "<f4";
    case DType::Float64: return "<f8";
    case DType::Int32: return "<i4";
    case DType::Int64: return "<i8";
    case DType::UInt8: return "|u1";
    case DType::Bool: return "|b1";
  }
  throw Error("npy: unknown dtype " + std::to_string(static_cast<int>(dtype)));
}

// Everything before the data, laid out byte for byte as numpy.save does.
std::string npy_prefix(const Tensor& tensor, const std::string& destination) {
  if (tensor.empty()) throw Error(destination + ": cannot save an empty (default-constructed) tensor");
  std::string dict = std::string("{'descr': '") + descr_of(tensor.dtype()) +
                     "', 'fortran_order': False, 'shape': " + shape_repr(tensor.shape()) + ", }";
  if (!tensor.shape().empty()) dict.append(kGrowthAxisMaxDigits - std::to_string(tensor.shape()[0]).size(), ' ');
  // Like numpy, use version 1.0 unless the header does not fit its 2-byte length.
  for (const unsigned major : {1u, 2u}) {
    const std::size_t length_bytes = major == 1 ? 2 : 4;
    const std::size_t unpadded = kMagicSize + 2 + length_bytes + dict.size() + 1;  // +1 for '\n'
    const std::size_t padding = kDataAlign - unpadded % kDataAlign;  // 1..64, as numpy
    const std::uint64_t header_length = dict.size() + padding + 1;
    if (header_length >= (std::uint64_t{1} << (8 * length_bytes))) continue;
    std::string out(kMagic, kMagicSize);
    out += static_cast<char>(major);
    out += '\0';
    for (std::size_t i = 0; i < length_bytes; ++i) out += static_cast<char>((header_length >> (8 * i)) & 0xff);
    out += dict;
    out.append(padding, ' ');
    out += '\n';
    return out;
  }
  throw Error(destination + ": .npy header for shape " + shape_to_string(tensor.shape()) + " is too long");
}

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

}  // namespace

Tensor parse_npy(const void* bytes, std::size_t size, const std::string& source_name) {
  const auto* p = static_cast<const unsigned char*>(bytes);
  if (size < kMagicSize + 2 || std::memcmp(p, kMagic, kMagicSize) != 0)
    throw Error(source_name + ": not a .npy file (bad magic; expected \\x93NUMPY)");
  const unsigned major = p[kMagicSize], minor = p[kMagicSize + 1];
  if (major < 1 || major > 3 || minor != 0)
    throw Error(source_name + ": unsupported .npy format version " + std::to_string(major) + "." +
                std::to_string(minor) + " (supported: 1.0, 2.0, 3.0)");
  const std::size_t length_bytes = major == 1 ? 2 : 4;
  const std::size_t prefix = kMagicSize + 2 + length_bytes;
  if (size < prefix)
    throw Error(source_name + ": truncated: the file ends inside the .npy preamble (" + std::to_string(size) +
                " bytes)");
  std::uint64_t header_length = 0;
  for (std::size_t i = 0; i < length_bytes; ++i)
    header_length |= static_cast<std::uint64_t>(p[kMagicSize + 2 + i]) << (8 * i);
  if (header_length > size - prefix)
    throw Error(source_name + ": header length " + std::to_string(header_length) +
                " goes beyond the end of the file (" + std::to_string(size) + " bytes)");

  // Version 3.0 differs from 2.0 only in allowing utf-8 in the header; every
  // byte we accept is ASCII, so the same parser serves both.
  const std::string_view text(reinterpret_cast<const char*>(p + prefix), header_length);
  const NpyHeader header = HeaderParser(text, source_name).parse();

  // All size checks come before the allocation, so the memory we take is never
  // more than the file itself occupies.
  const std::uint64_t data_bytes = checked_data_bytes(header, source_name);
  const std::size_t data_offset = prefix + header_length;
  const std::uint64_t present = size - data_offset;
  if (present < data_bytes)
    throw Error(source_name + ": truncated: header declares " + describe(header, data_bytes) +
                " but the file has " + std::to_string(present) + " after the " + std::to_string(data_offset) +
                "-byte header");
  if (present > data_bytes)
    throw Error(source_name + ": " + std::to_string(present - data_bytes) +
                " trailing bytes after the data: header declares " + describe(header, data_bytes) +
                " but the file has " + std::to_string(present));

  const unsigned char* data = p + data_offset;
  if (header.dtype == DType::Bool) {
    // Any byte other than 0 or 1 in a bool is undefined behaviour in C++.
    for (std::uint64_t i = 0; i < data_bytes; ++i)
      if (data[i] > 1)
        throw Error(source_name + ": bool element " + std::to_string(i) + " has byte value " +
                    std::to_string(data[i]) + "; only 0 and 1 are valid");
  }
  Tensor tensor;
  try {
    tensor = Tensor::allocate(header.dtype, header.shape);
  } catch (const Error& e) {
    throw Error(source_name + ": " + e.what());
  }
  if (data_bytes > 0) std::memcpy(tensor.mutable_data(), data, data_bytes);
  return tensor;
}

Tensor read_npy(const std::string& path) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) throw Error(path + ": cannot open: " + std::strerror(errno));
  // Read to the end rather than trusting a size from fstat, so pipes and
  // files that change underneath us still yield exactly what was read.
  std::string bytes;
  char chunk[1 << 16];
  for (;;) {
    const std::size_t got = std::fread(chunk, 1, sizeof chunk, file.get());
    bytes.append(chunk, got);
    if (got < sizeof chunk) break;
  }
  if (std::ferror(file.get())) throw Error(path + ": read failed: " + std::strerror(errno));
  return parse_npy(bytes.data(), bytes.size(), path);
}

std::string serialize_npy(const Tensor& tensor) {
  std::string out = npy_prefix(tensor, "serialize_npy");
  if (tensor.byte_size() > 0) out.append(static_cast<const char*>(tensor.data()), tensor.byte_size());
  return out;
}

void write_npy(const std::string& path, const Tensor& tensor) {
  // Built before the file is opened, so a bad tensor leaves no file behind.
  const std::string prefix = npy_prefix(tensor, path);
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (!file) throw Error(path + ": cannot open for writing: " + std::strerror(errno));
  bool ok = std::fwrite(prefix.data(), 1, prefix.size(), file) == prefix.size();
  if (ok && tensor.byte_size() > 0)
    ok = std::fwrite(tensor.data(), 1, tensor.byte_size(), file) == tensor.byte_size();
  int saved_errno = ok ? 0 : errno;
  // fclose flushes the buffer: a full disk often shows up only here.
  if (std::fclose(file) != 0 && ok) {
    ok = false;
    saved_errno = errno;
  }
  if (!ok) throw Error(path + ": write failed: " + std::strerror(saved_errno));
}

}  // namespace onnxrun
