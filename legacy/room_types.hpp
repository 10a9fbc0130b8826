// Plain data of group chats (XEP-0045) in the bridge-author API: what kind of room a legacy
// group is, and the affiliations and roles of its participants.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace legate {

// What a legacy group looks like to clients (disco features, GROUPS.md §1.3).
enum class RoomKind {
  group,    // a WhatsApp/Signal-like group: members-only, participants' real JIDs shown
  channel,  // an IRC-like channel: open, nick-based (semi-anonymous)
};

enum class Affiliation { none, member, admin, owner, outcast };

// What an occupant's software says of itself (XEP-0092, asked through the room).
struct OccupantVersion {
  std::string name;
  std::string version;
  std::string os;
};
enum class Role { none, visitor, participant, moderator };

std::string_view to_string(RoomKind kind);
std::string_view to_string(Affiliation affiliation);
std::string_view to_string(Role role);
std::optional<RoomKind> room_kind_from(std::string_view name);
std::optional<Affiliation> affiliation_from(std::string_view name);
std::optional<Role> role_from(std::string_view name);

}  // namespace legate
