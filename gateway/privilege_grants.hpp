// PrivilegeGrants: what each server lets the gateway do for its users (XEP-0356), as told
// after each handshake. A new stream starts with no grants: a server re-sends them, and a
// server that no longer grants anything sends nothing.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "../component/jid.hpp"
#include "privileges.hpp"

namespace legate {

class PrivilegeGrants {
 public:
  // A server's grant message (logged once, in one line).
  void grant(const Jid& server, Privileges grants);
  // A new stream: the grants of the previous one no longer hold.
  void clear() { by_domain_.clear(); }
  // The server's message permission turned out unusable (logged with `why`).
  void message_unusable(const Jid& server, std::string why);
  // The grants of the server of `jid` (a user or the server itself); null: none.
  const Privileges* of(const Jid& jid) const;

 private:
  std::map<std::string, Privileges, std::less<>> by_domain_;
};

}  // namespace legate
