// Room: state, participants, the join sequence and the user's messages.
#include "legacy/room.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "component/clock.hpp"
#include "component/component.hpp"
#include "component/stanza_error.hpp"
#include "legacy/contact_stanzas.hpp"
#include "legacy/room_stanzas.hpp"
#include "legacy/session.hpp"
#include "storage/id_map.hpp"
#include "storage/room_archive.hpp"

namespace legate {

Room::Room(Session& session, RoomRecord record)
    : session_(session),
      record_(std::move(record)),
      jid_(Jid(record_.local + "@" + session.host().component().jid().str())),
      resources_(RoomStore(session.host().database()).resources(record_.id)) {}

Room::~Room() = default;

RoomKind Room::kind() const {
  return room_kind_from(record_.kind).value_or(RoomKind::group);
}

std::string Room::user_nick() const {
  if (!record_.user_nick.empty()) return record_.user_nick;
  return std::string(session_.user_jid().local());
}

void Room::save() {
  record_ = RoomStore(session_.host().database()).upsert(record_);
}

void Room::set_name(std::string name) {
  if (name == record_.name) return;
  record_.name = std::move(name);
  save();
}

void Room::set_description(std::string description) {
  if (description == record_.description) return;
  record_.description = std::move(description);
  save();
}

void Room::set_kind(RoomKind kind) {
  if (kind == this->kind()) return;
  record_.kind = std::string(to_string(kind));
  save();
}

void Room::set_subject(std::string text, Participant* by, std::optional<Time> when) {
  const std::string setter = by ? by->nick() : std::string();
  if (text == record_.subject && setter == record_.subject_by) return;
  record_.subject = std::move(text);
  record_.subject_by = setter;
  record_.subject_at =
      when ? std::chrono::duration_cast<std::chrono::seconds>(when->time_since_epoch()).count() : 0;
  subject_when_ = when;
  save();
  for (const auto& resource : resources_) send_subject(full_jid(resource));
}

std::string Room::full_jid(std::string_view resource) const {
  return session_.user_jid().bare_str() + "/" + std::string(resource);
}

std::string Room::occupant_jid(std::string_view nick) const {
  return jid_.str() + "/" + std::string(nick);
}

Participant& Room::add(ParticipantRecord record) {
  record.room_id = record_.id;
  record = RoomStore(session_.host().database()).upsert_participant(record);
  auto made = std::make_unique<Participant>(*this, std::move(record));
  Participant& ref = *made;
  if (auto old = by_nick_.find(ref.nick()); old != by_nick_.end()) unindex(*old->second);
  index(ref);
  by_nick_.insert_or_assign(ref.nick(), std::move(made));
  // Someone new while the user is in the room: announced now (XEP-0045 §7.2.2), not first
  // seen in a message or a kick.
  if (!ref.is_user() && ref.present())
    for (const auto& resource : resources_)
      session_.host().component().send(presence_of(ref, full_jid(resource)));
  return ref;
}

void Room::index(Participant& p) {
  if (p.is_user())
    me_ = &p;
  else if (!p.legacy_id().empty())
    by_legacy_.insert_or_assign(p.legacy_id(), &p);
}

void Room::unindex(Participant& p) {
  if (me_ == &p) me_ = nullptr;
  if (auto it = by_legacy_.find(p.legacy_id()); it != by_legacy_.end() && it->second == &p)
    by_legacy_.erase(it);
}

void Room::load_participants() {
  if (loaded_) return;
  loaded_ = true;
  for (auto& record : RoomStore(session_.host().database()).participants(record_.id)) {
    if (by_nick_.count(record.nick)) continue;
    auto made = std::make_unique<Participant>(*this, std::move(record));
    index(*made);
    by_nick_.emplace(made->nick(), std::move(made));
  }
}

std::vector<Participant*> Room::participants() {
  load_participants();
  std::vector<Participant*> out;
  out.reserve(by_nick_.size());
  for (auto& [nick, p] : by_nick_) out.push_back(p.get());
  return out;
}

Participant& Room::participant(const LegacyId& contact_id, std::string nick) {
  if (Participant* known = find_participant_of(contact_id)) return *known;
  Contact& contact = session_.roster().by_legacy_id(contact_id);
  if (nick.empty()) nick = contact.nick().empty() ? contact.name() : contact.nick();
  if (nick.empty()) nick = contact_id;
  // The user's nick wins a clash; another participant's too: then "Name (id)".
  if (nick == user_nick() || by_nick_.count(nick)) nick += " (" + contact_id + ")";
  ParticipantRecord record;
  record.nick = std::move(nick);
  record.legacy_id = contact_id;
  return add(std::move(record));
}

Participant* Room::find_participant(std::string_view nick) {
  load_participants();
  auto it = by_nick_.find(nick);
  return it == by_nick_.end() ? nullptr : it->second.get();
}

Participant* Room::find_participant_of(const LegacyId& contact_id) {
  load_participants();
  auto it = by_legacy_.find(contact_id);
  return it == by_legacy_.end() ? nullptr : it->second;
}

Participant& Room::participant_by_nick(std::string_view nick) {
  load_participants();
  if (auto it = by_nick_.find(nick); it != by_nick_.end()) return *it->second;
  ParticipantRecord record;
  record.nick = std::string(nick);
  return add(std::move(record));
}

Participant& Room::user() {
  const std::string nick = user_nick();
  load_participants();
  if (me_ && me_->nick() == nick) return *me_;  // every reflection and join asks
  for (Participant* p : participants())
    if (p->is_user()) {
      if (p->nick() != nick) {
        RoomStore(session_.host().database()).rename_participant(record_.id, p->nick(), nick);
        auto node = by_nick_.extract(p->nick());
        node.key() = nick;
        node.mapped()->record_.nick = nick;
        by_nick_.insert(std::move(node));
      }
      return *by_nick_.at(nick);
    }
  ParticipantRecord record;
  record.nick = nick;
  record.is_user = true;
  return add(std::move(record));
}

bool Room::has_resource(std::string_view resource) const {
  for (const auto& r : resources_)
    if (r == resource) return true;
  return false;
}

std::string Room::real_jid_of(Participant& p) {
  if (p.legacy_id().empty()) return {};
  return session_.roster().by_legacy_id(p.legacy_id()).jid().str();
}

Element Room::presence_of(Participant& p, std::string_view to, std::string_view type) {
  OccupantPresence presence{.from = occupant_jid(p.nick()),
                            .to = std::string(to),
                            .type = std::string(type),
                            .affiliation = p.affiliation(),
                            .role = type == "unavailable" ? Role::none : p.role(),
                            .occupant_id = p.occupant_id()};
  if (non_anonymous()) presence.real_jid = p.is_user() ? std::string(to) : real_jid_of(p);
  return occupant_presence(presence);
}

void Room::send_subject(std::string_view to) {
  const std::string from =
      record_.subject_by.empty() ? jid_.str() : occupant_jid(record_.subject_by);
  std::optional<Time> when = subject_when_;
  if (!when && record_.subject_at > 0) when = Time(std::chrono::seconds(record_.subject_at));
  session_.host().component().send(subject_message(from, to, record_.subject, jid_.str(), when));
}

asio::awaitable<void> Room::ensure_info() {
  if (info_updated_) co_return;
  info_updated_ = true;
  co_await update_info();
}

asio::awaitable<void> Room::join(std::string resource, std::string nick, std::string id,
                                 MucHistory history) {
  co_await ensure_info();
  co_await on_join();
  if (!record_.participants_filled) {
    co_await fill_participants();
    record_.participants_filled = true;
    save();
  }
  Component& component = session_.host().component();
  const std::string to = full_jid(resource);
  Participant& me = user();
  for (Participant* p : participants())
    if (!p->is_user() && p->present()) component.send(presence_of(*p, to));
  Element self = presence_of(me, to);
  if (non_anonymous()) add_status(self, MucStatus::non_anonymous);
  add_status(self, MucStatus::self);
  if (nick != me.nick()) add_status(self, MucStatus::nick_assigned);  // the room's nick wins
  if (!id.empty()) self.set_attr("id", id);
  component.send(self);
  send_history(to, history);
  send_subject(to);
  if (!has_resource(resource)) {
    resources_.push_back(resource);
    RoomStore(session_.host().database()).add_resource(record_.id, resource, unix_seconds());
    spdlog::info("{}: joined {} from {}", session_.user_jid().str(), jid_.str(), resource);
  }
}

void Room::leave(std::string_view resource, bool send, std::string_view status) {
  auto it = std::find(resources_.begin(), resources_.end(), resource);
  if (it == resources_.end()) return;
  resources_.erase(it);
  RoomStore(session_.host().database()).remove_resource(record_.id, resource);
  if (send) {
    Element self = presence_of(user(), full_jid(resource), "unavailable");
    add_status(self, MucStatus::self);
    session_.host().component().send(self);
  }
  if (resources_.empty()) on_all_left(status);
}

void Room::user_removed(std::string_view reason, bool kicked) {
  Component& component = session_.host().component();
  Participant& me = user();
  for (const auto& resource : resources_) {
    OccupantPresence gone{
        .from = occupant_jid(me.nick()),
        .to = full_jid(resource),
        .type = "unavailable",
        .affiliation = Affiliation::none,
        .role = Role::none,
        .occupant_id = me.occupant_id(),
        .codes = {MucStatus::self, kicked ? MucStatus::kicked : MucStatus::membership_removed},
        .reason = std::string(reason)};
    component.send(occupant_presence(gone));
  }
  spdlog::info("{}: removed from {}{}", session_.user_jid().str(), jid_.str(),
               kicked ? " (kicked)" : "");
  resources_.clear();
  RoomStore(session_.host().database()).clear_resources(record_.id);
}

void Room::broadcast(Element stanza) {
  Component& component = session_.host().component();
  for (const auto& resource : resources_) {
    stanza.set_attr("to", full_jid(resource));
    component.send(stanza);
  }
}

std::optional<LegacyId> Room::legacy_id_of(std::string_view xmpp_id) {
  IdMap& ids = session_.id_map();
  const std::string kind = id_kind();
  if (auto id = ids.recent_legacy_id(session_.user().id, kind, xmpp_id)) return id;
  return ids.legacy_id(session_.user().id, kind, xmpp_id);
}

asio::awaitable<void> Room::user_message(Element stanza) {
  if (const Element* subject = stanza.child("subject", kComponentNs);
      subject && !stanza.child("body", kComponentNs)) {  // XEP-0045 §8.1
    std::string text = subject->text();
    co_await on_set_subject(text);
    set_subject(std::move(text), &user());
    co_return;
  }
  const InboundMessage in = classify_message(stanza, true);
  using Kind = InboundMessage::Kind;
  const auto target = [&]() {
    auto id = legacy_id_of(in.target_id);
    if (!id) throw StanzaError(ErrorCondition::item_not_found, "unknown message " + in.target_id);
    return *id;
  };
  LegacyId legacy;
  switch (in.kind) {
    case Kind::text: {
      Text text{in.body, in.id, std::nullopt};
      if (in.reply_to_id)  // in groups, the quoted message's stanza-id
        text.reply_to = ReplyTo{legacy_id_of(*in.reply_to_id).value_or(""), *in.reply_to_id, true};
      legacy = co_await on_text(text);
      break;
    }
    case Kind::correction: {
      legacy = target();  // named: g++ 12 destroys temporaries in a co_await expression twice
      const Text text{in.body, in.id, std::nullopt};
      co_await on_correct(legacy, text);
      break;
    }
    case Kind::retraction: {
      const LegacyId id = target();
      co_await on_retract(id);
      break;
    }
    case Kind::reaction: {
      const LegacyId id = target();
      co_await on_react(id, in.emojis);
      break;
    }
    case Kind::displayed: {
      // An unknown id (read before a restart that lost the map) is not worth an error.
      if (auto id = legacy_id_of(in.target_id)) co_await on_displayed(*id);
      reflect(std::move(stanza), {});
      co_return;
    }
    case Kind::chat_state: {
      const ChatState state = *in.chat_state;
      co_await on_chat_state(state);
      reflect(std::move(stanza), {});
      co_return;
    }
    default:
      co_return;  // files: not yet
  }
  const std::string stanza_id = session_.host().room_archive().new_stanza_id();
  if (in.kind == Kind::text && !legacy.empty()) {
    // Replies, reactions and retractions name the stanza-id, corrections the message id; the
    // stanza-id last, as a participant's reaction or reply looks it up by legacy id.
    // (A correction maps nothing: later ones name the original, XEP-0308 §5.)
    IdMap& ids = session_.id_map();
    if (auto id = stanza.attr("id"); id && *id != in.id)
      ids.put(session_.user().id, id_kind(), *id, legacy);
    if (!in.id.empty()) ids.put(session_.user().id, id_kind(), in.id, legacy);
    ids.put(session_.user().id, id_kind(), stanza_id, legacy);
  }
  reflect(std::move(stanza), stanza_id, in.kind == Kind::text ? legacy : LegacyId());
}

void Room::reflect(Element stanza, std::string_view stanza_id, const LegacyId& legacy_id) {
  Participant& me = user();
  // The client's message as the room shows it, its id kept (muc#stable_id); notifications
  // (markers, chat states) get no stanza-id, as they are not archived.
  stanza.set_attr("from", occupant_jid(me.nick()));
  stanza.remove_children("stanza-id", kStanzaIdNs);
  stanza.remove_children("occupant-id", kOccupantIdNs);
  if (!stanza_id.empty())
    stanza.add_child("stanza-id", std::string(kStanzaIdNs))
        .set_attr("id", std::string(stanza_id))
        .set_attr("by", jid_.str());
  stanza.add_child("occupant-id", std::string(kOccupantIdNs)).set_attr("id", me.occupant_id());
  if (!stanza_id.empty()) archive(stanza, stanza_id, legacy_id, me.nick());
  broadcast(std::move(stanza));
}

Element Room::disco_info() {
  std::size_t present = 0;
  for (Participant* p : participants())
    if (p->present()) ++present;
  return room_disco_info({.name = record_.name,
                          .description = record_.description,
                          .subject = record_.subject,
                          .kind = kind(),
                          .non_anonymous = non_anonymous(),
                          .occupants = present,
                          .avatar_hash = record_.avatar_hash});
}

}  // namespace legate
