// Shared pieces of the sessions stanza tests: a gateway whose users get ScriptedSessions
// with two contacts (bob, carol), and predicates over what the gateway sends.
#pragma once

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <string_view>

#include "component/stanza.hpp"
#include "legacy/contact_stanzas.hpp"
#include "tests/support/gateway_harness.hpp"
#include "tests/support/scripted_session.hpp"

namespace legate::test {

inline constexpr std::string_view kAlice = "alice@test/phone";
inline constexpr std::string_view kAliceBare = "alice@test";
inline constexpr std::string_view kBob = "bob@gw.test";
inline constexpr std::string_view kCarol = "carol@gw.test";
inline constexpr std::string_view kLoginText = "Connected to the scripted network";

// bob: named, with a nick, online; carol: named, no nick, away.
inline std::shared_ptr<SessionScript> two_contacts() {
  auto script = std::make_shared<SessionScript>();
  script->contacts = {{"bob", "Bob Legacy", "bobby", PresenceShow::online, "hi"},
                      {"carol", "Carol", "", PresenceShow::away, "brb"}};
  return script;
}

// `hooks`: which hooks the scripted session type counts as overridden (default: all).
inline GatewayOptions with_sessions(std::shared_ptr<SessionScript> script,
                                    SessionHooks hooks = all_hooks()) {
  GatewayOptions options;
  options.sessions = std::move(script);
  options.hooks = hooks;
  return options;
}

inline bool is_error(const Element& e, ErrorCondition condition) {
  return e.attr_or("type") == "error" && StanzaError::from_stanza(e).condition() == condition;
}

inline bool is_presence(const Element& e, std::string_view type) {
  return e.name() == "presence" && e.attr_or("type") == type;
}

// A presence of the gateway JID whose status contains `text`.
inline bool is_gateway_status(const Element& e, std::string_view text) {
  return e.name() == "presence" && e.attr_or("from") == "gw.test" &&
         e.child_text("status", kComponentNs).find(text) != std::string_view::npos;
}

inline bool is_message_from(const Element& e, std::string_view from) {
  return e.name() == "message" && e.attr_or("from") == from;
}

// Reads the stanzas what was sent so far caused (ComponentHarness::settle).
inline void drain(GatewayHarness& g) {
  g.h().settle();
}

// Registers `user` and waits until the session logged in, then for the roster to settle.
inline void register_and_log_in(GatewayHarness& g, std::string_view user = kAlice) {
  REQUIRE(g.register_with(user, "al", "pw").attr_or("type") == "result");
  g.next_where([](const Element& e) { return is_gateway_status(e, kLoginText); });
  drain(g);
}

// A chat message from alice's phone to a contact, with `inner` as its payload.
inline void alice_sends(GatewayHarness& g, std::string_view to, std::string_view id,
                        std::string_view inner) {
  g.h().inject("<message type='chat' from='alice@test/phone' to='" + std::string(to) + "'" +
               (id.empty() ? std::string() : " id='" + std::string(id) + "'") + ">" +
               std::string(inner) + "</message>");
}

}  // namespace legate::test
