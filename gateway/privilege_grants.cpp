// PrivilegeGrants: grants by server domain.
#include "gateway/privilege_grants.hpp"

#include <spdlog/spdlog.h>

namespace legate {

void PrivilegeGrants::grant(const Jid& server, Privileges grants) {
  spdlog::info("XEP-0356: {} grants the gateway {}", server.domain(), grants.describe());
  by_domain_.insert_or_assign(std::string(server.domain()), std::move(grants));
}

const Privileges* PrivilegeGrants::of(const Jid& jid) const {
  auto it = by_domain_.find(jid.domain());
  return it == by_domain_.end() ? nullptr : &it->second;
}

}  // namespace legate
