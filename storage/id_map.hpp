// The message-id map: for each user, which legacy message id an XMPP stanza id stands for (and
// back), so that corrections, retractions, reactions and receipts can name the right message
// on the other side. `kind` separates id spaces (e.g. "message", "reaction").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace legate {

class Database;

// Methods throw StorageError on database failures (including an unknown user_id in put).
class IdMap {
 public:
  explicit IdMap(Database& db) : db_(db) {}

  // Records xmpp_id <-> legacy_id; an existing mapping of the same xmpp_id is replaced.
  void put(std::int64_t user_id, std::string_view kind, std::string_view xmpp_id,
           std::string_view legacy_id);
  std::optional<std::string> legacy_id(std::int64_t user_id, std::string_view kind,
                                       std::string_view xmpp_id);
  // Several XMPP ids can map to one legacy id (e.g. a message sent to several resources);
  // this returns the one put most recently.
  std::optional<std::string> xmpp_id(std::int64_t user_id, std::string_view kind,
                                     std::string_view legacy_id);

 private:
  std::optional<std::string> lookup(std::string_view sql, std::int64_t user_id,
                                    std::string_view kind, std::string_view key);

  Database& db_;
};

}  // namespace legate
