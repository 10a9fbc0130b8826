// Outbound stanzas of a contact: messages (text, correction, retraction, reactions, chat
// states, receipts, markers) and presences.
#include "legacy/contact_stanzas.hpp"

#include <ctime>
#include <set>

#include "component/stanza.hpp"

namespace legate {

namespace {

std::string_view chat_state_name(ChatState state) {
  switch (state) {
    case ChatState::active:
      return "active";
    case ChatState::composing:
      return "composing";
    case ChatState::paused:
      return "paused";
    case ChatState::inactive:
      return "inactive";
    case ChatState::gone:
      return "gone";
  }
  return "active";
}

Element with_text(std::string name, std::string ns, std::string_view text) {
  Element e(std::move(name), std::move(ns));
  e.set_text(std::string(text));
  return e;
}

Element with_id(std::string name, std::string_view ns, std::string_view id) {
  Element e(std::move(name), std::string(ns));
  e.set_attr("id", id);
  return e;
}

Element chat_message(std::string_view from, std::string_view to, std::string_view id) {
  Element message = make_message(from, to, "chat");
  if (!id.empty()) message.set_attr("id", id);
  return message;
}

Element body(std::string_view text) {
  return with_text("body", std::string(kComponentNs), text);
}

Element hint(std::string name) {
  return Element(std::move(name), std::string(kHintsNs));
}

}  // namespace

std::string xmpp_datetime(std::chrono::system_clock::time_point when) {
  // Seconds precision: fractions are optional in XEP-0082 and the legacy side rarely has them.
  const std::time_t t =
      std::chrono::system_clock::to_time_t(std::chrono::floor<std::chrono::seconds>(when));
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  const std::size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(buffer, n);
}

Element text_message(std::string_view from, std::string_view to, std::string_view id,
                     std::string_view text,
                     std::optional<std::chrono::system_clock::time_point> when,
                     std::optional<ReplyTo> reply, bool markable_and_receipt_request) {
  Element message = chat_message(from, to, id);
  message.add_child(body(text));
  if (when) {
    Element delay("delay", std::string(kDelayNs));
    delay.set_attr("stamp", xmpp_datetime(*when));
    message.add_child(std::move(delay));
  }
  // A reply without the quoted message's XMPP id would point nowhere: send it unquoted.
  if (reply && !reply->xmpp_id.empty()) {
    // The author of the quoted message: this contact, or the user (bare, as any of their
    // resources may have written it).
    const std::string_view author = reply->to_contact ? from : to.substr(0, to.find('/'));
    Element quoted("reply", std::string(kReplyNs));
    quoted.set_attr("to", author);
    quoted.set_attr("id", reply->xmpp_id);
    message.add_child(std::move(quoted));
  }
  message.add_child("active", std::string(kChatStatesNs));
  if (markable_and_receipt_request) {
    message.add_child("markable", std::string(kMarkersNs));
    message.add_child("request", std::string(kReceiptsNs));
  }
  return message;
}

Element file_message(std::string_view from, std::string_view to, std::string_view id,
                     std::string_view url) {
  Element message = chat_message(from, to, id);
  message.add_child(body(url));
  message.add_child("x", std::string(kOobNs))
      .add_child("url", std::string(kOobNs))
      .set_text(std::string(url));
  message.add_child("markable", std::string(kMarkersNs));
  message.add_child("request", std::string(kReceiptsNs));
  return message;
}

Element correction_message(std::string_view from, std::string_view to, std::string_view id,
                           std::string_view replaced_id, std::string_view new_body) {
  Element message = chat_message(from, to, id);
  message.add_child(body(new_body));
  message.add_child(with_id("replace", kCorrectNs, replaced_id));
  return message;
}

Element retraction_message(std::string_view from, std::string_view to, std::string_view id,
                           std::string_view retracted_id) {
  Element message = chat_message(from, to, id);
  message.add_child(with_id("retract", kRetractNs, retracted_id));
  Element fallback("fallback", std::string(kFallbackNs));
  fallback.set_attr("for", kRetractNs);
  message.add_child(std::move(fallback));
  message.add_child(body(kRetractFallbackBody));
  // As in the XEP's example: the archive must keep it, or clients syncing later would
  // still show the retracted message.
  message.add_child(hint("store"));
  return message;
}

Element reactions_message(std::string_view from, std::string_view to, std::string_view id,
                          std::string_view target_id, const std::vector<std::string>& emojis) {
  Element message = chat_message(from, to, id);
  Element& reactions = message.add_child(with_id("reactions", kReactionsNs, target_id));
  // XEP-0444 wants each reaction once; legacy networks may report one per device.
  std::set<std::string_view> seen;
  for (const auto& emoji : emojis) {
    if (emoji.empty() || !seen.insert(emoji).second) continue;
    reactions.add_child(with_text("reaction", std::string(kReactionsNs), emoji));
  }
  // Bodyless messages are not archived by default; reactions must survive a reconnect.
  message.add_child(hint("store"));
  return message;
}

Element chat_state_message(std::string_view from, std::string_view to, ChatState state) {
  Element message = chat_message(from, to, {});
  message.add_child(std::string(chat_state_name(state)), std::string(kChatStatesNs));
  // "Typing…" is stale the moment it is delivered late: keep it out of archives.
  message.add_child(hint("no-store"));
  return message;
}

Element receipt_message(std::string_view from, std::string_view to, std::string_view received_id) {
  Element message = chat_message(from, to, {});
  message.add_child(with_id("received", kReceiptsNs, received_id));
  return message;
}

Element displayed_message(std::string_view from, std::string_view to,
                          std::string_view displayed_id) {
  Element message = chat_message(from, to, {});
  message.add_child(with_id("displayed", kMarkersNs, displayed_id));
  return message;
}

std::string_view show_element(PresenceShow show) {
  switch (show) {
    case PresenceShow::away:
      return "away";
    case PresenceShow::busy:
      return "dnd";
    case PresenceShow::extended_away:
      return "xa";
    case PresenceShow::online:
    case PresenceShow::offline:
      return "";
  }
  return "";
}

PresenceShow show_from_element(std::string_view show) {
  if (show == "away") return PresenceShow::away;
  if (show == "xa") return PresenceShow::extended_away;
  if (show == "dnd") return PresenceShow::busy;
  return PresenceShow::online;
}

Element contact_presence(std::string_view from, std::string_view to, const ContactPresence& p,
                         std::string_view avatar_hash, std::string_view caps_node,
                         std::string_view caps_ver) {
  const bool available = p.show != PresenceShow::offline;
  Element presence = make_presence(from, to, available ? "" : "unavailable");
  const std::string_view show = show_element(p.show);
  if (!show.empty()) presence.add_child(with_text("show", std::string(kComponentNs), show));
  if (!p.status.empty())
    presence.add_child(with_text("status", std::string(kComponentNs), p.status));
  // Last seen of an away or offline contact; an online one is active now.
  if (p.last_seen && p.show != PresenceShow::online) {
    Element idle("idle", std::string(kIdleNs));
    idle.set_attr("since", xmpp_datetime(*p.last_seen));
    presence.add_child(std::move(idle));
  }
  // Also on unavailable presences: clients show avatars of offline contacts too.
  Element& update = presence.add_child("x", std::string(kVcardUpdateNs));
  update.add_child(with_text("photo", std::string(kVcardUpdateNs), avatar_hash));
  // Capabilities only matter for an entity that can receive stanzas.
  if (available && !caps_ver.empty()) presence.add_child(caps_element(caps_node, caps_ver));
  return presence;
}

Element subscription_request(std::string_view from, std::string_view to, std::string_view nick) {
  Element presence = make_presence(from, to, "subscribe");
  if (!nick.empty()) presence.add_child(with_text("nick", std::string(kNickNs), nick));
  return presence;
}

}  // namespace legate
