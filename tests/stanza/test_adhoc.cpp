// Stanza-level tests of XEP-0050 ad-hoc commands on the gateway JID: the command list and
// node info in disco, every outcome (note, chained forms, confirmation, table), every action
// (execute, next, complete, cancel, prev), one reply per iq; refusals are in
// test_adhoc_refusals.cpp.
#include <doctest/doctest.h>

#include "tests/stanza/adhoc_fixture.hpp"

using namespace legate;
using namespace legate::test;
using namespace legate::test::adhoc;

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
