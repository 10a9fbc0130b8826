// The registered users of the gateway: one row per bare JID, with the bridge's own data about
// the user's legacy account and the user's preferences, both JSON.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "../component/jid.hpp"
#include "json.hpp"

namespace legate {

class Database;

struct UserRecord {
  std::int64_t id = 0;
  Jid jid;                         // always bare
  std::int64_t registered_at = 0;  // unix seconds
  Json legacy_data;
  Json preferences;
};

// Every method takes the user's JID in any form and uses its bare part. Methods throw
// StorageError on database failures; reading a row whose JSON is corrupt throws
// std::invalid_argument.
class UserStore {
 public:
  explicit UserStore(Database& db) : db_(db) {}

  std::optional<UserRecord> find(const Jid& jid);
  // All users, ordered by registration (row id).
  std::vector<UserRecord> all();
  // Registers the user now, with empty preferences ({}). Throws StorageError if the user is
  // already registered.
  UserRecord add(const Jid& jid, const Json& legacy_data);
  // Both throw StorageError if the user is not registered: an update that would silently
  // vanish hides a bug in the caller.
  void update_legacy_data(const Jid& jid, const Json& legacy_data);
  void update_preferences(const Jid& jid, const Json& preferences);
  // Unregisters the user, deleting their contacts and id mappings with them; false if the
  // user was not registered.
  bool remove(const Jid& jid);
  std::size_t count();

 private:
  void update_json_column(std::string_view sql, const Jid& jid, const Json& value);

  Database& db_;
};

}  // namespace legate
