// The stanzas of the rooms the gateway serves (XEP-0045), as pure builders: occupants'
// presences with their status codes and occupant ids (XEP-0421), the subject, messages in
// the room with the room's stanza id (XEP-0359), the room's disco#info (§6.4, from
// storage), and the occupant ids themselves. No network, no state: unit-tested alone.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../component/element.hpp"
#include "../component/mam_query.hpp"
#include "../component/muc_history.hpp"  // kMucNs
#include "contact_stanzas.hpp"           // kStanzaIdNs, kDelayNs
#include "room_types.hpp"

namespace legate {

inline constexpr std::string_view kConferenceNs = "jabber:x:conference";  // XEP-0249
inline constexpr std::string_view kMucUserNs = "http://jabber.org/protocol/muc#user";
inline constexpr std::string_view kMucAdminNs = "http://jabber.org/protocol/muc#admin";
inline constexpr std::string_view kMucOwnerNs = "http://jabber.org/protocol/muc#owner";
inline constexpr std::string_view kOccupantIdNs = "urn:xmpp:occupant-id:0";

// XEP-0045 status codes the gateway sends.
enum class MucStatus : int {
  non_anonymous = 100,
  self = 110,
  nick_assigned = 210,
  banned = 301,
  new_nick = 303,
  kicked = 307,
  membership_removed = 321,
  shutdown = 332,
  error_kicked = 333,
};

// An occupant's presence to one of the user's resources.
struct OccupantPresence {
  std::string from{};  // room@gw/nick
  std::string to{};    // the user's full JID
  std::string type{};  // "" (available) or "unavailable"
  Affiliation affiliation = Affiliation::member;
  Role role = Role::participant;
  std::string real_jid{};     // non-anonymous rooms: the contact's (or the user's) JID
  std::string occupant_id{};  // XEP-0421
  std::vector<MucStatus> codes{};
  std::string new_nick{};  // with 303
  std::string id{};        // the join's id, reflected in the self-presence
  std::string reason{};    // kicks and bans
};
Element occupant_presence(const OccupantPresence& p);
// Adds a status code to an occupant presence built above (after its item).
void add_status(Element& presence, MucStatus code);

// The subject (always sent last in a join, empty for none), from the room or its setter.
Element subject_message(std::string_view from, std::string_view to, std::string_view subject,
                        std::string_view room_jid,
                        std::optional<std::chrono::system_clock::time_point> when);

// A message in the room: `from` the occupant JID, `id` the message id, `stanza_id` the room's.
struct RoomMessage {
  std::string from{};
  std::string to{};
  std::string id{};
  std::string stanza_id{};
  std::string room_jid{};
  std::string occupant_id{};
  std::string body{};
  std::optional<std::chrono::system_clock::time_point> when{};  // old: a XEP-0203 delay
};
Element groupchat_message(const RoomMessage& m);

// disco#info of a room, from what storage knows.
struct RoomInfo {
  std::string name{};
  std::string description{};
  std::string subject{};
  RoomKind kind = RoomKind::group;
  bool non_anonymous = true;  // occupants see each other's JIDs (muc_nonanonymous, whois)
  std::size_t occupants = 0;
  std::string avatar_hash{};  // XEP-0486: muc#roominfo_avatarhash when set
};
Element room_disco_info(const RoomInfo& info);
std::vector<std::string> room_features(RoomKind kind, bool non_anonymous);

// A stable, pseudonymous occupant id (XEP-0421 §4.1): distinct per room and per participant
// (`who`: a legacy id, or "" for the user), the same across restarts for one `secret`.
std::string occupant_id(std::string_view secret, std::string_view room_jid, std::string_view who);

// A XEP-0313 result: <message to from=room><result queryid id><forwarded><delay/>
// `archived`</forwarded></result></message>.
Element mam_result(std::string_view to, std::string_view room, std::string_view query_id,
                   std::string_view stanza_id, std::int64_t ts_ms, Element archived);

}  // namespace legate
