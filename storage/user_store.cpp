// Users table access (see user_store.hpp).
#include "storage/user_store.hpp"

#include <chrono>

#include "component/clock.hpp"
#include "storage/database.hpp"

namespace legate {

namespace {

constexpr std::string_view kColumns = "id, jid, registered_at, legacy_data, preferences";

UserRecord read_user(const Statement& stmt) {
  UserRecord user;
  user.id = stmt.column_int(0);
  user.jid = Jid(stmt.column_text_view(1));
  user.registered_at = stmt.column_int(2);
  user.legacy_data = parse_json_text(stmt.column_text_view(3));
  user.preferences = parse_json_text(stmt.column_text_view(4));
  return user;
}

}  // namespace

std::optional<UserRecord> UserStore::find(const Jid& jid) {
  static const std::string sql = "SELECT " + std::string(kColumns) + " FROM users WHERE jid = ?1";
  StatementScope stmt(db_.statement(sql));
  stmt->bind_text(1, jid.bare_str());
  if (!stmt->step()) return std::nullopt;
  return read_user(*stmt);
}

std::vector<UserRecord> UserStore::all() {
  static const std::string sql = "SELECT " + std::string(kColumns) + " FROM users ORDER BY id";
  StatementScope stmt(db_.statement(sql));
  std::vector<UserRecord> users;
  while (stmt->step()) users.push_back(read_user(*stmt));
  return users;
}

UserRecord UserStore::add(const Jid& jid, const Json& legacy_data) {
  UserRecord user;
  user.jid = jid.bare();
  user.registered_at = unix_seconds();
  user.legacy_data = legacy_data;
  user.preferences = boost::json::object();
  StatementScope stmt(
      db_.statement("INSERT INTO users (jid, registered_at, legacy_data, preferences) "
                    "VALUES (?1, ?2, ?3, ?4) RETURNING id"));
  stmt->bind_text(1, user.jid.full())
      .bind_int(2, user.registered_at)
      .bind_text(3, to_json_text(user.legacy_data))
      .bind_text(4, to_json_text(user.preferences));
  if (!stmt->step()) throw StorageError("storage: INSERT RETURNING gave no row");
  user.id = stmt->column_int(0);
  // Step to the end so the statement halts normally and its autocommit transaction commits
  // there, rather than relying on what reset() does to an unfinished write.
  stmt->run();
  return user;
}

void UserStore::update_json_column(std::string_view sql, const Jid& jid, const Json& value) {
  StatementScope stmt(db_.statement(sql));
  stmt->bind_text(1, to_json_text(value)).bind_text(2, jid.bare_str());
  stmt->run();
  if (db_.changes() == 0) throw StorageError("storage: no registered user " + jid.bare_str());
}

void UserStore::update_legacy_data(const Jid& jid, const Json& legacy_data) {
  update_json_column("UPDATE users SET legacy_data = ?1 WHERE jid = ?2", jid, legacy_data);
}

void UserStore::update_preferences(const Jid& jid, const Json& preferences) {
  update_json_column("UPDATE users SET preferences = ?1 WHERE jid = ?2", jid, preferences);
}

bool UserStore::remove(const Jid& jid) {
  StatementScope stmt(db_.statement("DELETE FROM users WHERE jid = ?1"));
  stmt->bind_text(1, jid.bare_str());
  stmt->run();
  return db_.changes() > 0;
}

std::size_t UserStore::count() {
  StatementScope stmt(db_.statement("SELECT COUNT(*) FROM users"));
  return stmt->step() ? static_cast<std::size_t>(stmt->column_int(0)) : 0;
}

}  // namespace legate
