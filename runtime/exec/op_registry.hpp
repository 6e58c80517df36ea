#pragma once
// Maps (domain, op type, opset) to a factory that builds the Op for a node.
// Filled by explicit register_*_ops(registry) calls, never by static
// initializers, which silently vanish when linked from a static library.
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "runtime/exec/op.hpp"

namespace onnxrun {

// Where an op's kernels run. CPU today; a CUDA provider registers beside it.
enum class Provider { Cpu };

using OpFactory = std::function<std::unique_ptr<Op>(const Node&)>;

struct OpRegistration {
  std::string domain;  // "" for the default ONNX domain
  std::string op_type;
  std::int64_t since_opset = 1;
  std::int64_t until_opset = std::numeric_limits<std::int64_t>::max();  // inclusive
  Provider provider = Provider::Cpu;
  OpFactory factory;
};

class OpRegistry {
 public:
  void add(OpRegistration registration);
  // Convenience for the default domain on the CPU provider.
  void add(const std::string& op_type, std::int64_t since_opset, std::int64_t until_opset, OpFactory factory);

  // nullptr when no registration covers the node's domain, type and opset.
  const OpRegistration* find(const std::string& domain, const std::string& op_type, std::int64_t opset,
                             Provider provider = Provider::Cpu) const;
  const std::vector<OpRegistration>& all() const { return registrations_; }

 private:
  std::vector<OpRegistration> registrations_;
};

// The registry with every op onnxrun ships (ops/register_all_ops.cpp).
const OpRegistry& builtin_op_registry();

}  // namespace onnxrun
