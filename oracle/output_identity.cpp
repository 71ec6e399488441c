#include "oracle/output_identity.h"

namespace ckptsim::oracle {

std::string describe(const OutputIdentity& identity) {
  return "(partition " + std::to_string(identity.partition) + ", offset " + std::to_string(identity.offset) +
         ", key " + std::to_string(identity.key) + ", value " + std::to_string(identity.value) + ")";
}

}  // namespace ckptsim::oracle
