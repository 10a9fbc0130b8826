// Avatars by content hash (see avatar_store.hpp).
#include "storage/avatar_store.hpp"

#include "storage/database.hpp"

namespace legate {

void AvatarStore::put(const Avatar& avatar) {
  StatementScope stmt(
      db_.statement("INSERT INTO avatars (hash, type, width, height, bytes, source) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (hash) DO NOTHING"));
  stmt->bind_text(1, avatar.info.hash)
      .bind_text(2, avatar.info.type)
      .bind_int(3, avatar.info.width)
      .bind_int(4, avatar.info.height)
      .bind_blob(5, avatar.bytes)
      .bind_text(6, avatar.source)
      .run();
}

std::optional<Avatar> AvatarStore::get(std::string_view hash) {
  StatementScope stmt(db_.statement(
      "SELECT type, width, height, length(bytes), bytes FROM avatars WHERE hash = ?1"));
  stmt->bind_text(1, hash);
  if (!stmt->step()) return std::nullopt;
  Avatar avatar{{std::string(hash), stmt->column_text(0), static_cast<int>(stmt->column_int(1)),
                 static_cast<int>(stmt->column_int(2)), stmt->column_int(3)},
                std::string(stmt->column_blob_view(4)),
                {}};
  return avatar;
}

std::optional<std::string> AvatarStore::by_source(std::string_view source) {
  StatementScope stmt(db_.statement("SELECT hash FROM avatars WHERE source = ?1 LIMIT 1"));
  stmt->bind_text(1, source);
  if (!stmt->step()) return std::nullopt;
  return stmt->column_text(0);
}

std::optional<AvatarInfo> AvatarStore::info(std::string_view hash) {
  StatementScope stmt(
      db_.statement("SELECT type, width, height, length(bytes) FROM avatars WHERE hash = ?1"));
  stmt->bind_text(1, hash);
  if (!stmt->step()) return std::nullopt;
  return AvatarInfo{std::string(hash), stmt->column_text(0), static_cast<int>(stmt->column_int(1)),
                    static_cast<int>(stmt->column_int(2)), stmt->column_int(3)};
}

void AvatarStore::release(std::string_view hash) {
  StatementScope stmt(
      db_.statement("DELETE FROM avatars WHERE hash = ?1 "
                    "AND NOT EXISTS (SELECT 1 FROM contacts WHERE avatar_hash = ?1) "
                    "AND NOT EXISTS (SELECT 1 FROM rooms WHERE avatar_hash = ?1)"));
  stmt->bind_text(1, hash).run();
}

std::int64_t AvatarStore::collect() {
  StatementScope stmt(
      db_.statement("DELETE FROM avatars WHERE hash NOT IN (SELECT avatar_hash FROM contacts) "
                    "AND hash NOT IN (SELECT avatar_hash FROM rooms)"));
  stmt->run();
  return db_.changes();
}

}  // namespace legate
