// A gateway with the commands layer (no built-ins) and a few test commands, for the chat
// commands stanza tests: one per access level, a two-step form chain, a confirmation, a
// table and commands that throw.
#pragma once

#include <doctest/doctest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "commands/commands.hpp"
#include "component/stanza.hpp"
#include "tests/support/gateway_harness.hpp"

namespace legate::test::chat {

inline constexpr std::string_view kChatAlice = "alice@test/phone";
inline constexpr std::string_view kChatAdmin = "admin@test/desk";

inline Outcome text_note(std::string text, Note::Kind kind = Note::Kind::info) {
  return Outcome{Note{kind, std::move(text)}};
}

inline Table fruit_table() {
  return Table{"Fruit",
               {{"name", "Name"}, {"qty", "Quantity"}},
               {{"apple", "3"}, {"clémentine", "12"}, {"fig", "100"}}};
}

// Step 2 of "setup": a required nick, an optional buddy JID, a list-multi of days.
inline asio::awaitable<Outcome> setup_step2(CommandContext&, const Form& first) {
  Form form;
  form.title = "Setup, step 2";
  form.fields = {
      FormField::text("nick", "Nickname", true), FormField::jid("buddy", "Buddy"),
      FormField::list_multi("days", "Days",
                            {{"Monday", "mon"}, {"Tuesday", "tue"}, {"Wednesday", "wed"}})};
  const std::string summary = "color=" + std::string(first.value("color")) +
                              " notify=" + std::string(first.value("notify")) +
                              " step=" + std::string(first.value("step"));
  co_return Outcome{
      FormStep{form, [summary](CommandContext&, const Form& f) -> asio::awaitable<Outcome> {
                 std::string days;
                 if (const FormField* d = f.field("days"))
                   for (const auto& v : d->values) days += v + ";";
                 co_return text_note(summary + " nick=" + std::string(f.value("nick")) +
                                     " buddy=" + std::string(f.value("buddy")) + " days=" + days);
               }}};
}

inline void add_test_commands(Commands& commands) {
  commands.add({"Ping", "ping", "ping", "Answers pong", Access::anyone,
                [](CommandContext&) -> asio::awaitable<Outcome> { co_return text_note("pong"); }});
  commands.add({"Who am I", "whoami", "whoami", "Shows your address", Access::registered,
                [](CommandContext& ctx) -> asio::awaitable<Outcome> {
                  co_return text_note("you are " + ctx.user->jid.str());
                }});
  commands.add({"Secret", "secret", "secret", "Admins only", Access::admin,
                [](CommandContext&) -> asio::awaitable<Outcome> {
                  co_return text_note("the admin secret");
                }});
  commands.add({"Ad-hoc only", "adhoc-only", "", "Not offered in chat", Access::anyone,
                [](CommandContext&) -> asio::awaitable<Outcome> { co_return text_note("x"); }});
  commands.add({"Setup", "setup", "setup", "Configures things in two steps", Access::registered,
                [](CommandContext&) -> asio::awaitable<Outcome> {
                  Form form;
                  form.title = "Setup";
                  form.instructions = {"Two steps."};
                  form.fields = {FormField::hidden("step", "1"), FormField::fixed("Step one."),
                                 FormField::list_single(
                                     "color", "Color",
                                     {{"Red", "red"}, {"Green", "green"}, {"Blue", "blue"}}, true),
                                 FormField::boolean("notify", "Notify me")};
                  co_return Outcome{FormStep{form, setup_step2}};
                }});
  commands.add({"Wipe", "wipe", "wipe", "Wipes everything", Access::registered,
                [](CommandContext&) -> asio::awaitable<Outcome> {
                  co_return Outcome{Confirmation{"Really wipe everything?",
                                                 [](CommandContext&) -> asio::awaitable<Outcome> {
                                                   co_return text_note("Wiped.");
                                                 }}};
                }});
  commands.add(
      {"Fruit", "fruit", "fruit", "A table", Access::anyone,
       [](CommandContext&) -> asio::awaitable<Outcome> { co_return Outcome{fruit_table()}; }});
  commands.add({"Fail", "fail", "fail", "Refuses", Access::anyone,
                [](CommandContext&) -> asio::awaitable<Outcome> {
                  throw StanzaError(ErrorCondition::not_allowed, "not today");
                  co_return text_note("unreachable");
                }});
  commands.add({"Fail bare", "fail-bare", "fail-bare", "Refuses without a text", Access::anyone,
                [](CommandContext&) -> asio::awaitable<Outcome> {
                  throw StanzaError(ErrorCondition::item_not_found);
                  co_return text_note("unreachable");
                }});
  commands.add({"Crash", "crash", "crash", "Breaks", Access::anyone,
                [](CommandContext&) -> asio::awaitable<Outcome> {
                  throw std::runtime_error("boom");
                  co_return text_note("unreachable");
                }});
  commands.add({"Complain", "complain", "complain", "An error note", Access::anyone,
                [](CommandContext&) -> asio::awaitable<Outcome> {
                  co_return text_note("that went wrong", Note::Kind::error);
                }});
}

class ChatCommandsFixture {
 public:
  explicit ChatCommandsFixture(GatewaySettings settings = admins())
      : g_(RegistrationType::form, std::move(settings)) {
    g_.h().on_component_thread([this] {
      commands_ = std::make_unique<Commands>(g_.gateway(), /*builtins=*/false);
      add_test_commands(*commands_);
    });
  }
  GatewayHarness& g() { return g_; }

  static GatewaySettings admins() {
    GatewaySettings settings;
    settings.admins = {Jid("admin@test")};
    return settings;
  }

  void register_user(std::string_view user) {
    REQUIRE(g_.register_with(user, "al", "pw").attr_or("type") == "result");
    g_.next_body_containing("Welcome!");
    drain();
  }

  // The body of the next chat message from the gateway (REQUIREs one within 5 s).
  std::string next_body() {
    Element m = g_.next_where([](const Element& e) {
      return e.name() == "message" && e.attr_or("type") != "error" && e.child("body", kComponentNs);
    });
    return std::string(m.child_text("body", kComponentNs));
  }

  // Sends `line` as `user` and returns the gateway's next chat message.
  std::string exchange(std::string_view line, std::string_view user = kChatAlice) {
    g_.say(user, line);
    return next_body();
  }

  void drain() { g_.h().settle(); }

 private:
  // Declared first so that it goes last: after the harness stopped the component thread and
  // dropped the coroutines of unfinished conversations, which refer to it.
  std::unique_ptr<Commands> commands_;
  GatewayHarness g_;
};

}  // namespace legate::test::chat
