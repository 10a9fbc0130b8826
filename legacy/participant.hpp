// Participant: someone in a room, seen as `room@gw/nick` — a legacy contact, an anonymous
// nick, or the user themselves (Room::user()). Bridges call its actions to bring what
// happens in the legacy group to XMPP.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../component/element.hpp"
#include "../component/jid.hpp"
#include "../storage/room_store.hpp"
#include "room_types.hpp"
#include "types.hpp"

namespace legate {

class Room;
enum class MucStatus : int;  // room_stanzas.hpp

class Participant {
 public:
  Participant(Room& room, ParticipantRecord record);
  Participant(const Participant&) = delete;
  Participant& operator=(const Participant&) = delete;

  const std::string& nick() const { return record_.nick; }
  // room@gw/nick
  Jid jid() const;
  Room& room() { return room_; }
  const LegacyId& legacy_id() const { return record_.legacy_id; }
  bool is_user() const { return record_.is_user; }
  bool present() const { return record_.present; }
  Affiliation affiliation() const;
  Role role() const;
  // Stable per room and participant (XEP-0421).
  const std::string& occupant_id() const { return occupant_id_; }

  // --- legacy → XMPP ---
  void set_affiliation(Affiliation affiliation);
  void set_role(Role role);
  // Joined / left the group (presences to the user's joined resources).
  void joined();
  void left(std::string_view reason = {});
  // Removed by a moderator (307), or banned (301, affiliation outcast).
  void kicked(std::string_view reason = {});
  void banned(std::string_view reason = {});
  // No longer a member of the group (321, affiliation none).
  void membership_removed(std::string_view reason = {});
  // A new nick: unavailable with 303, then available under the new one.
  void rename(std::string new_nick);
  // A message in the room; returns its id (also its stanza-id). A legacy id already in
  // the room is not sent again.
  std::string send_text(std::string_view body, SendOptions options = {});
  // For Room::backfill: a message of the past, archived (MAM) but not sent; its legacy id
  // and time (options.when) are needed to place it. Returns its stanza-id.
  std::string archive_text(std::string_view body, SendOptions options);
  // For Room::backfill: this participant's reactions of the past to message `target`,
  // archived but not sent. options.legacy_id (the reaction's own id on the network, if any)
  // keeps a second backfill from archiving it twice; options.when places it.
  void archive_reaction(const LegacyId& target, std::vector<std::string> emojis,
                        SendOptions options);
  // Corrects / retracts this participant's message, or sets its reactions to any message
  // of the room (empty removes them). Unknown legacy ids are ignored.
  void correct(const LegacyId& legacy_id, std::string_view new_body);
  void retract(const LegacyId& legacy_id);
  void react(const LegacyId& legacy_id, std::vector<std::string> emojis);
  // XEP-0085 in the room (not stored): typing, paused, active.
  void composing();
  void paused();
  void active();
  // XEP-0333: this participant read the room up to message `legacy_id`. On the user's own
  // occupant (Room::user()): the user read it in the legacy app; their clients also learn
  // it through their read-marker node (XEP-0490).
  void displayed(const LegacyId& legacy_id);

  // Framework side.
  const ParticipantRecord& record() const { return record_; }
  void set_present(bool present);

 private:
  friend class Room;
  void save();
  // Gone with a status code (kicked, banned) and a reason, to every joined resource.
  void removed(MucStatus code, std::string_view reason);
  // The XMPP id (the room's stanza-id) of a message of the room by its legacy id.
  std::optional<std::string> xmpp_id_of(const LegacyId& legacy_id);
  // The stanza-id of the message's legacy id if already in the room (nullopt: new, fresh_id,
  // or no legacy id).
  std::optional<std::string> known(const SendOptions& options);
  // A text of this participant as the room shows it, mapped and archived.
  Element text_message(std::string_view body, const SendOptions& options,
                       const std::string& stanza_id);
  // Sends `message` (built as a chat message) from this occupant to the room's joined
  // resources as a groupchat with a new stanza-id and its occupant id; returns that id.
  std::string send_to_room(Element message);
  // `message` as the room shows it: a groupchat with a new stanza-id (returned) and the
  // occupant id, archived.
  std::string room_message(Element& message,
                           std::optional<std::chrono::system_clock::time_point> when = {});
  // A notification (chat state, marker) from this occupant: no stanza-id, not archived.
  void notify_room(Element message);

  Room& room_;
  ParticipantRecord record_;
  std::string occupant_id_;
};

}  // namespace legate
