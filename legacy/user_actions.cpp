// UserActions: the user's own legacy-side actions as privileged messages.
#include "legacy/user_actions.hpp"

#include <spdlog/spdlog.h>

#include "legacy/contact.hpp"
#include "legacy/contact_stanzas.hpp"
#include "legacy/message_ids.hpp"
#include "legacy/session.hpp"
#include "storage/id_map.hpp"

namespace legate {

std::string UserActions::new_id() {
  return contact_.session().host().carbon_id();
}

bool UserActions::send(Element message, std::string_view fallback) {
  Session& session = contact_.session();
  if (session.host().send_carbon(session.user_jid().bare(), std::move(message))) return true;
  if (!fallback.empty() && session.host().carbons_fallback())
    contact_.send_text(std::string(kElsewherePrefix) + std::string(fallback));
  return false;
}

std::string UserActions::send_text(std::string_view body, SendOptions options) {
  Session& session = contact_.session();
  IdMap& ids = session.id_map();
  const std::int64_t user = session.user().id;
  const LegacyId& legacy_id = options.legacy_id;
  if (!legacy_id.empty()) {
    // Sent from XMPP (or copied already): the user's clients have it.
    if (auto known = ids.recent_xmpp_id(user, kUserMessage, legacy_id)) return *known;
    if (auto known = ids.xmpp_id(user, kUserMessage, legacy_id)) return *known;
  }
  std::optional<ReplyTo> reply;
  if (options.reply_to) {
    // The builder names the quoted author from the sender's side: `to` is the contact.
    if (auto target = find_xmpp_id(ids, user, *options.reply_to))
      reply = ReplyTo{*options.reply_to, target->xmpp_id, !target->by_contact};
  }
  const std::string id = new_id();
  const std::string from = session.user_jid().bare_str();
  if (!send(text_message(from, contact_.jid().str(), id, body, options.when, reply, false), body))
    return {};
  if (!legacy_id.empty()) ids.put(user, kUserMessage, id, legacy_id);
  return id;
}

asio::awaitable<std::string> UserActions::send_file(OutgoingFile file) {
  Session& session = contact_.session();
  const LegacyId legacy_id = file.legacy_id;
  const std::string caption = std::move(file.caption);
  const std::string url = co_await session.host().upload_file(contact_, std::move(file));
  const std::string id = new_id();
  Element message = file_message(session.user_jid().bare_str(), contact_.jid().str(), id, url);
  // The user's own message: nobody is to acknowledge it.
  message.remove_children("markable", kMarkersNs);
  message.remove_children("request", kReceiptsNs);
  if (!send(std::move(message), url)) co_return std::string();
  if (!legacy_id.empty()) session.id_map().put(session.user().id, kUserMessage, id, legacy_id);
  if (!caption.empty()) send_text(caption);
  co_return id;
}

void UserActions::correct(const LegacyId& legacy_id, std::string_view new_body) {
  auto target = find_xmpp_id(contact_.session().id_map(), contact_.session().user().id, legacy_id);
  if (!target || target->by_contact) {
    spdlog::debug("{}: correction of unknown own message {}", contact_.session().user_jid().str(),
                  legacy_id);
    send_text(new_body, {.legacy_id = legacy_id});
    return;
  }
  const std::string from = contact_.session().user_jid().bare_str();
  send(correction_message(from, contact_.jid().str(), new_id(), target->xmpp_id, new_body),
       "(correction) " + std::string(new_body));
}

void UserActions::retract(const LegacyId& legacy_id) {
  auto target = find_xmpp_id(contact_.session().id_map(), contact_.session().user().id, legacy_id);
  if (!target || target->by_contact) return;
  const std::string from = contact_.session().user_jid().bare_str();
  send(retraction_message(from, contact_.jid().str(), new_id(), target->xmpp_id),
       "(deleted a message)");
}

void UserActions::react(const LegacyId& legacy_id, std::vector<std::string> emojis) {
  auto target = find_xmpp_id(contact_.session().id_map(), contact_.session().user().id, legacy_id);
  if (!target) return;
  std::string all;
  for (const auto& emoji : emojis) all += emoji;
  const std::string from = contact_.session().user_jid().bare_str();
  send(reactions_message(from, contact_.jid().str(), new_id(), target->xmpp_id, emojis),
       all.empty() ? "(removed a reaction)" : "(reacted " + all + ")");
}

void UserActions::displayed(const LegacyId& legacy_id) {
  auto target = find_xmpp_id(contact_.session().id_map(), contact_.session().user().id, legacy_id);
  if (!target || !target->by_contact) return;
  const std::string from = contact_.session().user_jid().bare_str();
  Element marker = displayed_message(from, contact_.jid().str(), target->xmpp_id);
  marker.set_attr("id", new_id());
  // Body-less: archived only with the hint, and other devices catch up from the archive.
  marker.add_child("store", std::string(kHintsNs));
  send(std::move(marker), {});
}

}  // namespace legate
