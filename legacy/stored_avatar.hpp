// The shared step of Contact::set_avatar and Room::set_avatar: an image handed in by the
// bridge, normalised (avatar_image.hpp) and stored once by hash (storage/avatar_store.hpp).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace legate {

class Database;

// The hash of `bytes` (of MIME `type`) once normalised and stored; "" for empty bytes (no
// avatar). nullopt when the image cannot be served: logged as a warning about `owner`
// ("user: jid"), and the caller keeps its avatar. Bytes handed in before are found by their
// SHA-1, without decoding them again.
std::optional<std::string> store_avatar(Database& db, std::string bytes, std::string_view type,
                                        std::string_view owner);

// store_avatar, then `hash` (the owner's stored field) takes the new one, `save` writes the
// owner's row, and the old image goes if nobody else uses it. False: nothing changed.
bool replace_avatar(Database& db, std::string& hash, std::string bytes, std::string_view type,
                    std::string_view owner, const std::function<void()>& save);

}  // namespace legate
