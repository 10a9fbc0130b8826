// Participant: an occupant's state and the legacy side's actions in a room.
#include "legacy/participant.hpp"

#include "component/component.hpp"
#include "legacy/contact_stanzas.hpp"
#include "legacy/room.hpp"
#include "legacy/room_stanzas.hpp"
#include "legacy/session.hpp"
#include "storage/id_map.hpp"
#include "storage/room_archive.hpp"

namespace legate {
Participant::Participant(Room& room, ParticipantRecord record)
    : room_(room), record_(std::move(record)) {
  // The user, a legacy identity, or a bare nick: each keeps its occupant id across renames
  // (but for nick-only participants, whose nick is all there is).
  const std::string who = record_.is_user              ? std::string()
                          : !record_.legacy_id.empty() ? "id:" + record_.legacy_id
                                                       : "nick:" + record_.nick;
  occupant_id_ =
      legate::occupant_id(room_.session().host().occupant_secret(), room_.jid().str(), who);
}

Jid Participant::jid() const {
  return Jid(room_.jid().str() + "/" + record_.nick);
}

Affiliation Participant::affiliation() const {
  return affiliation_from(record_.affiliation).value_or(Affiliation::member);
}

Role Participant::role() const {
  return role_from(record_.role).value_or(Role::participant);
}

void Participant::save() {
  record_ = RoomStore(room_.session().host().database()).upsert_participant(record_);
}

void Participant::set_present(bool present) {
  if (record_.present == present) return;
  record_.present = present;
  save();
}

void Participant::set_affiliation(Affiliation affiliation) {
  if (affiliation == this->affiliation()) return;
  record_.affiliation = std::string(to_string(affiliation));
  save();
  if (record_.present) joined();  // XEP-0045 §17.3: a new presence carries the change
}

void Participant::set_role(Role role) {
  if (role == this->role()) return;
  record_.role = std::string(to_string(role));
  save();
  if (record_.present) joined();
}

void Participant::joined() {
  set_present(true);
  Component& component = room_.session().host().component();
  for (const auto& resource : room_.resources())
    component.send(
        room_.presence_of(*this, room_.session().user_jid().bare_str() + "/" + resource));
}

void Participant::left(std::string_view reason) {
  set_present(false);
  Component& component = room_.session().host().component();
  for (const auto& resource : room_.resources()) {
    Element presence = room_.presence_of(
        *this, room_.session().user_jid().bare_str() + "/" + resource, "unavailable");
    if (!reason.empty())
      presence.add_child("status", std::string(kComponentNs)).set_text(std::string(reason));
    component.send(presence);
  }
}

void Participant::removed(MucStatus code, std::string_view reason) {
  if (!record_.present) return;  // gone already: the change is stored, nothing to show
  set_present(false);
  Component& component = room_.session().host().component();
  for (const auto& resource : room_.resources()) {
    Element presence = room_.presence_of(
        *this, room_.session().user_jid().bare_str() + "/" + resource, "unavailable");
    Element* item = presence.child("x", kMucUserNs)->child("item", kMucUserNs);
    if (!reason.empty())
      item->add_child("reason", std::string(kMucUserNs)).set_text(std::string(reason));
    add_status(presence, code);
    component.send(presence);
  }
}

void Participant::kicked(std::string_view reason) {
  removed(MucStatus::kicked, reason);
}

void Participant::banned(std::string_view reason) {
  record_.affiliation = std::string(to_string(Affiliation::outcast));
  save();
  removed(MucStatus::banned, reason);
}

void Participant::membership_removed(std::string_view reason) {
  record_.affiliation = std::string(to_string(Affiliation::none));
  save();
  removed(MucStatus::membership_removed, reason);
}

void Participant::rename(std::string new_nick) {
  if (new_nick == record_.nick || new_nick.empty()) return;
  Component& component = room_.session().host().component();
  const std::string bare = room_.session().user_jid().bare_str();
  if (record_.present) {
    for (const auto& resource : room_.resources()) {
      Element presence = room_.presence_of(*this, bare + "/" + resource, "unavailable");
      presence.child("x", kMucUserNs)->child("item", kMucUserNs)->set_attr("nick", new_nick);
      add_status(presence, MucStatus::new_nick);
      component.send(presence);
    }
  }
  RoomStore(room_.session().host().database())
      .rename_participant(record_.room_id, record_.nick, new_nick);
  auto node = room_.by_nick_.extract(record_.nick);
  record_.nick = new_nick;
  node.key() = new_nick;
  room_.by_nick_.insert(std::move(node));
  if (record_.present) joined();
}

std::optional<std::string> Participant::known(const SendOptions& options) {
  // Already in the room (the network echoing the user's message, an overlapping fetch);
  // an id the bridge has just made cannot be.
  if (options.legacy_id.empty() || options.fresh_id) return std::nullopt;
  return xmpp_id_of(options.legacy_id);
}

Element Participant::text_message(std::string_view body, const SendOptions& options,
                                  const std::string& stanza_id) {
  Session& session = room_.session();
  Element message = groupchat_message({.from = jid().str(),
                                       .id = stanza_id,
                                       .stanza_id = stanza_id,
                                       .room_jid = room_.jid().str(),
                                       .occupant_id = occupant_id_,
                                       .body = std::string(body),
                                       .when = options.when});
  if (options.reply_to) {  // XEP-0461 in groups: the room's stanza-id of the quoted message
    if (auto target = xmpp_id_of(*options.reply_to))
      message.add_child("reply", std::string(kReplyNs)).set_attr("id", *target);
  }
  if (!options.legacy_id.empty())
    session.id_map().put(session.user().id, room_.id_kind(), stanza_id, options.legacy_id);
  room_.archive(message, stanza_id, options.legacy_id, record_.nick, options.when);
  return message;
}

std::string Participant::send_text(std::string_view body, SendOptions options) {
  if (auto known_id = known(options)) return *known_id;
  if (!record_.present) joined();  // the sender's presence first
  const std::string stanza_id = room_.session().host().room_archive().new_stanza_id();
  if (!options.legacy_id.empty())
    room_.note_live(options.legacy_id, options.when.value_or(std::chrono::system_clock::now()));
  room_.broadcast(text_message(body, options, stanza_id));
  return stanza_id;
}

std::string Participant::archive_text(std::string_view body, SendOptions options) {
  if (auto known_id = known(options)) return *known_id;
  const std::string stanza_id = room_.session().host().room_archive().new_stanza_id();
  text_message(body, options, stanza_id);  // history only: not sent, the sender not announced
  return stanza_id;
}

std::optional<std::string> Participant::xmpp_id_of(const LegacyId& legacy_id) {
  IdMap& ids = room_.session().id_map();
  const std::int64_t user = room_.session().user().id;
  const std::string kind = room_.id_kind();
  if (auto id = ids.recent_xmpp_id(user, kind, legacy_id)) return id;
  return ids.xmpp_id(user, kind, legacy_id);
}

std::string Participant::room_message(Element& message,
                                      std::optional<std::chrono::system_clock::time_point> when) {
  const std::string stanza_id = room_.session().host().room_archive().new_stanza_id();
  message.set_attr("type", "groupchat").set_attr("id", stanza_id);
  message.add_child("stanza-id", std::string(kStanzaIdNs))
      .set_attr("id", stanza_id)
      .set_attr("by", room_.jid().str());
  message.add_child("occupant-id", std::string(kOccupantIdNs)).set_attr("id", occupant_id_);
  room_.archive(message, stanza_id, {}, record_.nick, when);
  return stanza_id;
}

std::string Participant::send_to_room(Element message) {
  if (!record_.present) joined();
  std::string stanza_id = room_message(message);
  room_.broadcast(std::move(message));
  return stanza_id;
}

void Participant::archive_reaction(const LegacyId& target, std::vector<std::string> emojis,
                                   SendOptions options) {
  if (known(options)) return;
  const auto target_id = xmpp_id_of(target);
  if (!target_id) return;
  Element message = reactions_message(jid().str(), "", "", *target_id, emojis);
  const std::string stanza_id = room_message(message, options.when);
  if (!options.legacy_id.empty()) {
    Session& session = room_.session();
    session.id_map().put(session.user().id, room_.id_kind(), stanza_id, options.legacy_id);
  }
}

void Participant::notify_room(Element message) {
  if (!record_.present) joined();
  message.set_attr("type", "groupchat");
  message.add_child("occupant-id", std::string(kOccupantIdNs)).set_attr("id", occupant_id_);
  room_.broadcast(std::move(message));
}

void Participant::composing() {
  notify_room(chat_state_message(jid().str(), "", ChatState::composing));
}

void Participant::paused() {
  notify_room(chat_state_message(jid().str(), "", ChatState::paused));
}

void Participant::active() {
  notify_room(chat_state_message(jid().str(), "", ChatState::active));
}

void Participant::displayed(const LegacyId& legacy_id) {
  auto target = xmpp_id_of(legacy_id);
  if (!target) return;
  notify_room(displayed_message(jid().str(), "", *target));
  // The user's occupant: read in the legacy app, so the user's clients mark it read too.
  if (room_.me_ == this) room_.session().host().read_elsewhere(room_, *target);
}

void Participant::correct(const LegacyId& legacy_id, std::string_view new_body) {
  auto target = xmpp_id_of(legacy_id);
  if (!target) return;
  // Not mapped: later corrections and reactions still name the original (XEP-0308 §5).
  send_to_room(correction_message(jid().str(), "", "", *target, new_body));
}

void Participant::retract(const LegacyId& legacy_id) {
  if (auto target = xmpp_id_of(legacy_id))
    send_to_room(retraction_message(jid().str(), "", "", *target));
}

void Participant::react(const LegacyId& legacy_id, std::vector<std::string> emojis) {
  if (auto target = xmpp_id_of(legacy_id))
    send_to_room(reactions_message(jid().str(), "", "", *target, emojis));
}

}  // namespace legate
