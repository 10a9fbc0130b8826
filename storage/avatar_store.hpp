// AvatarStore: avatar images stored once by content hash (the `avatars` table), for the
// contacts' and rooms' vCards (XEP-0054/0153/0486) and PEP avatars (XEP-0084). Rows are read
// when asked for, so avatars are never all in memory; collect() drops the unreferenced ones.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace legate {

class Database;

// What XEP-0084's metadata says of an image.
struct AvatarInfo {
  std::string hash;  // SHA-1 hex of the bytes: the XEP-0084 item id and the XEP-0153 hash
  std::string type;  // MIME type
  int width = 0;
  int height = 0;
  std::int64_t size = 0;  // bytes
};

struct Avatar {
  AvatarInfo info;
  std::string bytes;
  std::string source;  // SHA-1 hex of the bytes it was made from (as handed in)
};

class AvatarStore {
 public:
  explicit AvatarStore(Database& db) : db_(db) {}

  // Stores the image under its hash (already there: nothing changes).
  void put(const Avatar& avatar);
  std::optional<Avatar> get(std::string_view hash);
  // The hash of the avatar made from bytes whose SHA-1 is `source`, if stored.
  std::optional<std::string> by_source(std::string_view source);
  // The metadata alone, without reading the bytes.
  std::optional<AvatarInfo> info(std::string_view hash);
  // Deletes `hash` if no contact or room refers to it any more.
  void release(std::string_view hash);
  // Deletes the avatars no contact or room refers to; returns how many.
  std::int64_t collect();

 private:
  Database& db_;
};

}  // namespace legate
