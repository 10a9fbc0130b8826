// Message-id map access (see id_map.hpp).
#include "storage/id_map.hpp"

#include "storage/database.hpp"

namespace legate {

void IdMap::put(std::int64_t user_id, std::string_view kind, std::string_view xmpp_id,
                std::string_view legacy_id) {
  // REPLACE deletes the old row and inserts a new one with a new, larger id, which is what
  // makes "the largest id" mean "the most recent put" in xmpp_id().
  StatementScope stmt(
      db_.statement("INSERT OR REPLACE INTO id_map (user_id, kind, xmpp_id, legacy_id) "
                    "VALUES (?1, ?2, ?3, ?4)"));
  stmt->bind_int(1, user_id).bind_text(2, kind).bind_text(3, xmpp_id).bind_text(4, legacy_id);
  stmt->run();
}

std::optional<std::string> IdMap::lookup(std::string_view sql, std::int64_t user_id,
                                         std::string_view kind, std::string_view key) {
  StatementScope stmt(db_.statement(sql));
  stmt->bind_int(1, user_id).bind_text(2, kind).bind_text(3, key);
  if (!stmt->step()) return std::nullopt;
  return stmt->column_text(0);
}

std::optional<std::string> IdMap::legacy_id(std::int64_t user_id, std::string_view kind,
                                            std::string_view xmpp_id) {
  return lookup("SELECT legacy_id FROM id_map WHERE user_id = ?1 AND kind = ?2 AND xmpp_id = ?3",
                user_id, kind, xmpp_id);
}

std::optional<std::string> IdMap::xmpp_id(std::int64_t user_id, std::string_view kind,
                                          std::string_view legacy_id) {
  return lookup(
      "SELECT xmpp_id FROM id_map WHERE user_id = ?1 AND kind = ?2 AND legacy_id = ?3 "
      "ORDER BY id DESC LIMIT 1",
      user_id, kind, legacy_id);
}

}  // namespace legate
