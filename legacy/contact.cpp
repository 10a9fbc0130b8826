// Contact: state, persistence and legacy → XMPP actions.
#include "legacy/contact.hpp"

#include <spdlog/spdlog.h>

#include "component/component.hpp"
#include "component/digest.hpp"
#include "legacy/contact_stanzas.hpp"
#include "legacy/message_ids.hpp"
#include "legacy/session.hpp"
#include "legacy/stored_avatar.hpp"
#include "storage/avatar_store.hpp"
#include "storage/id_map.hpp"

namespace legate {
namespace {

// Stored as the <show/> value, with "unavailable" for offline.
std::string_view show_name(PresenceShow show) {
  return show == PresenceShow::offline ? "unavailable" : show_element(show);
}

PresenceShow show_from(std::string_view stored) {
  return stored == "unavailable" ? PresenceShow::offline : show_from_element(stored);
}

}  // namespace

Contact::Contact(Session& session, ContactRecord record)
    : session_(session),
      record_(std::move(record)),
      jid_(Jid(record_.local + "@" + session.host().component().jid().str())) {
  presence_.show = show_from(record_.presence_show);  // "" is online; new contacts start offline
  presence_.status = record_.presence_status;
  if (record_.last_seen > 0) {
    presence_.last_seen = Time(std::chrono::seconds(record_.last_seen));
  }
}

void Contact::save() {
  record_ = ContactStore(session_.host().database()).upsert(record_);
}

void Contact::set_name(std::string name) {
  if (name == record_.name) return;
  record_.name = std::move(name);
  save();
  if (record_.nick.empty()) session_.host().identity_changed(*this, IdentityChange::nick);
}

void Contact::set_nick(std::string nick) {
  if (nick == record_.nick) return;
  record_.nick = std::move(nick);
  save();
  session_.host().identity_changed(*this, IdentityChange::nick);
}

void Contact::set_avatar(std::string bytes, std::string type) {
  const std::string owner = session_.user_jid().str() + ": " + jid_.str();
  if (!replace_avatar(session_.host().database(), record_.avatar_hash, std::move(bytes), type,
                      owner, [this] { save(); }))
    return;
  // XEP-0153: a new hash in a presence tells clients to fetch the vCard again.
  if (presence_.show != PresenceShow::offline) send_presence_to(session_.user_jid());
  session_.host().identity_changed(*this, IdentityChange::avatar);  // XEP-0084
}

void Contact::set_presence(PresenceShow show, std::string_view status,
                           std::optional<Time> last_seen) {
  presence_ = ContactPresence{show, std::string(status), last_seen};
  record_.presence_show = std::string(show_name(show));
  record_.presence_status = std::string(status);
  record_.last_seen =
      last_seen
          ? std::chrono::duration_cast<std::chrono::seconds>(last_seen->time_since_epoch()).count()
          : 0;
  ContactStore(session_.host().database())
      .set_presence(session_.user().id, record_.legacy_id, record_.presence_show,
                    record_.presence_status, record_.last_seen);
  send_presence_to(session_.user_jid());
}

void Contact::online(std::string_view status) {
  set_presence(PresenceShow::online, status, {});
}
void Contact::away(std::string_view status) {
  set_presence(PresenceShow::away, status, {});
}
void Contact::busy(std::string_view status) {
  set_presence(PresenceShow::busy, status, {});
}
void Contact::extended_away(std::string_view status) {
  set_presence(PresenceShow::extended_away, status, {});
}
void Contact::offline(std::string_view status, std::optional<Time> last_seen) {
  set_presence(PresenceShow::offline, status, last_seen);
}

void Contact::send_presence_to(const Jid& to) {
  Component& component = session_.host().component();
  const Features& features = session_.host().features();
  // The same identity (with the contact's name) as its disco#info, or clients would cache
  // a mismatching feature list.
  const std::string ver = contact_caps_ver(features, record_.name);
  component.send(contact_presence(jid_.str(), to.str(), presence_, record_.avatar_hash,
                                  kContactCapsNode, ver));
}

std::string Contact::send_text(std::string_view body, SendOptions options) {
  Router& router = session_.host().component().router();
  const std::string id = router.next_id();
  std::optional<ReplyTo> reply;
  if (options.reply_to) {
    if (auto target = find_xmpp_id(session_.id_map(), session_.user().id, *options.reply_to))
      reply = ReplyTo{*options.reply_to, target->xmpp_id, target->by_contact};
  }
  const LegacyId& legacy_id = options.legacy_id;
  const std::optional<Time>& when = options.when;
  // Markable and with a receipt request: the user's client then reports delivery and
  // reading, which reach the bridge's on_displayed().
  session_.host().component().send(
      text_message(jid_.str(), session_.user_jid().str(), id, body, when, reply, true));
  if (!legacy_id.empty()) session_.id_map().put(session_.user().id, kContactMessage, id, legacy_id);
  return id;
}

asio::awaitable<std::string> Contact::send_file(OutgoingFile file) {
  SessionHost& host = session_.host();
  co_return co_await host.send_file(*this, std::move(file));
}

void Contact::correct(const LegacyId& legacy_id, std::string_view new_body) {
  auto target = xmpp_id_of(legacy_id);
  if (!target) {
    spdlog::debug("{}: correction of unknown message {}", session_.user_jid().str(), legacy_id);
    send_text(new_body, {.legacy_id = legacy_id});
    return;
  }
  const std::string id = session_.host().component().router().next_id();
  session_.host().component().send(
      correction_message(jid_.str(), session_.user_jid().str(), id, *target, new_body));
}

void Contact::retract(const LegacyId& legacy_id) {
  auto target = xmpp_id_of(legacy_id);
  if (!target) return;
  const std::string id = session_.host().component().router().next_id();
  session_.host().component().send(
      retraction_message(jid_.str(), session_.user_jid().str(), id, *target));
}

void Contact::react(const LegacyId& legacy_id, std::vector<std::string> emojis) {
  auto target = xmpp_id_of(legacy_id);
  if (!target) return;
  const std::string id = session_.host().component().router().next_id();
  session_.host().component().send(
      reactions_message(jid_.str(), session_.user_jid().str(), id, *target, emojis));
}

void Contact::send_chat_state(ChatState state) {
  session_.host().component().send(
      chat_state_message(jid_.str(), session_.user_jid().str(), state));
}

void Contact::composing() {
  send_chat_state(ChatState::composing);
}
void Contact::paused() {
  send_chat_state(ChatState::paused);
}
void Contact::active() {
  send_chat_state(ChatState::active);
}
void Contact::inactive() {
  send_chat_state(ChatState::inactive);
}

void Contact::received(const LegacyId& legacy_id) {
  if (auto target = xmpp_id_of(legacy_id)) {
    session_.host().component().send(
        receipt_message(jid_.str(), session_.user_jid().str(), *target));
  }
}

void Contact::displayed(const LegacyId& legacy_id) {
  if (auto target = xmpp_id_of(legacy_id)) {
    session_.host().component().send(
        displayed_message(jid_.str(), session_.user_jid().str(), *target));
  }
}

std::optional<std::string> Contact::xmpp_id_of(const LegacyId& legacy_id) {
  auto found = find_xmpp_id(session_.id_map(), session_.user().id, legacy_id);
  if (!found) return std::nullopt;
  return found->xmpp_id;
}

void Contact::mark_in_roster(bool in_roster) {
  if (record_.in_roster == in_roster) return;
  record_.in_roster = in_roster;
  save();
}

void Contact::mark_removed_by_user(bool removed) {
  if (record_.removed_by_user == removed) return;
  record_.removed_by_user = removed;
  save();
}

void Contact::add_to_roster() {
  mark_removed_by_user(false);  // the bridge asks for it: e.g. a new friendship
  session_.host().add_to_roster(*this);
}

}  // namespace legate
