// Carbons at the stanza level: Contact::as_user() actions as XEP-0356 privileged messages
// from the user's bare JID (in the granted namespace), the legacy ids they map, the echo the
// server routes back (dropped), no second copy of a message sent from XMPP, and without the
// grant: nothing injected, the admin told once, and the prefixed fallback where configured.
#include <doctest/doctest.h>

#include "legacy/contact.hpp"
#include "tests/stanza/privileges_fixture.hpp"

using namespace legate;
using namespace legate::test;

namespace {

const std::string kMessageGrant = grant_message("<perm access='message' type='outgoing'/>");

GatewayOptions granted(std::shared_ptr<SessionScript> script, std::string grants) {
  GatewayOptions options = with_sessions(std::move(script));
  options.with_handshake = std::move(grants);
  return options;
}

// Runs `action` with alice's bob on the component thread.
void with_bob(GatewayHarness& g, SessionScript& script,
              const std::function<void(Contact&)>& action) {
  g.h().on_component_thread([&] { action(script.session(kAlice).roster().by_legacy_id("bob")); });
}

// The user's message inside the next privileged message (checked: from the gateway to the
// user's server, in `ns`, one forwarded jabber:client message from the bare JID to bob).
Element next_carbon(GatewayHarness& g, std::string_view ns = kPrivilegeNs) {
  Element outer = g.next_where([](const Element& e) { return e.name() == "message"; });
  CHECK(outer.attr_or("from") == "gw.test");
  CHECK(outer.attr_or("to") == "test");
  const Element* privilege = outer.child("privilege", ns);
  REQUIRE_MESSAGE(privilege, outer.str());
  const Element* forwarded = privilege->child("forwarded", kForwardNs);
  REQUIRE(forwarded);
  REQUIRE(forwarded->children().size() == 1);
  const Element* inner = forwarded->child("message", kClientNs);
  REQUIRE(inner);
  CHECK(inner->attr_or("from") == kAliceBare);
  CHECK(inner->attr_or("to") == kBob);
  CHECK(inner->attr_or("type") == "chat");
  CHECK(inner->attr_or("id").starts_with("legate-carbon-"));
  return *inner;
}

}  // namespace

TEST_CASE("carbons: the user's actions elsewhere are privileged messages, mapped by legacy id") {
  auto script = two_contacts();
  GatewayHarness g(granted(script, kMessageGrant));
  register_and_log_in(g);

  std::string sent;
  with_bob(g, *script, [&](Contact& bob) {
    sent = bob.as_user().send_text("from my phone", {.legacy_id = "P1"});
  });
  Element text = next_carbon(g);
  CHECK(text.attr_or("id") == sent);
  CHECK(text.child_text("body", kClientNs) == "from my phone");
  CHECK_FALSE(text.child("markable", kMarkersNs));  // nobody is to acknowledge it
  CHECK_FALSE(text.child("request", kReceiptsNs));

  // The server routes it on to bob, i.e. back to us: dropped, never the bridge's.
  g.h().inject("<message type='chat' from='alice@test' to='bob@gw.test' id='" + sent +
               "'><body>from my phone</body></message>");
  g.h().expect_nothing();
  CHECK(script->count(g.h(), "text") == 0);

  // bob answers it: the reply names the carbon's id, written by the user.
  std::string answer;
  with_bob(g, *script, [&](Contact& bob) {
    answer = bob.send_text("seen", {.legacy_id = "C1", .reply_to = "P1"});
  });
  Element reply = g.next_where([](const Element& e) { return e.name() == "message"; });
  REQUIRE(reply.child("reply", kReplyNs));
  CHECK(reply.child("reply", kReplyNs)->attr_or("id") == sent);
  CHECK(reply.child("reply", kReplyNs)->attr_or("to") == kAliceBare);

  with_bob(g, *script, [](Contact& bob) { bob.as_user().correct("P1", "from my phone!"); });
  Element correction = next_carbon(g);
  CHECK(correction.child_text("body", kClientNs) == "from my phone!");
  REQUIRE(correction.child("replace", kCorrectNs));
  CHECK(correction.child("replace", kCorrectNs)->attr_or("id") == sent);

  with_bob(g, *script, [](Contact& bob) { bob.as_user().react("C1", {"👍"}); });
  Element reaction = next_carbon(g);
  REQUIRE(reaction.child("reactions", kReactionsNs));
  CHECK(reaction.child("reactions", kReactionsNs)->attr_or("id") == answer);
  CHECK(reaction.child("store", kHintsNs));  // archived although body-less

  with_bob(g, *script, [](Contact& bob) { bob.as_user().displayed("C1"); });
  Element marker = next_carbon(g);
  REQUIRE(marker.child("displayed", kMarkersNs));
  CHECK(marker.child("displayed", kMarkersNs)->attr_or("id") == answer);
  CHECK(marker.child("store", kHintsNs));

  with_bob(g, *script, [](Contact& bob) { bob.as_user().retract("P1"); });
  Element retraction = next_carbon(g);
  REQUIRE(retraction.child("retract", kRetractNs));
  CHECK(retraction.child("retract", kRetractNs)->attr_or("id") == sent);

  // Not the user's: no correction or retraction of bob's message, no marker on one's own.
  with_bob(g, *script, [](Contact& bob) {
    bob.as_user().retract("C1");
    bob.as_user().displayed("P1");
    bob.as_user().react("unknown", {"👍"});
  });
  g.h().expect_nothing();
}

