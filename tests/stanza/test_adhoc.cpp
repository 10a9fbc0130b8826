// Stanza-level tests of XEP-0050 ad-hoc commands on the gateway JID: the command list and
// node info in disco, every outcome (note, chained forms, confirmation, table), every action
// (execute, next, complete, cancel, prev) and every refusal, one reply per iq.
#include <doctest/doctest.h>

#include <atomic>
#include <stdexcept>

#include "component/disco.hpp"
#include "component/element.hpp"
#include "component/form.hpp"
#include "component/xml_parse.hpp"
#include "tests/stanza/commands_fixture.hpp"

using namespace legate;
using namespace legate::test;

namespace {

constexpr std::string_view kAlice = "alice@test/phone";
constexpr std::string_view kBob = "bob@test/pc";

Outcome note(std::string text, Note::Kind kind = Note::Kind::info) {
  return Outcome{Note{kind, std::move(text)}};
}

Command simple(std::string node, std::string name, Access access,
               std::function<asio::awaitable<Outcome>(CommandContext&)> run) {
  return Command{std::move(name), node, node, "help for " + node, access, std::move(run)};
}

// The commands under test; `wipes` counts confirmed wipes.
void define(Commands& c, std::shared_ptr<std::atomic<int>> wipes) {
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

std::string sid_of(const Element& reply) {
  const Element* command = command_of(reply);
  REQUIRE_MESSAGE(command, "not a command result: " << reply.str());
  return std::string(command->attr_or("sessionid"));
}

std::string_view status_of(const Element& reply) {
  const Element* command = command_of(reply);
  return command ? command->attr_or("status") : std::string_view("(no command)");
}

std::string_view note_of(const Element& reply) {
  const Element* command = command_of(reply);
  return command ? command->child_text("note", kCommandsNs) : std::string_view();
}

Form form_of(const Element& reply) {
  const Element* command = command_of(reply);
  REQUIRE(command);
  const Element* x = command->child("x", Form::kNs);
  REQUIRE_MESSAGE(x, "no form in " << reply.str());
  return Form::parse(*x);
}

std::vector<std::string> listed_nodes(const Element& reply) {
  std::vector<std::string> nodes;
  const Element* query = reply.child("query", kDiscoItemsNs);
  REQUIRE_MESSAGE(query, reply.str());
  for (const auto& item : query->children()) {
    CHECK(item.attr_or("jid") == "gw.test");
    nodes.emplace_back(item.attr_or("node"));
  }
  return nodes;
}

void check_same(const Element& got, std::string_view expected_xml) {
  const Element expected = parse_element(expected_xml);
  CHECK_MESSAGE(structurally_equal(got, expected), structural_difference(got, expected));
}

}  // namespace

TEST_CASE("adhoc: the gateway announces the commands feature") {
  Fixture f;
  f.g().h().inject(
      "<iq type='get' id='i' from='bob@test/pc' to='gw.test'>"
      "<query xmlns='http://jabber.org/protocol/disco#info'/></iq>");
  Element reply = f.reply_to("i");
  bool found = false;
  for (const auto& c : reply.child("query", kDiscoInfoNs)->children())
    found = found || (c.name() == "feature" && c.attr_or("var") == kCommandsNs);
  CHECK(found);
  f.expect_no_more_replies();
}

TEST_CASE("adhoc: the command list is filtered by access") {
  Fixture f;
  const std::vector<std::string> anyone = {"hello",  "survey", "wipe", "users",
                                           "refuse", "crash",  "taken"};
  CHECK(listed_nodes(f.disco(kBob, "b", kDiscoItemsNs, kCommandsNs)) == anyone);

  f.register_user(kAlice);
  std::vector<std::string> registered = anyone;
  registered.insert(registered.begin() + 1, "whoami");
  CHECK(listed_nodes(f.disco(kAlice, "a", kDiscoItemsNs, kCommandsNs)) == registered);

  std::vector<std::string> admin = anyone;  // admin@test is an admin, not a user
  admin.insert(admin.begin() + 1, "stats");
  Element listing = f.disco(kAdmin, "ad", kDiscoItemsNs, kCommandsNs);
  CHECK(listed_nodes(listing) == admin);
  CHECK(listing.child("query", kDiscoItemsNs)->attr_or("node") == kCommandsNs);
  CHECK(listing.child("query", kDiscoItemsNs)->children()[1].attr_or("name") == "Statistics");
  f.expect_no_more_replies();
}

TEST_CASE("adhoc: disco#info of command nodes") {
  Fixture f;
  check_same(f.disco(kBob, "n1", kDiscoInfoNs, "hello"),
             "<iq type='result' id='n1' from='gw.test' to='bob@test/pc'>"
             "<query xmlns='http://jabber.org/protocol/disco#info' node='hello'>"
             "<identity category='automation' type='command-node' name='Say hello'/>"
             "<feature var='http://jabber.org/protocol/commands'/>"
             "<feature var='jabber:x:data'/></query></iq>");
  check_same(f.disco(kBob, "n2", kDiscoInfoNs, kCommandsNs),
             "<iq type='result' id='n2' from='gw.test' to='bob@test/pc'>"
             "<query xmlns='http://jabber.org/protocol/disco#info'"
             " node='http://jabber.org/protocol/commands'>"
             "<identity category='automation' type='command-list' name='Commands'/>"
             "</query></iq>");
  CHECK(refused(f.disco(kBob, "n3", kDiscoInfoNs, "nope"), ErrorCondition::item_not_found));
  CHECK(refused(f.disco(kBob, "n4", kDiscoItemsNs, "nope"), ErrorCondition::item_not_found));
  CHECK(refused(f.disco(kBob, "n5", kDiscoInfoNs, "stats"), ErrorCondition::forbidden));
  CHECK(f.disco(kAdmin, "n6", kDiscoInfoNs, "stats").attr_or("type") == "result");
  f.expect_no_more_replies();
}

TEST_CASE("adhoc: a note completes the command") {
  Fixture f;
  Element reply = f.execute(kBob, "e1", "hello");
  const std::string sid = sid_of(reply);
  CHECK_FALSE(sid.empty());
  check_same(reply,
             "<iq type='result' id='e1' from='gw.test' to='bob@test/pc'>"
             "<command xmlns='http://jabber.org/protocol/commands' node='hello'"
             " sessionid='" +
                 sid +
                 "' status='completed'>"
                 "<note type='info'>Hello, bob@test</note></command></iq>");
  // A missing action means execute; a completed command leaves no session behind.
  CHECK(note_of(f.command(kBob, "e2", "node='hello'")) == "Hello, bob@test");
  CHECK(is_command_error(f.submit(kBob, "e3", "hello", sid, ""), ErrorCondition::bad_request,
                         "bad-sessionid"));
  f.expect_no_more_replies();
}

TEST_CASE("adhoc: unknown nodes, forbidden commands, access levels") {
  Fixture f;
  CHECK(refused(f.execute(kBob, "u1", "nope"), ErrorCondition::item_not_found));
  CHECK(refused(f.execute(kBob, "u2", "stats"), ErrorCondition::forbidden));
  CHECK(refused(f.execute(kBob, "u3", "whoami"), ErrorCondition::forbidden));
  Element admin = f.execute(kAdmin, "u4", "stats");
  CHECK(note_of(admin) == "Admins only.");
  CHECK(command_of(admin)->child("note", kCommandsNs)->attr_or("type") == "warn");
  f.register_user(kAlice);
  CHECK(note_of(f.execute(kAlice, "u5", "whoami")) == "Registered as alice@test");
  // A new execution takes no other action.
  CHECK(is_command_error(f.command(kBob, "u6", "node='hello' action='complete'"),
                         ErrorCondition::bad_request, "bad-action"));
  // Contacts of the gateway offer no commands.
  f.g().h().inject(
      "<iq type='set' id='u7' from='bob@test/pc' to='carol@gw.test'>"
      "<command xmlns='http://jabber.org/protocol/commands' node='hello'/></iq>");
  CHECK(refused(f.reply_to("u7"), ErrorCondition::service_unavailable));
  f.expect_no_more_replies();
}

TEST_CASE("adhoc: a chain of two forms") {
  Fixture f;
  Element first = f.execute(kBob, "s1", "survey");
  const std::string sid = sid_of(first);
  CHECK(status_of(first) == "executing");
  check_same(*command_of(first)->child("actions", kCommandsNs),
             "<actions xmlns='http://jabber.org/protocol/commands' execute='complete'>"
             "<complete/></actions>");
  Form form = form_of(first);
  CHECK(form.type == "form");
  CHECK(form.title == "Survey 1/2");
  REQUIRE(form.field("name"));
  CHECK(form.field("name")->required);

  Element second =
      f.submit(kBob, "s2", "survey", sid, "<field var='name'><value>Ann</value></field>", "next");
  CHECK(status_of(second) == "executing");
  CHECK(sid_of(second) == sid);
  form = form_of(second);
  CHECK(form.title == "Survey 2/2");
  REQUIRE(form.field("color"));
  CHECK(form.field("color")->options.size() == 2);

  Element done =
      f.submit(kBob, "s3", "survey", sid, "<field var='color'><value>blue</value></field>");
  CHECK(status_of(done) == "completed");
  CHECK(sid_of(done) == sid);
  CHECK(note_of(done) == "Ann likes blue!");
  CHECK(is_command_error(
      f.submit(kBob, "s4", "survey", sid, "<field var='color'><value>red</value></field>"),
      ErrorCondition::bad_request, "bad-sessionid"));
  f.expect_no_more_replies();
}

TEST_CASE("adhoc: a confirmation, answered yes and no") {
  Fixture f;
  Element ask = f.execute(kBob, "c1", "wipe");
  CHECK(status_of(ask) == "executing");
  Form form = form_of(ask);
  CHECK(form.title == "Wipe");
  REQUIRE(form.fields.size() == 2);
  CHECK(form.fields[0].type == FieldType::fixed);
  CHECK(form.fields[0].value() == "Wipe everything?");
  CHECK(form.fields[1].var == "confirm");
  CHECK(form.fields[1].type == FieldType::boolean);
  CHECK(form.fields[1].required);

  SUBCASE("yes runs the rest") {
    Element done = f.submit(kBob, "c2", "wipe", sid_of(ask),
                            "<field var='confirm'><value>true</value></field>");
    CHECK(status_of(done) == "completed");
    CHECK(note_of(done) == "Wiped.");
    CHECK(*f.wipes == 1);
  }
  SUBCASE("no cancels it") {
    Element done =
        f.submit(kBob, "c2", "wipe", sid_of(ask), "<field var='confirm'><value>0</value></field>");
    CHECK(status_of(done) == "completed");
    CHECK(note_of(done) == "Cancelled.");
    CHECK(*f.wipes == 0);
  }
  SUBCASE("no answer is not acceptable, and the question stays open") {
    Element refusal = f.submit(kBob, "c2", "wipe", sid_of(ask), "");
    CHECK(refused(refusal, ErrorCondition::not_acceptable));
    CHECK(StanzaError::from_stanza(refusal).text().find("confirm") != std::string::npos);
    CHECK(note_of(f.submit(kBob, "c3", "wipe", sid_of(ask),
                           "<field var='confirm'><value>1</value></field>")) == "Wiped.");
  }
  f.expect_no_more_replies();
}

TEST_CASE("adhoc: a table result") {
  Fixture f;
  Element reply = f.execute(kBob, "t1", "users");
  CHECK(status_of(reply) == "completed");
  CHECK_FALSE(command_of(reply)->child("actions", kCommandsNs));
  const Form table = form_of(reply);
  CHECK(table.type == "result");
  CHECK(table.title == "Users");
  REQUIRE(table.reported.size() == 2);
  CHECK(table.reported[0].var == "jid");
  CHECK(table.reported[0].label == "JID");
  CHECK(table.reported[1].var == "status");
  CHECK(table.reported[1].label == "Status");
  REQUIRE(table.items.size() == 2);
  REQUIRE(table.items[0].size() == 2);
  CHECK(table.items[0][0].value() == "alice@test");
  CHECK(table.items[0][1].value() == "online");
  REQUIRE(table.items[1].size() == 2);  // the short row is padded, not shifted
  CHECK(table.items[1][0].value() == "bob@test");
  CHECK(table.items[1][1].value() == "");
  f.expect_no_more_replies();
}

TEST_CASE("adhoc: cancel and prev") {
  Fixture f;
  const std::string sid = sid_of(f.execute(kBob, "p1", "survey"));
  // Going back is not offered; the session survives the refusal.
  CHECK(
      is_command_error(f.command(kBob, "p2", "node='survey' action='prev' sessionid='" + sid + "'"),
                       ErrorCondition::bad_request, "bad-action"));
  CHECK(is_command_error(
      f.command(kBob, "p3", "node='survey' action='sideways' sessionid='" + sid + "'"),
      ErrorCondition::bad_request, "malformed-action"));
  check_same(f.command(kBob, "p4", "node='survey' action='cancel' sessionid='" + sid + "'"),
             "<iq type='result' id='p4' from='gw.test' to='bob@test/pc'>"
             "<command xmlns='http://jabber.org/protocol/commands' node='survey' sessionid='" +
                 sid + "' status='canceled'/></iq>");
  CHECK(is_command_error(
      f.submit(kBob, "p5", "survey", sid, "<field var='name'><value>Ann</value></field>"),
      ErrorCondition::bad_request, "bad-sessionid"));
  // A form of type cancel also ends the session.
  const std::string other = sid_of(f.execute(kBob, "p6", "survey"));
  CHECK(status_of(f.command(kBob, "p7", "node='survey' action='execute' sessionid='" + other + "'",
                            "<x xmlns='jabber:x:data' type='cancel'/>")) == "canceled");
  f.expect_no_more_replies();
}

TEST_CASE("adhoc: unknown and foreign session ids") {
  Fixture f;
  const std::string name = "<field var='name'><value>Ann</value></field>";
  CHECK(is_command_error(f.submit(kBob, "x1", "survey", "no-such-session", name),
                         ErrorCondition::bad_request, "bad-sessionid"));
  const std::string sid = sid_of(f.execute(kBob, "x2", "survey"));
  CHECK(is_command_error(f.submit(kAlice, "x3", "survey", sid, name), ErrorCondition::bad_request,
                         "bad-sessionid"));
  CHECK(is_command_error(f.submit("bob@test/laptop", "x4", "survey", sid, name),
                         ErrorCondition::bad_request, "bad-sessionid"));
  CHECK(is_command_error(f.submit(kBob, "x5", "wipe", sid, name), ErrorCondition::bad_request,
                         "bad-sessionid"));
  // None of that disturbed the owner's session.
  CHECK(status_of(f.submit(kBob, "x6", "survey", sid, name)) == "executing");
  f.expect_no_more_replies();
}

TEST_CASE("adhoc: missing or invalid forms") {
  Fixture f;
  const std::string sid = sid_of(f.execute(kBob, "f1", "survey"));
  CHECK(is_command_error(
      f.command(kBob, "f2", "node='survey' action='complete' sessionid='" + sid + "'"),
      ErrorCondition::bad_request, "bad-payload"));
  CHECK(is_command_error(f.submit(kBob, "f3", "survey", sid, "<item><field var='a'/></item>"),
                         ErrorCondition::bad_request, "bad-payload"));
  Element missing = f.submit(kBob, "f4", "survey", sid, "");
  CHECK(refused(missing, ErrorCondition::not_acceptable));
  CHECK(StanzaError::from_stanza(missing).text().find("name") != std::string::npos);
  CHECK(status_of(f.submit(kBob, "f5", "survey", sid,
                           "<field var='name'><value>Ann</value></field>")) == "executing");
  Element bad_option =
      f.submit(kBob, "f6", "survey", sid, "<field var='color'><value>green</value></field>");
  CHECK(refused(bad_option, ErrorCondition::not_acceptable));
  CHECK(StanzaError::from_stanza(bad_option).text().find("color") != std::string::npos);
  CHECK(note_of(f.submit(kBob, "f7", "survey", sid,
                         "<field var='color'><value>red</value></field>"
                         "<field var='loud'><value>0</value></field>")) == "Ann likes red.");
  f.expect_no_more_replies();
}

TEST_CASE("adhoc: errors thrown by commands") {
  Fixture f;
  Element refusal = f.execute(kBob, "r1", "refuse");
  CHECK(refused(refusal, ErrorCondition::not_allowed));
  CHECK(StanzaError::from_stanza(refusal).text() == "not today");
  CHECK(refused(f.execute(kBob, "r2", "crash"), ErrorCondition::internal_server_error));
  // A continuation's refusal keeps the step open (e.g. a wrong two-factor code may be
  // corrected in the same session); a cancel then ends it.
  const std::string sid = sid_of(f.execute(kBob, "r3", "taken"));
  const std::string name = "<field var='name'><value>Ann</value></field>";
  CHECK(refused(f.submit(kBob, "r4", "taken", sid, name), ErrorCondition::conflict));
  CHECK(refused(f.submit(kBob, "r5", "taken", sid, name), ErrorCondition::conflict));
  const Element canceled =
      f.command(kBob, "r6", "node='taken' action='cancel' sessionid='" + sid + "'", "");
  CHECK(canceled.child("command", kCommandsNs)->attr_or("status") == "canceled");
  CHECK(is_command_error(f.submit(kBob, "r7", "taken", sid, name), ErrorCondition::bad_request,
                         "bad-sessionid"));
  f.expect_no_more_replies();
}
