// Stanza-level tests of the sessions layer, XMPP → legacy: logins and their retries as the
// gateway's presence, contacts joining the roster (subscriptions or XEP-0356 pushes), and
// the user's messages and presences reaching the bridge's hooks through the id map.
#include <doctest/doctest.h>

#include "gateway/privileges.hpp"
#include "tests/stanza/sessions_fixture.hpp"

using namespace legate;
using namespace legate::test;

TEST_CASE("sessions: login after registration shows the gateway's status") {
  auto script = two_contacts();
  GatewayHarness g(with_sessions(script));
  REQUIRE(g.register_with(kAlice, "al", "pw").attr_or("type") == "result");
  Element logging_in =
      g.next_where([](const Element& e) { return is_gateway_status(e, "Logging in…"); });
  CHECK(logging_in.attr_or("to") == kAliceBare);
  CHECK(logging_in.attr_or("type") == "");
  CHECK(logging_in.child_text("show", kComponentNs) == "away");
  Element logged_in = g.next_where(
      [](const Element& e) { return e.attr_or("from") == "gw.test" && e.name() == "presence"; });
  CHECK(logged_in.child_text("status", kComponentNs) == kLoginText);
  CHECK_FALSE(logged_in.child("show", kComponentNs));
  CHECK(script->count(g.h(), "login") == 1);

  SUBCASE("a probe of the gateway answers the current status") {
    drain(g);
    g.h().inject("<presence type='probe' from='alice@test' to='gw.test'/>");
    CHECK(g.next_where([](const Element& e) {
             return e.name() == "presence";
           }).child_text("status", kComponentNs) == kLoginText);
  }
}

TEST_CASE("sessions: contacts of fill() ask for a subscription, with their nick") {
  GatewayHarness g(with_sessions(two_contacts()));
  REQUIRE(g.register_with(kAlice, "al", "pw").attr_or("type") == "result");
  Element bob = g.next_where(
      [](const Element& e) { return is_presence(e, "subscribe") && e.attr_or("from") == kBob; });
  CHECK(bob.attr_or("to") == kAliceBare);
  CHECK(bob.child_text("nick", kNickNs) == "bobby");
  // Without a nick, the name stands in.
  Element carol = g.next_where(
      [](const Element& e) { return is_presence(e, "subscribe") && e.attr_or("from") == kCarol; });
  CHECK(carol.child_text("nick", kNickNs) == "Carol");
  g.h().expect_nothing();
}

TEST_CASE("sessions: a failing login is shown, then retried") {
  auto script = two_contacts();
  script->login_failures = 1;
  script->failure_text = "network down";
  GatewayHarness g(with_sessions(script));
  REQUIRE(g.register_with(kAlice, "al", "pw").attr_or("type") == "result");
  g.next_where([](const Element& e) { return is_gateway_status(e, "Logging in…"); });
  Element failed =
      g.next_where([](const Element& e) { return is_gateway_status(e, "Could not log in"); });
  CHECK(failed.child_text("status", kComponentNs) == "Could not log in: network down");
  CHECK(failed.child_text("show", kComponentNs) == "dnd");

  SUBCASE("messages to contacts meanwhile are recipient-unavailable") {
    alice_sends(g, kBob, "m1", "<body>hi</body>");
    Element error = g.next_where([](const Element& e) { return e.name() == "message"; });
    CHECK(is_error(error, ErrorCondition::recipient_unavailable));
    CHECK(StanzaError::from_stanza(error).text().find("network down") != std::string::npos);
    CHECK(error.attr_or("from") == kBob);
    CHECK(script->count(g.h(), "text") == 0);
  }
  SUBCASE("the retry comes after the initial backoff and succeeds") {
    const auto failed_at = std::chrono::steady_clock::now();
    g.next_where([](const Element& e) { return is_gateway_status(e, "Logging in…"); }, 3s);
    // Drawn from [d/2, d] with the harness's first retry d (kTestLoginRetry).
    CHECK(std::chrono::steady_clock::now() - failed_at >= kTestLoginRetry / 2 - 20ms);
    g.next_where([](const Element& e) { return is_gateway_status(e, kLoginText); });
    CHECK(script->count(g.h(), "login") == 2);
  }
}