TEST_CASE("carbons: a legacy id sent from XMPP is not copied again; an echo is only ours") {
  auto script = two_contacts();
  GatewayHarness g(granted(script, kMessageGrant));
  register_and_log_in(g);
  alice_sends(g, kBob, "m1", "<body>hi from a client</body>");  // legacy id L1
  script->wait_for(g.h(), "text");
  drain(g);
  std::string id;
  with_bob(g, *script, [&](Contact& bob) {
    id = bob.as_user().send_text("hi from a client", {.legacy_id = "L1"});
  });
  CHECK(id == "m1");
  g.h().expect_nothing();

  // Copied once, not twice.
  with_bob(g, *script, [&](Contact& bob) { bob.as_user().send_text("once", {.legacy_id = "P2"}); });
  next_carbon(g);
  with_bob(g, *script, [&](Contact& bob) { bob.as_user().send_text("once", {.legacy_id = "P2"}); });
  g.h().expect_nothing();

  // A client's message with a carbon-like id is the user's (clients send from full JIDs).
  alice_sends(g, kBob, "legate-carbon-42", "<body>mine</body>");
  CHECK(script->wait_for(g.h(), "text", 2).text == "mine");
}

TEST_CASE("carbons: privilege:1 grants get privilege:1 messages") {
  auto script = two_contacts();
  GatewayHarness g(granted(
      script, grant_message("<perm access='message' type='outgoing'/>", "urn:xmpp:privilege:1")));
  // A privilege:1 message grant makes the gateway ask the server's version (ejabberd's is
  // unusable): an older Prosody's is used.
  Element ask = g.next_where([](const Element& e) { return e.name() == "iq"; });
  REQUIRE(ask.child("query", "jabber:iq:version"));
  g.h().inject("<iq type='result' from='test' to='gw.test' id='" + std::string(ask.attr_or("id")) +
               "'><query xmlns='jabber:iq:version'><name>Prosody</name></query></iq>");
  register_and_log_in(g);
  with_bob(g, *script, [](Contact& bob) { bob.as_user().send_text("v1"); });
  CHECK(next_carbon(g, kPrivilegeV1Ns).child_text("body", kClientNs) == "v1");
}

TEST_CASE("carbons: without the grant nothing is injected and the admin is told once") {
  auto script = two_contacts();
  GatewayOptions options = with_sessions(script);
  options.settings.admins = {Jid("alice@test")};
  SUBCASE("no fallback") {
    GatewayHarness g(options);
    register_and_log_in(g);
    with_bob(g, *script,
             [](Contact& bob) { bob.as_user().send_text("lost", {.legacy_id = "P1"}); });
    Element status = g.next_where([](const Element& e) { return e.name() == "presence"; });
    CHECK(is_gateway_status(status, kLoginText));
    CHECK(is_gateway_status(status, "carbons off for test"));
    g.h().expect_nothing();
    with_bob(g, *script, [](Contact& bob) { bob.as_user().send_text("again"); });
    g.h().expect_nothing();  // told once
  }
  SUBCASE("carbons_fallback = prefix: the contact shows it") {
    options.settings.carbons_fallback = true;
    GatewayHarness g(options);
    register_and_log_in(g);
    with_bob(g, *script, [](Contact& bob) {
      bob.as_user().send_text("on my way", {.legacy_id = "P1"});
      bob.as_user().react("P1", {"👍"});  // never mapped: nothing to react to
    });
    Element shown = g.next_where([](const Element& e) { return is_message_from(e, kBob); });
    CHECK(shown.child_text("body", kComponentNs) == "You (elsewhere): on my way");
    for (const Element& e : g.h().settle()) CHECK_FALSE(e.child("privilege", kPrivilegeNs));
  }
}
