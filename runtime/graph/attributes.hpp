#pragma once
// Node attributes as the frontend decoded them, with typed getters that name
// the node in every error.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "onnxrun/tensor.hpp"

namespace onnxrun {

struct Attribute {
  enum class Kind { Float, Int, String, Tensor, Floats, Ints, Strings, Unsupported };
  Kind kind = Kind::Unsupported;
  float f = 0.0f;
  std::int64_t i = 0;
  std::string s;
  onnxrun::Tensor tensor;
  std::vector<float> floats;
  std::vector<std::int64_t> ints;
  std::vector<std::string> strings;
};

const char* attribute_kind_name(Attribute::Kind kind);

class Attributes {
 public:
  void set(const std::string& name, Attribute attribute) { values_[name] = std::move(attribute); }
  bool has(const std::string& name) const { return values_.count(name) != 0; }
  const std::map<std::string, Attribute>& all() const { return values_; }

  // Each getter throws Error("<where>: attribute 'x' is a FLOATS, expected INT")
  // when the attribute exists with another kind; `where` names the node.
  std::int64_t get_int(const std::string& name, std::int64_t fallback, const std::string& where) const;
  float get_float(const std::string& name, float fallback, const std::string& where) const;
  std::string get_string(const std::string& name, const std::string& fallback, const std::string& where) const;
  std::vector<std::int64_t> get_ints(const std::string& name, const std::vector<std::int64_t>& fallback,
                                     const std::string& where) const;
  std::vector<float> get_floats(const std::string& name, const std::vector<float>& fallback,
                                const std::string& where) const;
  const Attribute* find(const std::string& name) const;

 private:
  const Attribute& expect(const std::string& name, Attribute::Kind kind, const std::string& where) const;
  std::map<std::string, Attribute> values_;
};

}  // namespace onnxrun
