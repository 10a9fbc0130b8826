// The upload cache: the URL a file from the legacy network got when the gateway uploaded it
// (XEP-0363), by the file's id on the legacy network, so a file sent again is not uploaded
// again.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace legate {

class Database;

struct CachedUpload {
  std::string url;
  std::uint64_t size = 0;
  std::string content_type;
};

// Methods throw StorageError on database failures.
class UploadCache {
 public:
  explicit UploadCache(Database& db) : db_(db) {}

  std::optional<CachedUpload> find(std::string_view legacy_file_id);
  // Records (or replaces) the upload of a file.
  void put(std::string_view legacy_file_id, const CachedUpload& upload);
  // Forgets a file (its URL stopped working).
  void remove(std::string_view legacy_file_id);

 private:
  Database& db_;
};

}  // namespace legate
