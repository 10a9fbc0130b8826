// Rooms, participants and joined resources (see room_store.hpp).
#include "storage/room_store.hpp"

#include <string>

#include "storage/database.hpp"

namespace legate {
namespace {

// The SELECT every room lookup starts with; read_room reads its columns by position.
constexpr std::string_view kSelectRoom =
    "SELECT id, user_id, legacy_id, local, kind, name, description, subject, subject_by, "
    "subject_at, avatar_hash, user_nick, participants_filled FROM rooms ";

RoomRecord read_room(const Statement& stmt) {
  RoomRecord r;
  r.id = stmt.column_int(0);
  r.user_id = stmt.column_int(1);
  r.legacy_id = stmt.column_text(2);
  r.local = stmt.column_text(3);
  r.kind = stmt.column_text(4);
  r.name = stmt.column_text(5);
  r.description = stmt.column_text(6);
  r.subject = stmt.column_text(7);
  r.subject_by = stmt.column_text(8);
  r.subject_at = stmt.column_int(9);
  r.avatar_hash = stmt.column_text(10);
  r.user_nick = stmt.column_text(11);
  r.participants_filled = stmt.column_bool(12);
  return r;
}

ParticipantRecord read_participant(const Statement& stmt) {
  ParticipantRecord p;
  p.id = stmt.column_int(0);
  p.room_id = stmt.column_int(1);
  p.nick = stmt.column_text(2);
  p.legacy_id = stmt.column_text(3);
  p.is_user = stmt.column_bool(4);
  p.present = stmt.column_bool(5);
  p.affiliation = stmt.column_text(6);
  p.role = stmt.column_text(7);
  return p;
}

}  // namespace

RoomRecord RoomStore::upsert(const RoomRecord& record) {
  StatementScope stmt(db_.statement(
      "INSERT INTO rooms (user_id, legacy_id, local, kind, name, description, subject, "
      "subject_by, subject_at, avatar_hash, user_nick, participants_filled) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) "
      "ON CONFLICT (user_id, legacy_id) DO UPDATE SET local = excluded.local, "
      "kind = excluded.kind, name = excluded.name, description = excluded.description, "
      "subject = excluded.subject, subject_by = excluded.subject_by, "
      "subject_at = excluded.subject_at, avatar_hash = excluded.avatar_hash, "
      "user_nick = excluded.user_nick, participants_filled = excluded.participants_filled "
      "RETURNING id"));
  stmt->bind_int(1, record.user_id)
      .bind_text(2, record.legacy_id)
      .bind_text(3, record.local)
      .bind_text(4, record.kind)
      .bind_text(5, record.name)
      .bind_text(6, record.description)
      .bind_text(7, record.subject)
      .bind_text(8, record.subject_by)
      .bind_int(9, record.subject_at)
      .bind_text(10, record.avatar_hash)
      .bind_text(11, record.user_nick)
      .bind_bool(12, record.participants_filled);
  if (!stmt->step()) throw StorageError("storage: room upsert RETURNING gave no row");
  RoomRecord stored = record;
  stored.id = stmt->column_int(0);
  stmt->run();  // see UserStore::add: let the write finish normally
  return stored;
}

std::optional<RoomRecord> RoomStore::find_one(std::string_view sql, std::int64_t user_id,
                                              std::string_view key) {
  StatementScope stmt(db_.statement(sql));
  stmt->bind_int(1, user_id).bind_text(2, key);
  if (!stmt->step()) return std::nullopt;
  return read_room(*stmt);
}

std::optional<RoomRecord> RoomStore::by_legacy_id(std::int64_t user_id,
                                                  std::string_view legacy_id) {
  static const std::string sql = std::string(kSelectRoom) + "WHERE user_id = ?1 AND legacy_id = ?2";
  return find_one(sql, user_id, legacy_id);
}

std::optional<RoomRecord> RoomStore::by_local(std::int64_t user_id, std::string_view local) {
  static const std::string sql = std::string(kSelectRoom) + "WHERE user_id = ?1 AND local = ?2";
  return find_one(sql, user_id, local);
}

std::vector<RoomRecord> RoomStore::all(std::int64_t user_id) {
  static const std::string sql = std::string(kSelectRoom) + "WHERE user_id = ?1 ORDER BY id";
  StatementScope stmt(db_.statement(sql));
  stmt->bind_int(1, user_id);
  std::vector<RoomRecord> rooms;
  while (stmt->step()) rooms.push_back(read_room(*stmt));
  return rooms;
}

bool RoomStore::remove(std::int64_t user_id, std::string_view legacy_id) {
  StatementScope stmt(db_.statement("DELETE FROM rooms WHERE user_id = ?1 AND legacy_id = ?2"));
  stmt->bind_int(1, user_id).bind_text(2, legacy_id);
  stmt->run();
  return db_.changes() > 0;
}

ParticipantRecord RoomStore::upsert_participant(const ParticipantRecord& record) {
  StatementScope stmt(db_.statement(
      "INSERT INTO participants (room_id, nick, legacy_id, is_user, present, affiliation, role) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
      "ON CONFLICT (room_id, nick) DO UPDATE SET legacy_id = excluded.legacy_id, "
      "is_user = excluded.is_user, present = excluded.present, "
      "affiliation = excluded.affiliation, role = excluded.role "
      "RETURNING id"));
  stmt->bind_int(1, record.room_id)
      .bind_text(2, record.nick)
      .bind_text(3, record.legacy_id)
      .bind_bool(4, record.is_user)
      .bind_bool(5, record.present)
      .bind_text(6, record.affiliation)
      .bind_text(7, record.role);
  if (!stmt->step()) throw StorageError("storage: participant upsert RETURNING gave no row");
  ParticipantRecord stored = record;
  stored.id = stmt->column_int(0);
  stmt->run();
  return stored;
}

std::vector<ParticipantRecord> RoomStore::participants(std::int64_t room_id) {
  StatementScope stmt(
      db_.statement("SELECT id, room_id, nick, legacy_id, is_user, present, affiliation, role "
                    "FROM participants WHERE room_id = ?1 ORDER BY id"));
  stmt->bind_int(1, room_id);
  std::vector<ParticipantRecord> found;
  while (stmt->step()) found.push_back(read_participant(*stmt));
  return found;
}

bool RoomStore::remove_participant(std::int64_t room_id, std::string_view nick) {
  StatementScope stmt(db_.statement("DELETE FROM participants WHERE room_id = ?1 AND nick = ?2"));
  stmt->bind_int(1, room_id).bind_text(2, nick);
  stmt->run();
  return db_.changes() > 0;
}

bool RoomStore::rename_participant(std::int64_t room_id, std::string_view from,
                                   std::string_view to) {
  StatementScope stmt(
      db_.statement("UPDATE participants SET nick = ?3 WHERE room_id = ?1 AND nick = ?2"));
  stmt->bind_int(1, room_id).bind_text(2, from).bind_text(3, to);
  stmt->run();
  return db_.changes() > 0;
}

void RoomStore::add_resource(std::int64_t room_id, std::string_view resource,
                             std::int64_t joined_at) {
  StatementScope stmt(db_.statement(
      "INSERT INTO room_resources (room_id, resource, joined_at) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (room_id, resource) DO UPDATE SET joined_at = excluded.joined_at"));
  stmt->bind_int(1, room_id).bind_text(2, resource).bind_int(3, joined_at);
  stmt->run();
}

bool RoomStore::remove_resource(std::int64_t room_id, std::string_view resource) {
  StatementScope stmt(
      db_.statement("DELETE FROM room_resources WHERE room_id = ?1 AND resource = ?2"));
  stmt->bind_int(1, room_id).bind_text(2, resource);
  stmt->run();
  return db_.changes() > 0;
}

std::vector<std::string> RoomStore::resources(std::int64_t room_id) {
  StatementScope stmt(db_.statement(
      "SELECT resource FROM room_resources WHERE room_id = ?1 ORDER BY joined_at, resource"));
  stmt->bind_int(1, room_id);
  std::vector<std::string> found;
  while (stmt->step()) found.push_back(stmt->column_text(0));
  return found;
}

void RoomStore::clear_resources(std::int64_t room_id) {
  StatementScope stmt(db_.statement("DELETE FROM room_resources WHERE room_id = ?1"));
  stmt->bind_int(1, room_id);
  stmt->run();
}

}  // namespace legate
