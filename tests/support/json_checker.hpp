#pragma once
// Tests only: whether a text is exactly one JSON value, by the RFC 8259
// grammar with no extensions (no trailing commas, comments, NaN), so that
// what onnxrun writes as JSON loads anywhere (chrome://tracing, Python's json).
#include <cctype>
#include <cstring>
#include <string>

namespace onnxrun::testing {

class JsonChecker {
 public:
  explicit JsonChecker(const std::string& text) : text_(text) {}
  bool valid() {
    skip_space();
    if (!value()) return false;
    skip_space();
    return at_ == text_.size();
  }

 private:
  void skip_space() {
    while (at_ < text_.size() && std::strchr(" \t\r\n", text_[at_]) && text_[at_] != '\0') ++at_;
  }
  bool literal(const char* word) {
    const std::size_t n = std::strlen(word);
    if (text_.compare(at_, n, word) != 0) return false;
    at_ += n;
    return true;
  }
  bool string() {
    if (at_ >= text_.size() || text_[at_] != '"') return false;
    for (++at_; at_ < text_.size(); ++at_) {
      const unsigned char c = static_cast<unsigned char>(text_[at_]);
      if (c == '"') {
        ++at_;
        return true;
      }
      if (c < 0x20) return false;
      if (c == '\\') {
        if (++at_ >= text_.size()) return false;
        if (text_[at_] == 'u') {
          for (int i = 0; i < 4; ++i)
            if (++at_ >= text_.size() || !std::isxdigit(static_cast<unsigned char>(text_[at_]))) return false;
        } else if (!std::strchr("\"\\/bfnrt", text_[at_]) || text_[at_] == '\0') {
          return false;
        }
      }
    }
    return false;
  }
  bool digits() {
    const std::size_t start = at_;
    while (at_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[at_]))) ++at_;
    return at_ > start;
  }
  bool number() {
    if (at_ < text_.size() && text_[at_] == '-') ++at_;
    if (at_ < text_.size() && text_[at_] == '0') ++at_;
    else if (!digits()) return false;
    if (at_ < text_.size() && text_[at_] == '.' && (++at_, !digits())) return false;
    if (at_ < text_.size() && (text_[at_] == 'e' || text_[at_] == 'E')) {
      ++at_;
      if (at_ < text_.size() && (text_[at_] == '+' || text_[at_] == '-')) ++at_;
      if (!digits()) return false;
    }
    return true;
  }
  template <class Element>
  bool sequence(char close, Element element) {
    ++at_;
    skip_space();
    if (at_ < text_.size() && text_[at_] == close) return ++at_, true;
    for (;;) {
      skip_space();
      if (!element()) return false;
      skip_space();
      if (at_ >= text_.size()) return false;
      if (text_[at_] == close) return ++at_, true;
      if (text_[at_++] != ',') return false;
    }
  }
  bool value() {
    if (at_ >= text_.size()) return false;
    switch (text_[at_]) {
      case '{':
        return sequence('}', [&] {
          if (!string()) return false;
          skip_space();
          if (at_ >= text_.size() || text_[at_++] != ':') return false;
          skip_space();
          return value();
        });
      case '[': return sequence(']', [&] { return value(); });
      case '"': return string();
      case 't': return literal("true");
      case 'f': return literal("false");
      case 'n': return literal("null");
      default: return number();
    }
  }

  const std::string& text_;
  std::size_t at_ = 0;
};

inline bool json_valid(const std::string& text) { return JsonChecker(text).valid(); }

}  // namespace onnxrun::testing
