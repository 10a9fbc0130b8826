// Message id lookups over both directions of the id map: the recent mappings in memory
// first (for every kind), then the database.
#include "legacy/message_ids.hpp"

#include "storage/id_map.hpp"

namespace legate {

std::optional<MessageRef> find_xmpp_id(IdMap& ids, std::int64_t user, const LegacyId& legacy) {
  if (auto id = ids.recent_xmpp_id(user, kContactMessage, legacy)) return MessageRef{*id, true};
  if (auto id = ids.recent_xmpp_id(user, kUserMessage, legacy)) return MessageRef{*id, false};
  if (auto id = ids.xmpp_id(user, kContactMessage, legacy)) return MessageRef{*id, true};
  if (auto id = ids.xmpp_id(user, kUserMessage, legacy)) return MessageRef{*id, false};
  return std::nullopt;
}

std::optional<LegacyId> find_legacy_id(IdMap& ids, std::int64_t user, std::string_view xmpp_id) {
  if (auto id = ids.recent_legacy_id(user, kUserMessage, xmpp_id)) return id;
  if (auto id = ids.recent_legacy_id(user, kContactMessage, xmpp_id)) return id;
  if (auto id = ids.legacy_id(user, kUserMessage, xmpp_id)) return id;
  return ids.legacy_id(user, kContactMessage, xmpp_id);
}

}  // namespace legate
