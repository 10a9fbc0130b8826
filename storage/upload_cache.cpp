// Upload cache access (see upload_cache.hpp).
#include "storage/upload_cache.hpp"

#include <chrono>

#include "component/clock.hpp"
#include "storage/database.hpp"

namespace legate {

std::optional<CachedUpload> UploadCache::find(std::string_view legacy_file_id) {
  StatementScope stmt(
      db_.statement("SELECT url, size, content_type FROM upload_cache WHERE legacy_file_id = ?1"));
  stmt->bind_text(1, legacy_file_id);
  if (!stmt->step()) return std::nullopt;
  return CachedUpload{stmt->column_text(0), static_cast<std::uint64_t>(stmt->column_int(1)),
                      stmt->column_text(2)};
}

void UploadCache::put(std::string_view legacy_file_id, const CachedUpload& upload) {
  const auto now = unix_seconds();
  StatementScope stmt(db_.statement(
      "INSERT OR REPLACE INTO upload_cache (legacy_file_id, url, size, content_type, uploaded) "
      "VALUES (?1, ?2, ?3, ?4, ?5)"));
  stmt->bind_text(1, legacy_file_id)
      .bind_text(2, upload.url)
      .bind_int(3, static_cast<std::int64_t>(upload.size))
      .bind_text(4, upload.content_type)
      .bind_int(5, now);
  stmt->run();
}

void UploadCache::remove(std::string_view legacy_file_id) {
  StatementScope stmt(db_.statement("DELETE FROM upload_cache WHERE legacy_file_id = ?1"));
  stmt->bind_text(1, legacy_file_id);
  stmt->run();
}

}  // namespace legate