TEST_CASE("sessions: unregistered users get registration-required from contacts") {
  GatewayHarness g(with_sessions(two_contacts()));
  alice_sends(g, kBob, "m1", "<body>hi</body>");
  Element error = g.next_where([](const Element& e) { return e.name() == "message"; });
  CHECK(is_error(error, ErrorCondition::registration_required));
  CHECK(error.attr_or("from") == kBob);
  g.h().inject(
      "<iq type='get' id='d1' from='alice@test/phone' to='bob@gw.test'>"
      "<query xmlns='http://jabber.org/protocol/disco#info'/></iq>");
  CHECK(is_error(g.next_where([](const Element& e) { return e.name() == "iq"; }),
                 ErrorCondition::registration_required));
}

TEST_CASE("sessions: with a XEP-0356 roster grant, contacts are pushed into the roster") {
  GatewayHarness g(with_sessions(two_contacts()));
  g.h().inject(
      "<message from='test' to='gw.test'><privilege xmlns='urn:xmpp:privilege:2'>"
      "<perm access='roster' type='set'/></privilege></message>");
  REQUIRE(g.register_with(kAlice, "al", "pw").attr_or("type") == "result");
  for (auto [jid, name] : {std::pair{kBob, "Bob Legacy"}, std::pair{kCarol, "Carol"}}) {
    Element push = g.next_where([](const Element& e) { return e.name() == "iq"; });
    CHECK(push.attr_or("type") == "set");
    CHECK(push.attr_or("from") == "gw.test");
    CHECK(push.attr_or("to") == kAliceBare);
    CHECK_FALSE(push.attr_or("id").empty());
    const Element* query = push.child("query", kRosterNs);
    REQUIRE(query);
    const Element* item = query->child("item", kRosterNs);
    REQUIRE(item);
    CHECK(item->attr_or("jid") == jid);
    CHECK(item->attr_or("subscription") == "both");
    CHECK(item->attr_or("name") == name);
    CHECK(item->child_text("group", kRosterNs) == "Test Gateway");
    // Then the contact's presence, which the roster now lets through.
    Element presence = g.next_where([](const Element& e) { return e.name() == "presence"; });
    CHECK(presence.attr_or("from") == jid);
  }
  drain(g);
  // No subscription request in this mode; the next login pushes nobody again.
  g.say(kAlice, "re-login");
  g.next_where([](const Element& e) { return is_gateway_status(e, kLoginText); });
  auto got = g.h().server().next(300ms);
  while (got && got->name() == "presence" && got->attr_or("type").empty())
    got = g.h().server().next(300ms);  // contacts' presences from fill()
  CHECK_MESSAGE(!got, "unexpected " << (got ? got->str() : std::string()));
}

