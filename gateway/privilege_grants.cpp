// PrivilegeGrants: grants by server domain.
#include "gateway/privilege_grants.hpp"

#include <spdlog/spdlog.h>

namespace legate {

void PrivilegeGrants::grant(const Jid& server, Privileges grants) {
  spdlog::info("XEP-0356: {} grants the gateway {}", server.domain(), grants.describe());
  by_domain_.insert_or_assign(std::string(server.domain()), std::move(grants));
}

void PrivilegeGrants::message_unusable(const Jid& server, std::string why) {
  auto it = by_domain_.find(server.domain());
  if (it == by_domain_.end() || !it->second.message_unusable.empty()) return;
  spdlog::warn(
      "XEP-0356: {} grants message permission, but {}: carbons are handled as if it "
      "did not",
      server.domain(), why);
  it->second.message_unusable = std::move(why);
}

const Privileges* PrivilegeGrants::of(const Jid& jid) const {
  auto it = by_domain_.find(jid.domain());
  return it == by_domain_.end() ? nullptr : &it->second;
}

}  // namespace legate
