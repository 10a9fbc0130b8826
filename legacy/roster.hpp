// Roster: the contacts of one session. Bridges override fill() to list the user's legacy
// contacts after login, and may override the legacy id <-> JID local part mapping.
// Contacts persist in SQLite; memory holds the ones this live session has used.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../component/asio.hpp"
#include "contact.hpp"

namespace legate {

class Session;

class Roster {
 public:
  explicit Roster(Session& session);
  virtual ~Roster();
  Roster(const Roster&) = delete;
  Roster& operator=(const Roster&) = delete;

  // --- hooks ---
  // The user's contacts on the legacy network, called after each login; they are added
  // to the user's roster. Set their names and presences with by_legacy_id().
  virtual asio::awaitable<std::vector<LegacyId>> fill() { co_return std::vector<LegacyId>{}; }
  // JID local part of a legacy id (default: XEP-0106 escaping).
  virtual std::string local_part(const LegacyId& legacy_id) const;
  // Legacy id of a JID local part; nullopt when it cannot be a contact (item-not-found).
  virtual std::optional<LegacyId> legacy_id_of(std::string_view local_part) const;

  // --- lookups ---
  // The contact with this legacy id (created and stored on first use).
  Contact& by_legacy_id(const LegacyId& legacy_id);
  // The contact a JID of this gateway addresses; nullptr when it is not a contact.
  Contact* by_jid(const Jid& jid);
  // The contacts known for this user (loads every stored one).
  std::vector<Contact*> all();
  std::size_t loaded() const { return contacts_.size(); }

 private:
  Session& session_;
  std::map<LegacyId, std::unique_ptr<Contact>, std::less<>> contacts_;
  // The loaded contacts by JID local part: most stanzas address a contact already in use.
  std::map<std::string, Contact*, std::less<>> by_local_;
};

}  // namespace legate
