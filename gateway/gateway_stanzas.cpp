// Message and presence handling for the gateway JID.
#include "gateway/gateway_stanzas.hpp"

#include <spdlog/spdlog.h>

#include "gateway/privileges.hpp"
#include "gateway/registration.hpp"
#include "gateway/runtime.hpp"
#include "gateway/sessions.hpp"

namespace legate {
namespace {

using Runtime = BaseGateway::Runtime;

void on_message(Runtime& rt, Element& stanza) {
  MessageView message(stanza);
  if (message.is_error()) {
    // A bounce of what a room sent: the resource it went to is gone (a ghost).
    if (auto to = message.to(); to && to->has_local()) {
      if (auto from = message.from()) rt.sessions->contacts().on_bounce(*from, *to, stanza);
      return;
    }
    // A server refusing one of our privileged messages (a carbon) says so only here.
    if (stanza.child("privilege", kPrivilegeNs) || stanza.child("privilege", kPrivilegeV1Ns)) {
      const StanzaError error = StanzaError::from_stanza(stanza);
      spdlog::warn("XEP-0356: {} refused a privileged message: {} {}", stanza.attr_or("from"),
                   to_string(error.condition()), error.text());
    }
    return;
  }
  auto from = message.from();
  auto to = message.to();
  if (!from || !to) throw StanzaError(ErrorCondition::jid_malformed);
  // Contacts have a local part; gw and gw/resource are the gateway itself.
  if (to->has_local()) return rt.sessions->contacts().on_message(stanza);
  if (!from->has_local()) {  // from the server itself: XEP-0356 grants
    if (auto grants = parse_privileges(stanza)) rt.sessions->granted(*from, std::move(*grants));
    return;
  }
  const Jid user = from->bare();
  if (stanza.child("event", kPubsubEventNs)) {  // the user's PEP: read markers (XEP-0490)
    if (auto session = rt.sessions->find(user); session && !from->has_resource())
      rt.sessions->displayed().on_event(session, stanza);
    return;
  }
  const std::string_view body = message.body();
  if (body.empty()) return;  // chat states, receipts…: nothing to do here
  if (rt.chat_input.deliver(user.str(), std::string(body))) return;
  if (rt.chat_handler && rt.chat_handler(*from, body)) return;
  if (!rt.users.find(user)) {
    throw StanzaError(ErrorCondition::registration_required, "register with this gateway first");
  }
  if (body == "re-login") {
    rt.send_chat(user, "Logging in again…");
    return rt.sessions->re_login(user);
  }
  rt.send_chat(user, "This is " + rt.info.name + ". Send 're-login' to log in again.");
}

asio::awaitable<void> unregister_by_roster(Runtime& rt, Jid user) {
  try {
    co_await rt.registration->remove(user);
  } catch (const std::exception& e) {
    spdlog::debug("{}: unregistration on roster removal: {}", user.str(), e.what());
  }
}

void on_presence(Runtime& rt, Element& stanza) {
  PresenceView presence(stanza);
  auto from = presence.from();
  auto to = presence.to();
  if (!from || !to) return;
  if (to->has_local()) return rt.sessions->contacts().on_presence(stanza);
  const Jid user = from->bare();
  const std::string_view type = presence.presence_type();
  const bool registered = rt.users.find(user).has_value();
  if (type == "subscribe") {
    // RFC 6121 §3.1: approve registered users, deny the rest.
    rt.send_presence(user, registered ? "subscribed" : "unsubscribed");
    if (registered) rt.sessions->status().send(user);
  } else if (type == "unsubscribe" || type == "unsubscribed") {
    if (registered) {
      spdlog::info("{} removed the gateway from their roster: unregistering", user.str());
      rt.component.router().tasks().spawn(unregister_by_roster(rt, user), "unregistration");
    }
  } else if (type == "probe") {
    if (registered) {
      rt.sessions->status().send(user);
    } else {
      rt.send_presence(user, "unsubscribed");
    }
  } else if (type == "available" || type == "unavailable") {
    if (!registered) return;
    rt.sessions->contacts().on_user_presence(*from, type, presence.show(), presence.status());
    if (type == "available") rt.sessions->status().send(user);
  }
}

}  // namespace

void install_gateway_stanzas(Runtime& rt) {
  rt.component.router().on_message([&rt](Element& stanza) { on_message(rt, stanza); });
  rt.component.router().on_presence([&rt](Element& stanza) { on_presence(rt, stanza); });
}

}  // namespace legate
