// The legacy contacts of each user: how a legacy id maps to a JID local part on the gateway,
// what the roster shows about the contact, and the last presence seen, so that the roster and
// presences can be restored at start-up without asking the legacy network.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace legate {

class Database;

struct ContactRecord {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::string legacy_id, local, name, nick, avatar_hash;
  bool is_friend = false, in_roster = false;
  bool removed_by_user = false;  // the user took it out of their roster: not pushed back
  std::string presence_show /*"", away, dnd, xa, chat, or "unavailable"*/, presence_status;
  std::int64_t last_seen = 0;  // unix seconds, 0 if unknown
};

// Methods throw StorageError on database failures, including constraint violations (an
// unknown user_id, a local part another contact of the user already has, a presence_show
// outside the list above).
class ContactStore {
 public:
  explicit ContactStore(Database& db) : db_(db) {}

  // Inserts, or updates every field of the user's contact with the same legacy_id; returns
  // the record with its id (record.id is ignored).
  ContactRecord upsert(const ContactRecord& record);
  std::optional<ContactRecord> by_legacy_id(std::int64_t user_id, std::string_view legacy_id);
  std::optional<ContactRecord> by_local(std::int64_t user_id, std::string_view local);
  // The user's contacts, in insertion order.
  std::vector<ContactRecord> all(std::int64_t user_id);
  bool remove(std::int64_t user_id, std::string_view legacy_id);
  std::size_t count(std::int64_t user_id);
  // Throws StorageError if the contact does not exist.
  void set_presence(std::int64_t user_id, std::string_view legacy_id, std::string_view show,
                    std::string_view status, std::int64_t last_seen);

 private:
  std::optional<ContactRecord> find_one(std::string_view sql, std::int64_t user_id,
                                        std::string_view key);

  Database& db_;
};

}  // namespace legate
