// User: a registered (or registering) user of the gateway, as bridges see it.
#pragma once

#include <cstdint>

#include "component/jid.hpp"
#include "storage/json.hpp"

namespace legate {

struct User {
  Jid jid;              // bare JID
  Json legacy_data;     // what validate() returned: the bridge's credentials/session data
  Json preferences;     // per-user settings (an object)
  std::int64_t id = 0;  // database id; 0 while the registration is not finished
  bool registered() const { return id != 0; }
};

}  // namespace legate
