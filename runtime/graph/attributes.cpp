#include "runtime/graph/attributes.hpp"

namespace onnxrun {

const char* attribute_kind_name(Attribute::Kind kind) {
  switch (kind) {
    case Attribute::Kind::Float: return "FLOAT";
    case Attribute::Kind::Int: return "INT";
    case Attribute::Kind::String: return "STRING";
    case Attribute::Kind::Tensor: return "TENSOR";
    case Attribute::Kind::Floats: return "FLOATS";
    case Attribute::Kind::Ints: return "INTS";
    case Attribute::Kind::Strings: return "STRINGS";
    case Attribute::Kind::Unsupported: return "an unsupported kind";
  }
  return "?";
}

const Attribute* Attributes::find(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? nullptr : &it->second;
}

const Attribute& Attributes::expect(const std::string& name, Attribute::Kind kind, const std::string& where) const {
  const Attribute& attribute = values_.at(name);
  if (attribute.kind != kind)
    throw Error(where + ": attribute '" + name + "' is " + attribute_kind_name(attribute.kind) + ", expected " +
                attribute_kind_name(kind));
  return attribute;
}

std::int64_t Attributes::get_int(const std::string& name, std::int64_t fallback, const std::string& where) const {
  return has(name) ? expect(name, Attribute::Kind::Int, where).i : fallback;
}

float Attributes::get_float(const std::string& name, float fallback, const std::string& where) const {
  return has(name) ? expect(name, Attribute::Kind::Float, where).f : fallback;
}

std::string Attributes::get_string(const std::string& name, const std::string& fallback,
                                   const std::string& where) const {
  return has(name) ? expect(name, Attribute::Kind::String, where).s : fallback;
}

std::vector<std::int64_t> Attributes::get_ints(const std::string& name, const std::vector<std::int64_t>& fallback,
                                               const std::string& where) const {
  return has(name) ? expect(name, Attribute::Kind::Ints, where).ints : fallback;
}

std::vector<float> Attributes::get_floats(const std::string& name, const std::vector<float>& fallback,
                                          const std::string& where) const {
  return has(name) ? expect(name, Attribute::Kind::Floats, where).floats : fallback;
}

}  // namespace onnxrun
