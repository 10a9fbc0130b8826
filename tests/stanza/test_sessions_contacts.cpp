// Stanza-level tests of the sessions layer around contacts: their disco#info, caps and
// vCard, probes and subscriptions, and the bridge's legacy → XMPP actions (texts with
// replies and delays, corrections, retractions, reactions, chat states, receipts, markers).
#include <doctest/doctest.h>

#include <algorithm>

#include "component/base64.hpp"
#include "component/digest.hpp"
#include "component/disco.hpp"
#include "legacy/contact.hpp"
#include "tests/stanza/sessions_fixture.hpp"
#include "tests/support/test_png.hpp"

using namespace legate;
using namespace legate::test;

namespace {

Element iq_reply(GatewayHarness& g) {
  return g.next_where([](const Element& e) { return e.name() == "iq"; });
}

void alice_asks(GatewayHarness& g, std::string_view to, std::string_view payload) {
  g.h().inject("<iq type='get' id='q1' from='alice@test/phone' to='" + std::string(to) + "'>" +
               std::string(payload) + "</iq>");
}

std::vector<std::string> features_of(const Element& query) {
  std::vector<std::string> vars;
  for (const auto& child : query.children())
    if (child.is("feature", kDiscoInfoNs)) vars.emplace_back(child.attr_or("var"));
  return vars;
}

bool has(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

Element next_stanza(GatewayHarness& g) {
  auto got = g.h().server().next(2s);
  REQUIRE_MESSAGE(got.has_value(), "no stanza arrived");
  return std::move(*got);
}

}  // namespace

TEST_CASE("sessions: disco#info of a contact lists only the features of the overridden hooks") {
  SessionHooks hooks;
  hooks.text = hooks.correct = hooks.react = true;
  GatewayHarness g(with_sessions(two_contacts(), hooks));
  register_and_log_in(g);
  alice_asks(g, kBob, "<query xmlns='http://jabber.org/protocol/disco#info'/>");
  Element reply = iq_reply(g);
  CHECK(reply.attr_or("type") == "result");
  CHECK(reply.attr_or("from") == kBob);
  const Element* query = reply.child("query", kDiscoInfoNs);
  REQUIRE(query);
  const Element* identity = query->child("identity", kDiscoInfoNs);
  REQUIRE(identity);
  CHECK(identity->attr_or("category") == "client");
  CHECK(identity->attr_or("type") == "pc");
  CHECK(identity->attr_or("name") == "Bob Legacy");
  const auto vars = features_of(*query);
  for (std::string_view yes : {kDiscoInfoNs, kCorrectNs, kReactionsNs, kReceiptsNs, kVcardNs})
    CHECK_MESSAGE(has(vars, yes), yes);
  for (std::string_view no : {kRetractNs, kMarkersNs, kChatStatesNs, kReplyNs})
    CHECK_MESSAGE(!has(vars, no), no);

  SUBCASE("disco#items is empty, ping answers, other payloads are service-unavailable") {
    alice_asks(g, kBob, "<query xmlns='http://jabber.org/protocol/disco#items'/>");
    Element items = iq_reply(g);
    REQUIRE(items.child("query", kDiscoItemsNs));
    CHECK(items.child("query", kDiscoItemsNs)->children().empty());
    alice_asks(g, kBob, "<ping xmlns='urn:xmpp:ping'/>");
    CHECK(iq_reply(g).attr_or("type") == "result");
    alice_asks(g, kBob, "<query xmlns='jabber:iq:version'/>");
    CHECK(is_error(iq_reply(g), ErrorCondition::service_unavailable));
  }
}

TEST_CASE("sessions: the caps a contact advertises match its disco#info") {
  SessionHooks hooks;
  hooks.text = hooks.displayed = true;
  GatewayHarness g(with_sessions(two_contacts(), hooks));
  register_and_log_in(g);
  g.h().inject("<presence type='probe' from='alice@test' to='bob@gw.test'/>");
  Element presence = g.next_where([](const Element& e) { return e.name() == "presence"; });
  const Element* caps = presence.child("c", kCapsNs);
  REQUIRE(caps);
  CHECK(caps->attr_or("hash") == "sha-1");

  alice_asks(g, kBob, "<query xmlns='http://jabber.org/protocol/disco#info'/>");
  Element reply = iq_reply(g);
  const Element* query = reply.child("query", kDiscoInfoNs);
  REQUIRE(query);
  std::vector<Identity> identities;
  for (const auto& child : query->children()) {
    if (child.is("identity", kDiscoInfoNs)) {
      identities.push_back({std::string(child.attr_or("category")),
                            std::string(child.attr_or("type")),
                            std::string(child.attr_or("name"))});
    }
  }
  // XEP-0115 §5.4: a client hashes the disco#info it gets and drops a mismatching ver.
  CHECK(caps->attr_or("ver") == caps_ver(identities, features_of(*query)));
  CHECK_FALSE(query->attr("node"));

  // §6.2: asked for the caps node (node#ver), the answer names that node, same content.
  const std::string node =
      std::string(caps->attr_or("node")) + "#" + std::string(caps->attr_or("ver"));
  alice_asks(g, kBob, "<query xmlns='http://jabber.org/protocol/disco#info' node='" + node + "'/>");
  Element by_node = iq_reply(g);
  const Element* answered = by_node.child("query", kDiscoInfoNs);
  REQUIRE(answered);
  CHECK(answered->attr_or("node") == node);
  CHECK(features_of(*answered) == features_of(*query));
  // Another node is unknown.
  alice_asks(g, kBob,
             "<query xmlns='http://jabber.org/protocol/disco#info' node='" +
                 std::string(caps->attr_or("node")) + "#stale'/>");
  CHECK(is_error(iq_reply(g), ErrorCondition::item_not_found));
}

TEST_CASE("sessions: the vCard of a contact") {
  auto script = two_contacts();
  GatewayHarness g(with_sessions(script));
  register_and_log_in(g);
  alice_asks(g, kBob, "<vCard xmlns='vcard-temp'/>");
  Element reply = iq_reply(g);
  CHECK(reply.attr_or("type") == "result");
  const Element* card = reply.child("vCard", kVcardNs);
  REQUIRE(card);
  CHECK(card->child_text("NICKNAME", kVcardNs) == "bobby");  // the nick before the name
  CHECK(card->child_text("FN", kVcardNs) == "bobby");
  CHECK_FALSE(card->child("PHOTO", kVcardNs));
  alice_asks(g, kCarol, "<vCard xmlns='vcard-temp'/>");
  CHECK(iq_reply(g).child("vCard", kVcardNs)->child_text("FN", kVcardNs) == "Carol");

  // An avatar: the presence announces its hash, the vCard carries it.
  const std::string png = make_png(48, 48);
  g.h().on_component_thread(
      [&] { script->session(kAlice).roster().by_legacy_id("bob").set_avatar(png); });
  Element presence = g.next_where([](const Element& e) { return e.name() == "presence"; });
  CHECK(presence.attr_or("from") == kBob);
  REQUIRE(presence.child("x", kVcardUpdateNs));
  CHECK(presence.child("x", kVcardUpdateNs)->child_text("photo", kVcardUpdateNs) == sha1_hex(png));
  alice_asks(g, kBob, "<vCard xmlns='vcard-temp'/>");
  Element with_photo = iq_reply(g);
  const Element* photo = with_photo.child("vCard", kVcardNs)->child("PHOTO", kVcardNs);
  REQUIRE(photo);
  CHECK(photo->child_text("TYPE", kVcardNs) == "image/png");
  CHECK(photo->child_text("BINVAL", kVcardNs) == base64_encode(png));
}

TEST_CASE("sessions: a probe answers the contact's last presence") {
  GatewayHarness g(with_sessions(two_contacts()));
  register_and_log_in(g);
  g.h().inject("<presence type='probe' from='alice@test' to='carol@gw.test'/>");
  Element carol = next_stanza(g);
  CHECK(carol.name() == "presence");
  CHECK(carol.attr_or("from") == kCarol);
  CHECK(carol.attr_or("to") == kAliceBare);
  CHECK(carol.attr_or("type") == "");
  CHECK(carol.child_text("show", kComponentNs) == "away");
  CHECK(carol.child_text("status", kComponentNs) == "brb");
  g.h().inject("<presence type='probe' from='alice@test' to='bob@gw.test'/>");
  Element bob = next_stanza(g);
  CHECK(bob.attr_or("type") == "");
  CHECK_FALSE(bob.child("show", kComponentNs));
  CHECK(bob.child_text("status", kComponentNs) == "hi");
  g.h().expect_nothing();
}

TEST_CASE("sessions: subscriptions to contacts") {
  auto script = two_contacts();
  GatewayHarness g(with_sessions(script));
  SUBCASE("an unregistered user is refused") {
    g.h().inject("<presence type='subscribe' from='alice@test' to='bob@gw.test'/>");
    g.h().expect("<presence type='unsubscribed' from='bob@gw.test' to='alice@test'/>");
  }
  SUBCASE("approved, and asked back while the contact is not in the roster") {
    register_and_log_in(g);  // carol's subscription request is still pending
    g.h().inject("<presence type='subscribe' from='alice@test' to='carol@gw.test'/>");
    g.h().expect("<presence type='subscribed' from='carol@gw.test' to='alice@test'/>");
    g.h().expect("<presence type='subscribe' from='carol@gw.test' to='alice@test'/>");
    Element presence = next_stanza(g);
    CHECK(presence.attr_or("from") == kCarol);
    CHECK(presence.child_text("show", kComponentNs) == "away");
    g.h().expect_nothing();
    // Now in the roster: approved, without asking back.
    g.h().inject("<presence type='subscribe' from='alice@test' to='carol@gw.test'/>");
    g.h().expect("<presence type='subscribed' from='carol@gw.test' to='alice@test'/>");
    CHECK(next_stanza(g).child_text("show", kComponentNs) == "away");
    g.h().expect_nothing();
    // Only the first request (carol not in the roster yet) asked the bridge.
    CHECK(script->count(g.h(), "friend_request") == 1);
    CHECK(script->wait_for(g.h(), "friend_request").contact == "carol");
  }
  SUBCASE("a friend request the bridge refuses answers unsubscribed with its reason") {
    script->errors["friend_request"] = ErrorCondition::not_acceptable;
    register_and_log_in(g);
    g.h().inject("<presence type='subscribe' from='alice@test' to='carol@gw.test'/>");
    g.h().expect(
        "<presence type='unsubscribed' from='carol@gw.test' to='alice@test'>"
        "<status>scripted refusal of friend_request</status></presence>");
    g.h().expect_nothing();
    // Still not a friend: asking again asks the bridge again.
    g.h().inject("<presence type='subscribe' from='alice@test' to='carol@gw.test'/>");
    g.h().expect(
        "<presence type='unsubscribed' from='carol@gw.test' to='alice@test'>"
        "<status>scripted refusal of friend_request</status></presence>");
    CHECK(script->count(g.h(), "friend_request") == 2);
  }
  SUBCASE("the user approving the contact's request puts it in the roster") {
    register_and_log_in(g);
    g.h().inject("<presence type='subscribed' from='alice@test' to='bob@gw.test'/>");
    CHECK(next_stanza(g).child_text("status", kComponentNs) == "hi");
    g.h().inject("<presence type='subscribe' from='alice@test' to='bob@gw.test'/>");
    g.h().expect("<presence type='subscribed' from='bob@gw.test' to='alice@test'/>");
    CHECK(next_stanza(g).attr_or("type") == "");
    g.h().expect_nothing();
    // Unsubscribing is acknowledged.
    g.h().inject("<presence type='unsubscribe' from='alice@test' to='bob@gw.test'/>");
    g.h().expect("<presence type='unsubscribed' from='bob@gw.test' to='alice@test'/>");
  }
}

TEST_CASE("sessions: a bridge without on_friend_request accepts every subscription") {
  auto script = two_contacts();
  SessionHooks hooks = all_hooks();
  hooks.friend_request = false;
  GatewayHarness g(with_sessions(script, hooks));
  register_and_log_in(g);  // carol is not in the roster yet
  g.h().inject("<presence type='subscribe' from='alice@test' to='carol@gw.test'/>");
  g.h().expect("<presence type='subscribed' from='carol@gw.test' to='alice@test'/>");
  g.h().expect("<presence type='subscribe' from='carol@gw.test' to='alice@test'/>");
  CHECK(script->count(g.h(), "friend_request") == 0);
}

TEST_CASE("sessions: contact actions legacy → XMPP produce the right stanzas") {
  auto script = two_contacts();
  GatewayHarness g(with_sessions(script));
  register_and_log_in(g);
  alice_sends(g, kBob, "m1", "<body>hi</body>");  // the user's message, legacy id L1
  script->wait_for(g.h(), "text");
  auto on_bob = [&](const std::function<void(Contact&)>& action) {
    g.h().on_component_thread(
        [&] { action(script->session(kAlice).roster().by_legacy_id("bob")); });
  };

  std::string first;
  const auto when = std::chrono::sys_days{std::chrono::January / 2 / 2026} + std::chrono::hours(3) +
                    std::chrono::minutes(4) + std::chrono::seconds(5);
  on_bob([&](Contact& bob) { first = bob.send_text("hello", {.legacy_id = "C1", .when = when}); });
  g.h().expect("<message type='chat' from='bob@gw.test' to='alice@test' id='" + first +
               "'><body>hello</body>"
               "<delay xmlns='urn:xmpp:delay' stamp='2026-01-02T03:04:05Z'/>"
               "<active xmlns='http://jabber.org/protocol/chatstates'/>"
               "<markable xmlns='urn:xmpp:chat-markers:0'/>"
               "<request xmlns='urn:xmpp:receipts'/></message>");

  std::string second;
  on_bob(
      [&](Contact& bob) { second = bob.send_text("re", {.legacy_id = "C2", .reply_to = "C1"}); });
  Element reply = next_stanza(g);
  CHECK(reply.attr_or("id") == second);
  CHECK_FALSE(reply.child("delay", kDelayNs));
  REQUIRE(reply.child("reply", kReplyNs));
  CHECK(reply.child("reply", kReplyNs)->attr_or("to") == kBob);
  CHECK(reply.child("reply", kReplyNs)->attr_or("id") == first);

  // Quoting the user's own message: XEP-0461's `to` names its author, the user.
  on_bob([&](Contact& bob) { bob.send_text("re yours", {.legacy_id = "C3", .reply_to = "L1"}); });
  Element quote = next_stanza(g);
  REQUIRE(quote.child("reply", kReplyNs));
  CHECK(quote.child("reply", kReplyNs)->attr_or("id") == "m1");
  CHECK(quote.child("reply", kReplyNs)->attr_or("to") == kAliceBare);

  on_bob([](Contact& bob) { bob.correct("C1", "hello!"); });
  Element correction = next_stanza(g);
  CHECK(correction.attr_or("from") == kBob);
  CHECK(correction.child_text("body", kComponentNs) == "hello!");
  REQUIRE(correction.child("replace", kCorrectNs));
  CHECK(correction.child("replace", kCorrectNs)->attr_or("id") == first);

  on_bob([](Contact& bob) { bob.retract("C1"); });
  Element retraction = next_stanza(g);
  REQUIRE(retraction.child("retract", kRetractNs));
  CHECK(retraction.child("retract", kRetractNs)->attr_or("id") == first);
  CHECK(retraction.child("fallback", kFallbackNs));
  CHECK(retraction.child_text("body", kComponentNs) == kRetractFallbackBody);
  CHECK(retraction.child("store", kHintsNs));

  on_bob([](Contact& bob) { bob.react("L1", {"👍", "👍", "❤️"}); });
  Element reactions = next_stanza(g);
  const Element* set = reactions.child("reactions", kReactionsNs);
  REQUIRE(set);
  CHECK(set->attr_or("id") == "m1");
  REQUIRE(set->children().size() == 2);
  CHECK(set->children()[0].text() == "👍");
  CHECK(set->children()[1].text() == "❤️");
  CHECK(reactions.child("store", kHintsNs));

  on_bob([](Contact& bob) { bob.composing(); });
  g.h().expect(
      "<message type='chat' from='bob@gw.test' to='alice@test'>"
      "<composing xmlns='http://jabber.org/protocol/chatstates'/>"
      "<no-store xmlns='urn:xmpp:hints'/></message>");
  on_bob([](Contact& bob) { bob.received("L1"); });
  g.h().expect(
      "<message type='chat' from='bob@gw.test' to='alice@test'>"
      "<received xmlns='urn:xmpp:receipts' id='m1'/></message>");
  on_bob([](Contact& bob) { bob.displayed("L1"); });
  g.h().expect(
      "<message type='chat' from='bob@gw.test' to='alice@test'>"
      "<displayed xmlns='urn:xmpp:chat-markers:0' id='m1'/></message>");

  // Unknown legacy ids: nothing to retract, react to or mark; a correction becomes a text.
  on_bob([](Contact& bob) {
    bob.retract("nope");
    bob.react("nope", {"👍"});
    bob.displayed("nope");
    bob.received("nope");
  });
  g.h().expect_nothing();
  on_bob([](Contact& bob) { bob.correct("C9", "late news"); });
  Element text = next_stanza(g);
  CHECK(text.child_text("body", kComponentNs) == "late news");
  CHECK_FALSE(text.child("replace", kCorrectNs));
}
