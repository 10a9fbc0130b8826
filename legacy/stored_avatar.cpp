// store_avatar (see stored_avatar.hpp).
#include "legacy/stored_avatar.hpp"

#include <spdlog/spdlog.h>

#include "component/digest.hpp"
#include "legacy/avatar_image.hpp"
#include "storage/avatar_store.hpp"

namespace legate {

std::optional<std::string> store_avatar(Database& db, std::string bytes, std::string_view type,
                                        std::string_view owner) {
  if (bytes.empty()) return std::string();
  AvatarStore store(db);
  std::string source = sha1_hex(bytes);
  if (auto known = store.by_source(source)) return known;  // handed in before: no decoding
  try {
    AvatarImage image = normalize_avatar(std::move(bytes), type);
    std::string hash = sha1_hex(image.bytes);
    const auto size = static_cast<std::int64_t>(image.bytes.size());
    store.put(Avatar{{hash, std::move(image.type), image.width, image.height, size},
                     std::move(image.bytes),
                     std::move(source)});
    return hash;
  } catch (const AvatarError& e) {
    spdlog::warn("{}: avatar not used: {}", owner, e.what());
    return std::nullopt;
  }
}

bool replace_avatar(Database& db, std::string& hash, std::string bytes, std::string_view type,
                    std::string_view owner, const std::function<void()>& save) {
  auto stored = store_avatar(db, std::move(bytes), type, owner);
  if (!stored || *stored == hash) return false;
  const std::string old = std::exchange(hash, std::move(*stored));
  save();
  if (!old.empty()) AvatarStore(db).release(old);
  return true;
}

}  // namespace legate
