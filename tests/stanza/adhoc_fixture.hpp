// Shared pieces of the ad-hoc command stanza tests: the commands under test (a note, a
// chain of forms, a confirmed wipe, a table…), a fixture serving them, and readers of the
// command replies.
#pragma once

#include <doctest/doctest.h>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "component/disco.hpp"
#include "component/element.hpp"
#include "component/form.hpp"
#include "component/xml_parse.hpp"
#include "tests/stanza/commands_fixture.hpp"

namespace legate::test::adhoc {

inline constexpr std::string_view kAlice = "alice@test/phone";
inline constexpr std::string_view kBob = "bob@test/pc";

inline Outcome note(std::string text, Note::Kind kind = Note::Kind::info) {
  return Outcome{Note{kind, std::move(text)}};
}

inline Command simple(std::string node, std::string name, Access access,
                      std::function<asio::awaitable<Outcome>(CommandContext&)> run) {
  return Command{std::move(name), node, node, "help for " + node, access, std::move(run)};
}

// The commands under test; `wipes` counts confirmed wipes.
inline void define(Commands& c, std::shared_ptr<std::atomic<int>> wipes) {
  c.add(simple("hello", "Say hello", Access::anyone,
               [](CommandContext& ctx) -> asio::awaitable<Outcome> {
                 co_return note("Hello, " + ctx.requester.bare_str());
               }));
  c.add(simple("whoami", "Who am I", Access::registered,
               [](CommandContext& ctx) -> asio::awaitable<Outcome> {
                 co_return note("Registered as " + ctx.user->jid.str());
               }));
  c.add(
      simple("stats", "Statistics", Access::admin, [](CommandContext&) -> asio::awaitable<Outcome> {
        co_return note("Admins only.", Note::Kind::warn);
      }));
  c.add(simple("survey", "Survey", Access::anyone, [](CommandContext&) -> asio::awaitable<Outcome> {
    Form first;
    first.title = "Survey 1/2";
    first.fields = {FormField::text("name", "Name", true)};
    co_return Outcome{FormStep{
        first, [](CommandContext&, const Form& a) -> asio::awaitable<Outcome> {
          Form second;
          second.title = "Survey 2/2";
          second.fields = {
              FormField::list_single("color", "Colour", {{"Red", "red"}, {"Blue", "blue"}}, true),
              FormField::boolean("loud", "Loud", true)};
          co_return Outcome{
              FormStep{second,
                       [name = std::string(a.value("name"))](
                           CommandContext&, const Form& b) -> asio::awaitable<Outcome> {
                         // `loud` left out: with_defaults gave it the form's default, true.
                         co_return note(name + " likes " + std::string(b.value("color")) +
                                        (b.field("loud")->as_bool().value_or(false) ? "!" : "."));
                       }}};
        }}};
  }));
  c.add(
      simple("wipe", "Wipe", Access::anyone, [wipes](CommandContext&) -> asio::awaitable<Outcome> {
        co_return Outcome{
            Confirmation{"Wipe everything?", [wipes](CommandContext&) -> asio::awaitable<Outcome> {
                           ++*wipes;
                           co_return note("Wiped.");
                         }}};
      }));
  c.add(simple("users", "Users", Access::anyone, [](CommandContext&) -> asio::awaitable<Outcome> {
    co_return Outcome{Table{
        "Users", {{"jid", "JID"}, {"status", "Status"}}, {{"alice@test", "online"}, {"bob@test"}}}};
  }));
  c.add(simple("refuse", "Refuse", Access::anyone, [](CommandContext&) -> asio::awaitable<Outcome> {
    throw StanzaError(ErrorCondition::not_allowed, "not today");
    co_return note("unreachable");
  }));
  c.add(simple("crash", "Crash", Access::anyone, [](CommandContext&) -> asio::awaitable<Outcome> {
    throw std::runtime_error("bug");
    co_return note("unreachable");
  }));
  c.add(simple("taken", "Taken", Access::anyone, [](CommandContext&) -> asio::awaitable<Outcome> {
    Form form;
    form.fields = {FormField::text("name", "Name", true)};
    co_return Outcome{FormStep{form, [](CommandContext&, const Form&) -> asio::awaitable<Outcome> {
                                 throw StanzaError(ErrorCondition::conflict, "name taken");
                                 co_return note("unreachable");
                               }}};
  }));
}

// A base of its own: the counter must exist before CommandsFixture defines the commands.
struct WipeCounter {
  std::shared_ptr<std::atomic<int>> wipes = std::make_shared<std::atomic<int>>(0);
};

struct Fixture : WipeCounter, CommandsFixture {
  Fixture() : CommandsFixture([this](Commands& c) { define(c, wipes); }) {}
};

inline std::string sid_of(const Element& reply) {
  const Element* command = command_of(reply);
  REQUIRE_MESSAGE(command, "not a command result: " << reply.str());
  return std::string(command->attr_or("sessionid"));
}

inline std::string_view status_of(const Element& reply) {
  const Element* command = command_of(reply);
  return command ? command->attr_or("status") : std::string_view("(no command)");
}

inline std::string_view note_of(const Element& reply) {
  const Element* command = command_of(reply);
  return command ? command->child_text("note", kCommandsNs) : std::string_view();
}

inline Form form_of(const Element& reply) {
  const Element* command = command_of(reply);
  REQUIRE(command);
  const Element* x = command->child("x", Form::kNs);
  REQUIRE_MESSAGE(x, "no form in " << reply.str());
  return Form::parse(*x);
}

inline std::vector<std::string> listed_nodes(const Element& reply) {
  std::vector<std::string> nodes;
  const Element* query = reply.child("query", kDiscoItemsNs);
  REQUIRE_MESSAGE(query, reply.str());
  for (const auto& item : query->children()) {
    CHECK(item.attr_or("jid") == "gw.test");
    nodes.emplace_back(item.attr_or("node"));
  }
  return nodes;
}

inline void check_same(const Element& got, std::string_view expected_xml) {
  const Element expected = parse_element(expected_xml);
  CHECK_MESSAGE(structurally_equal(got, expected), structural_difference(got, expected));
}

}  // namespace legate::test::adhoc
