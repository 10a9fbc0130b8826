// Shared pieces of the commands stanza tests: a GatewayHarness (admin@test is an admin)
// with a Commands registry built on the component thread, without the built-in commands,
// and helpers that send ad-hoc command iqs and read their single reply.
#pragma once

#include <doctest/doctest.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "commands/adhoc_commands.hpp"
#include "commands/commands.hpp"
#include "component/stanza.hpp"
#include "tests/support/gateway_harness.hpp"

namespace legate::test {

inline constexpr std::string_view kAdmin = "admin@test/desk";

inline GatewaySettings with_admin() {
  GatewaySettings settings;
  settings.admins = {Jid("admin@test")};
  return settings;
}

class CommandsFixture {
 public:
  // `define` adds the test's commands; it runs on the component thread, where the
  // registry lives.
  explicit CommandsFixture(const std::function<void(Commands&)>& define,
                           GatewaySettings settings = with_admin())
      : g_(RegistrationType::form, std::move(settings)) {
    g_.h().on_component_thread([&] {
      commands_ = std::make_unique<Commands>(g_.gateway(), /*builtins=*/false);
      define(*commands_);
    });
  }
  // The component thread stops first: its handlers point into the registry.
  ~CommandsFixture() {
    g_.h().stop(/*force=*/true);
    commands_.reset();
  }
  CommandsFixture(const CommandsFixture&) = delete;
  CommandsFixture& operator=(const CommandsFixture&) = delete;

  GatewayHarness& g() { return g_; }

  // The reply to the iq `id`. Other stanzas (registration's presences and messages) are
  // skipped, but an iq with another id fails the test: each iq gets exactly one reply, in
  // order, so a stray one is a duplicate.
  Element reply_to(std::string_view id) {
    Element reply = g_.next_where([](const Element& e) { return e.name() == "iq"; });
    CHECK_MESSAGE(reply.attr_or("id") == id, "unexpected iq " << reply.str());
    return reply;
  }

  // Sends <command/> with `attrs` (e.g. "node='x' action='execute'") and `inner` XML.
  Element command(std::string_view from, std::string_view id, std::string_view attrs,
                  std::string_view inner = {}) {
    g_.h().inject("<iq type='set' id='" + std::string(id) + "' from='" + std::string(from) +
                  "' to='gw.test'><command xmlns='http://jabber.org/protocol/commands' " +
                  std::string(attrs) + ">" + std::string(inner) + "</command></iq>");
    return reply_to(id);
  }

  Element execute(std::string_view from, std::string_view id, std::string_view node) {
    return command(from, id, "node='" + std::string(node) + "' action='execute'");
  }

  // Continues session `sid` of `node` with a submitted form holding `fields` XML.
  Element submit(std::string_view from, std::string_view id, std::string_view node,
                 std::string_view sid, std::string_view fields,
                 std::string_view action = "complete") {
    return command(from, id,
                   "node='" + std::string(node) + "' sessionid='" + std::string(sid) +
                       "' action='" + std::string(action) + "'",
                   "<x xmlns='jabber:x:data' type='submit'>" + std::string(fields) + "</x>");
  }

  // Disco#info or #items (`ns`) of a node of the gateway JID.
  Element disco(std::string_view from, std::string_view id, std::string_view ns,
                std::string_view node) {
    g_.h().inject("<iq type='get' id='" + std::string(id) + "' from='" + std::string(from) +
                  "' to='gw.test'><query xmlns='" + std::string(ns) + "' node='" +
                  std::string(node) + "'/></iq>");
    return reply_to(id);
  }

  // Registers `user` (its welcome and subscription stanzas are skipped by reply_to).
  void register_user(std::string_view user) {
    REQUIRE(g_.register_with(user, "al", "pw", "reg").attr_or("type") == "result");
  }

  // Nothing but non-iq stanzas may still arrive: no iq was answered twice.
  void expect_no_more_replies() {
    for (const Element& stanza : g_.h().settle())
      CHECK_MESSAGE(stanza.name() != "iq", "extra iq " << stanza.str());
  }

 private:
  GatewayHarness g_;
  std::unique_ptr<Commands> commands_;
};

// The <command/> of a result, or nullptr.
inline const Element* command_of(const Element& reply) {
  return reply.child("command", kCommandsNs);
}

inline bool refused(const Element& e, ErrorCondition condition) {
  return e.attr_or("type") == "error" && StanzaError::from_stanza(e).condition() == condition;
}

// An error with XEP-0050's application condition `app` (bad-sessionid, bad-action, …).
inline bool is_command_error(const Element& e, ErrorCondition condition, std::string_view app) {
  if (!refused(e, condition)) return false;
  const auto found = StanzaError::from_stanza(e).app_condition();
  return found && found->name == app && found->ns == kCommandsNs;
}

}  // namespace legate::test