TEST_CASE("sessions: texts reach on_text, with receipts, replies and the id map") {
  auto script = two_contacts();
  GatewayHarness g(with_sessions(script));
  register_and_log_in(g);

  alice_sends(g, kBob, "m1", "<body>hi</body><request xmlns='urn:xmpp:receipts'/>");
  g.h().expect(
      "<message type='chat' from='bob@gw.test' to='alice@test/phone'>"
      "<received xmlns='urn:xmpp:receipts' id='m1'/></message>");
  SessionCall text = script->wait_for(g.h(), "text");
  CHECK(text.user == kAliceBare);
  CHECK(text.contact == "bob");
  CHECK(text.text == "hi");
  CHECK(text.xmpp_id == "m1");
  CHECK_FALSE(text.reply_to);

  // A message of bob's, then replies to it and to alice's own message.
  std::string bobs_id;
  g.h().on_component_thread([&] {
    bobs_id =
        script->session(kAlice).roster().by_legacy_id("bob").send_text("yo", {.legacy_id = "C1"});
  });
  g.next_where([](const Element& e) { return is_message_from(e, kBob); });
  alice_sends(
      g, kBob, "m2",
      "<body>sure</body><reply xmlns='urn:xmpp:reply:0' to='bob@gw.test' id='" + bobs_id + "'/>");
  alice_sends(g, kBob, "m3",
              "<body>again</body><reply xmlns='urn:xmpp:reply:0' to='alice@test' id='m1'/>");
  SessionCall reply = script->wait_for(g.h(), "text", 2);
  REQUIRE(reply.reply_to);
  CHECK(reply.reply_to->id == "C1");
  CHECK(reply.reply_to->xmpp_id == bobs_id);
  CHECK(reply.reply_to->to_contact);
  SessionCall own = script->wait_for(g.h(), "text", 3);
  REQUIRE(own.reply_to);
  CHECK(own.reply_to->id == "L1");
  CHECK_FALSE(own.reply_to->to_contact);

  // Retractions, reactions and markers name the legacy ids.
  alice_sends(g, kBob, "m5", "<retract xmlns='urn:xmpp:message-retract:1' id='m2'/>");
  SessionCall retract = script->wait_for(g.h(), "retract");
  CHECK(retract.contact == "bob");
  CHECK(retract.legacy_id == "L2");
  alice_sends(g, kBob, "m6",
              "<reactions xmlns='urn:xmpp:reactions:0' id='" + bobs_id +
                  "'><reaction>👍</reaction><reaction>🎉</reaction></reactions>");
  SessionCall react = script->wait_for(g.h(), "react");
  CHECK(react.legacy_id == "C1");
  CHECK(react.emojis == std::vector<std::string>{"👍", "🎉"});
  alice_sends(g, kBob, "", "<displayed xmlns='urn:xmpp:chat-markers:0' id='" + bobs_id + "'/>");
  CHECK(script->wait_for(g.h(), "displayed").legacy_id == "C1");

  // An unknown target is item-not-found.
  alice_sends(g, kBob, "m8", "<retract xmlns='urn:xmpp:message-retract:1' id='nope'/>");
  Element error = g.next_where([](const Element& e) { return e.name() == "message"; });
  CHECK(is_error(error, ErrorCondition::item_not_found));
  CHECK(error.attr_or("id") == "m8");
  CHECK(error.attr_or("from") == kBob);
}

// gateway/contact_router.cpp used to pass a braced Text temporary to co_await, which
// g++ 12 destroys twice: the first correction aborted the whole test binary.
TEST_CASE("sessions: corrections reach on_correct with the first legacy id") {
  auto script = two_contacts();
  GatewayHarness g(with_sessions(script));
  register_and_log_in(g);
  alice_sends(g, kBob, "m1", "<body>hi</body>");
  script->wait_for(g.h(), "text");
  alice_sends(g, kBob, "m2",
              "<body>hello</body><replace xmlns='urn:xmpp:message-correct:0' id='m1'/>");
  SessionCall correct = script->wait_for(g.h(), "correct");
  CHECK(correct.contact == "bob");
  CHECK(correct.legacy_id == "L1");
  CHECK(correct.text == "hello");
  CHECK(correct.xmpp_id == "m2");
  // Clients may point a second correction at the first one.
  alice_sends(g, kBob, "m3",
              "<body>hello!</body><replace xmlns='urn:xmpp:message-correct:0' id='m2'/>");
  CHECK(script->wait_for(g.h(), "correct", 2).legacy_id == "L1");
  g.h().expect_nothing();
}

TEST_CASE("sessions: the receipt acknowledges the stanza id, not the origin-id") {
  auto script = two_contacts();
  GatewayHarness g(with_sessions(script));
  register_and_log_in(g);
  // XEP-0184 §5: <received id/> is the id of the message that carried the <request/>.
  alice_sends(g, kBob, "s1",
              "<body>hi</body><origin-id xmlns='urn:xmpp:sid:0' id='o1'/>"
              "<request xmlns='urn:xmpp:receipts'/>");
  Element receipt = g.next_where([](const Element& e) { return is_message_from(e, kBob); });
  const Element* received = receipt.child("received", kReceiptsNs);
  REQUIRE(received);
  CHECK(received->attr_or("id") == "s1");
}

