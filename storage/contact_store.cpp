// Contacts table access (see contact_store.hpp).
#include "storage/contact_store.hpp"

#include <string>

#include "storage/database.hpp"

namespace legate {

namespace {

// The SELECT every lookup starts with; read_contact reads its columns by position.
constexpr std::string_view kSelect =
    "SELECT id, user_id, legacy_id, local, name, nick, avatar_hash, is_friend, in_roster, "
    "presence_show, presence_status, last_seen, removed_by_user FROM contacts ";

ContactRecord read_contact(const Statement& stmt) {
  ContactRecord c;
  c.id = stmt.column_int(0);
  c.user_id = stmt.column_int(1);
  c.legacy_id = stmt.column_text(2);
  c.local = stmt.column_text(3);
  c.name = stmt.column_text(4);
  c.nick = stmt.column_text(5);
  c.avatar_hash = stmt.column_text(6);
  c.is_friend = stmt.column_bool(7);
  c.in_roster = stmt.column_bool(8);
  c.presence_show = stmt.column_text(9);
  c.presence_status = stmt.column_text(10);
  c.last_seen = stmt.column_int(11);
  c.removed_by_user = stmt.column_bool(12);
  return c;
}

}  // namespace

ContactRecord ContactStore::upsert(const ContactRecord& record) {
  StatementScope stmt(db_.statement(
      "INSERT INTO contacts (user_id, legacy_id, local, name, nick, avatar_hash, is_friend, "
      "in_roster, presence_show, presence_status, last_seen, removed_by_user) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
      "ON CONFLICT (user_id, legacy_id) DO UPDATE SET local = excluded.local, "
      "name = excluded.name, nick = excluded.nick, avatar_hash = excluded.avatar_hash, "
      "is_friend = excluded.is_friend, in_roster = excluded.in_roster, "
      "presence_show = excluded.presence_show, presence_status = excluded.presence_status, "
      "last_seen = excluded.last_seen, removed_by_user = excluded.removed_by_user "
      "RETURNING id"));
  stmt->bind_int(1, record.user_id)
      .bind_text(2, record.legacy_id)
      .bind_text(3, record.local)
      .bind_text(4, record.name)
      .bind_text(5, record.nick)
      .bind_text(6, record.avatar_hash)
      .bind_bool(7, record.is_friend)
      .bind_bool(8, record.in_roster)
      .bind_text(9, record.presence_show)
      .bind_text(10, record.presence_status)
      .bind_int(11, record.last_seen)
      .bind_bool(12, record.removed_by_user);
  if (!stmt->step()) throw StorageError("storage: contact upsert RETURNING gave no row");
  ContactRecord stored = record;
  stored.id = stmt->column_int(0);
  stmt->run();  // see UserStore::add: let the write finish normally
  return stored;
}

std::optional<ContactRecord> ContactStore::find_one(std::string_view sql, std::int64_t user_id,
                                                    std::string_view key) {
  StatementScope stmt(db_.statement(sql));
  stmt->bind_int(1, user_id).bind_text(2, key);
  if (!stmt->step()) return std::nullopt;
  return read_contact(*stmt);
}

std::optional<ContactRecord> ContactStore::by_legacy_id(std::int64_t user_id,
                                                        std::string_view legacy_id) {
  static const std::string sql = std::string(kSelect) + "WHERE user_id = ?1 AND legacy_id = ?2";
  return find_one(sql, user_id, legacy_id);
}

std::optional<ContactRecord> ContactStore::by_local(std::int64_t user_id, std::string_view local) {
  static const std::string sql = std::string(kSelect) + "WHERE user_id = ?1 AND local = ?2";
  return find_one(sql, user_id, local);
}

std::vector<ContactRecord> ContactStore::all(std::int64_t user_id) {
  static const std::string sql = std::string(kSelect) + "WHERE user_id = ?1 ORDER BY id";
  StatementScope stmt(db_.statement(sql));
  stmt->bind_int(1, user_id);
  std::vector<ContactRecord> contacts;
  while (stmt->step()) contacts.push_back(read_contact(*stmt));
  return contacts;
}

bool ContactStore::remove(std::int64_t user_id, std::string_view legacy_id) {
  StatementScope stmt(db_.statement("DELETE FROM contacts WHERE user_id = ?1 AND legacy_id = ?2"));
  stmt->bind_int(1, user_id).bind_text(2, legacy_id);
  stmt->run();
  return db_.changes() > 0;
}

std::size_t ContactStore::count(std::int64_t user_id) {
  StatementScope stmt(db_.statement("SELECT COUNT(*) FROM contacts WHERE user_id = ?1"));
  stmt->bind_int(1, user_id);
  return stmt->step() ? static_cast<std::size_t>(stmt->column_int(0)) : 0;
}

void ContactStore::set_presence(std::int64_t user_id, std::string_view legacy_id,
                                std::string_view show, std::string_view status,
                                std::int64_t last_seen) {
  StatementScope stmt(
      db_.statement("UPDATE contacts SET presence_show = ?3, presence_status = ?4, last_seen = ?5 "
                    "WHERE user_id = ?1 AND legacy_id = ?2"));
  stmt->bind_int(1, user_id)
      .bind_text(2, legacy_id)
      .bind_text(3, show)
      .bind_text(4, status)
      .bind_int(5, last_seen);
  stmt->run();
  if (db_.changes() == 0)
    throw StorageError("storage: no contact '" + std::string(legacy_id) + "' for user " +
                       std::to_string(user_id));
}

}  // namespace legate
