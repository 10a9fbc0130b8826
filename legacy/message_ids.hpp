// Message ids: the XMPP id <-> legacy id map of one user's 1:1 messages, in both
// directions, kept in SQLite so corrections, retractions, reactions, replies and markers
// find their message after a restart.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "types.hpp"

namespace legate {

class IdMap;

inline constexpr std::string_view kUserMessage = "message";             // sent by the user
inline constexpr std::string_view kContactMessage = "contact-message";  // sent by a contact

struct MessageRef {
  std::string xmpp_id;
  bool by_contact = false;  // who wrote it (a reply names its author)
};

// The XMPP id of a message by its legacy id, either direction.
std::optional<MessageRef> find_xmpp_id(IdMap& ids, std::int64_t user, const LegacyId& legacy);
// The legacy id of a message by its XMPP id, either direction.
std::optional<LegacyId> find_legacy_id(IdMap& ids, std::int64_t user, std::string_view xmpp_id);

}  // namespace legate
