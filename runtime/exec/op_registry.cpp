#include "runtime/exec/op_registry.hpp"

namespace onnxrun {

namespace {
bool same_domain(const std::string& a, const std::string& b) {
  auto normal = [](const std::string& d) { return d == "ai.onnx" ? std::string() : d; };
  return normal(a) == normal(b);
}
}  // namespace

void OpRegistry::add(OpRegistration registration) { registrations_.push_back(std::move(registration)); }

void OpRegistry::add(const std::string& op_type, std::int64_t since_opset, std::int64_t until_opset,
                     OpFactory factory) {
  add(OpRegistration{"", op_type, since_opset, until_opset, Provider::Cpu, std::move(factory)});
}

const OpRegistration* OpRegistry::find(const std::string& domain, const std::string& op_type, std::int64_t opset,
                                       Provider provider) const {
  for (const OpRegistration& registration : registrations_)
    if (registration.provider == provider && registration.op_type == op_type &&
        same_domain(registration.domain, domain) && opset >= registration.since_opset &&
        opset <= registration.until_opset)
      return &registration;
  return nullptr;
}

}  // namespace onnxrun