TEST_CASE("sessions: hooks refusing, and hooks left to the defaults") {
  auto script = two_contacts();
  script->errors["text"] = ErrorCondition::not_acceptable;
  script->unimplemented = {"retract"};
  GatewayHarness g(with_sessions(script));
  register_and_log_in(g);

  alice_sends(g, kBob, "m1", "<body>hi</body><request xmlns='urn:xmpp:receipts'/>");
  Element refused = g.next_where([](const Element& e) { return e.name() == "message"; });
  CHECK(is_error(refused, ErrorCondition::not_acceptable));
  CHECK(StanzaError::from_stanza(refused).text() == "scripted refusal of text");
  CHECK(refused.attr_or("id") == "m1");
  CHECK(refused.attr_or("from") == kBob);
  CHECK(refused.attr_or("to") == kAlice);
  g.h().expect_nothing();  // no receipt for a refused message

  // The id map knows the target (a message of bob's): only the default hook refuses.
  std::string bobs_id;
  g.h().on_component_thread([&] {
    bobs_id =
        script->session(kAlice).roster().by_legacy_id("bob").send_text("yo", {.legacy_id = "C1"});
  });
  g.next_where([](const Element& e) { return is_message_from(e, kBob); });
  alice_sends(g, kBob, "r1", "<retract xmlns='urn:xmpp:message-retract:1' id='" + bobs_id + "'/>");
  Element unsupported = g.next_where([](const Element& e) { return e.name() == "message"; });
  CHECK(is_error(unsupported, ErrorCondition::feature_not_implemented));
  CHECK(unsupported.attr_or("id") == "r1");
  CHECK(script->count(g.h(), "retract") == 1);
}

TEST_CASE("sessions: chat states and markers reach the bridge only when it has their hooks") {
  SessionHooks hooks = all_hooks();
  SUBCASE("on_chat_state and on_displayed overridden") {}
  SUBCASE("not overridden") {
    hooks.chat_state = hooks.displayed = false;
  }
  auto script = two_contacts();
  GatewayHarness g(with_sessions(script, hooks));
  register_and_log_in(g);
  std::string bobs_id;
  g.h().on_component_thread([&] {
    bobs_id =
        script->session(kAlice).roster().by_legacy_id("bob").send_text("yo", {.legacy_id = "C1"});
  });
  g.next_where([](const Element& e) { return is_message_from(e, kBob); });

  alice_sends(g, kBob, "", "<composing xmlns='http://jabber.org/protocol/chatstates'/>");
  alice_sends(g, kBob, "", "<displayed xmlns='urn:xmpp:chat-markers:0' id='" + bobs_id + "'/>");
  alice_sends(g, kBob, "m1", "<body>done</body>");
  script->wait_for(g.h(), "text");  // events of one user are handled in order
  const std::size_t states = script->count(g.h(), "chat_state");
  const std::size_t markers = script->count(g.h(), "displayed");
  if (hooks.chat_state) {
    CHECK(states == 1);
    CHECK(markers == 1);
    CHECK(script->wait_for(g.h(), "chat_state").chat_state == ChatState::composing);
  } else {
    CHECK(states == 0);
    CHECK(markers == 0);
  }
  g.h().expect_nothing();  // neither is an error
}

TEST_CASE("gateway: a chat message to gw/resource is for the gateway, not a contact") {
  GatewayHarness g(with_sessions(two_contacts()));
  register_and_log_in(g);
  g.h().inject(
      "<message type='chat' id='r1' from='alice@test/phone' to='gw.test/some-resource'>"
      "<body>hello gateway</body></message>");
  const Element reply = g.next_body_containing("This is Test Gateway");
  CHECK(reply.attr_or("from") == "gw.test");
}
