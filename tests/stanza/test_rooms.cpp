// Group chats at the stanza level (XEP-0045 served by the gateway): the join sequence,
// disco#info from storage, the user's messages reflected with the room's stanza-id,
// participants' messages, errors from the room's JIDs, self-ping, affiliation lists,
// leaving and the gateway's shutdown.
#include <doctest/doctest.h>

#include "legacy/room.hpp"
#include "legacy/room_stanzas.hpp"
#include "tests/stanza/rooms_fixture.hpp"

using namespace legate;
using namespace legate::test;

namespace {

constexpr std::string_view kLounge = "lounge@gw.test";

std::shared_ptr<SessionScript> with_lounge() {
  auto script = two_contacts();
  script->rooms = {"lounge"};
  return script;
}

void join(GatewayHarness& g, std::string_view from = kAlice, std::string_view nick = "alice",
          std::string_view id = "j1") {
  g.h().inject("<presence from='" + std::string(from) + "' to='lounge@gw.test/" +
               std::string(nick) + "' id='" + std::string(id) +
               "'><x xmlns='http://jabber.org/protocol/muc'><history maxchars='0'/></x>"
               "</presence>");
}

const Element& item_of(const Element& presence) {
  const Element* x = presence.child("x", kMucUserNs);
  REQUIRE(x);
  const Element* item = x->child("item", kMucUserNs);
  REQUIRE(item);
  return *item;
}

Element next(GatewayHarness& g) {
  auto got = g.h().server().next(3s);
  REQUIRE_MESSAGE(got.has_value(), "no stanza arrived");
  return std::move(*got);
}

void with_room(GatewayHarness& g, SessionScript& script, const std::function<void(Room&)>& f) {
  g.h().on_component_thread([&] { f(script.session(kAlice).rooms().by_legacy_id("lounge")); });
}

}  // namespace

TEST_CASE("rooms: the join sequence — participants, self-presence last with codes, subject") {
  auto script = with_lounge();
  GatewayHarness g(with_sessions(script));
  register_and_log_in(g);
  join(g, kAlice, "al");
  std::set<std::string> seen;
  std::set<std::string> occupant_ids;
  for (int i = 0; i < 2; ++i) {
    Element p = next(g);
    CHECK(p.name() == "presence");
    CHECK(p.attr_or("to") == kAlice);
    CHECK(codes_of(p).empty());
    const Element& item = item_of(p);
    CHECK(item.attr_or("affiliation") == "member");
    CHECK(item.attr_or("role") == "participant");
    seen.insert(std::string(p.attr_or("from")) + " " + std::string(item.attr_or("jid")));
    REQUIRE(p.child("occupant-id", kOccupantIdNs));
    occupant_ids.insert(std::string(p.child("occupant-id", kOccupantIdNs)->attr_or("id")));
  }
  CHECK(seen == std::set<std::string>{"lounge@gw.test/bobby bob@gw.test",
                                      "lounge@gw.test/Carol carol@gw.test"});
  Element self = next(g);
  CHECK(self.attr_or("from") == "lounge@gw.test/alice");  // the room's nick for the user
  CHECK(self.attr_or("id") == "j1");
  CHECK(codes_of(self) == std::vector<std::string>{"100", "110", "210"});
  CHECK(item_of(self).attr_or("jid") == kAlice);
  REQUIRE(self.child("occupant-id", kOccupantIdNs));
  occupant_ids.insert(std::string(self.child("occupant-id", kOccupantIdNs)->attr_or("id")));
  CHECK(occupant_ids.size() == 3);
  Element subject = next(g);
  CHECK(subject.attr_or("type") == "groupchat");
  CHECK(subject.attr_or("from") == kLounge);
  CHECK(subject.child_text("subject", kComponentNs) == "Welcome");
  CHECK_FALSE(subject.child("body", kComponentNs));
  g.h().expect_nothing();

  // Joining again from the same resource is a full resync; the nick now matches: no 210.
  join(g, kAlice, "alice", "j2");
  std::vector<Element> again = g.h().settle();
  REQUIRE(again.size() == 4);
  CHECK(codes_of(again[2]) == std::vector<std::string>{"100", "110"});
  CHECK(again[2].attr_or("id") == "j2");
  CHECK(again[3].child("subject", kComponentNs));
}

TEST_CASE("rooms: disco#info from storage; disco#items; affiliation lists") {
  auto script = with_lounge();
  GatewayHarness g(with_sessions(script));
  register_and_log_in(g);
  join(g);
  drain(g);
  g.h().inject(
      "<iq type='get' id='d1' from='alice@test/phone' to='lounge@gw.test'>"
      "<query xmlns='http://jabber.org/protocol/disco#info'/></iq>");
  Element info = g.next_where([](const Element& e) { return e.attr_or("id") == "d1"; });
  CHECK(info.attr_or("type") == "result");
  const Element* query = info.child("query", kDiscoInfoNs);
  REQUIRE(query);
  CHECK(query->child("identity", kDiscoInfoNs)->attr_or("name") == "Room lounge");
  CHECK(query->child("identity", kDiscoInfoNs)->attr_or("category") == "conference");
  g.h().inject(
      "<iq type='get' id='a1' from='alice@test/phone' to='lounge@gw.test'>"
      "<query xmlns='http://jabber.org/protocol/muc#admin'><item affiliation='member'/>"
      "</query></iq>");
  Element members = g.next_where([](const Element& e) { return e.attr_or("id") == "a1"; });
  CHECK(members.attr_or("type") == "result");
  std::set<std::string> jids;
  for (const auto& item : members.child("query", kMucAdminNs)->children())
    jids.insert(std::string(item.attr_or("jid")));
  CHECK(jids == std::set<std::string>{"bob@gw.test", "carol@gw.test"});
  g.h().inject(
      "<iq type='get' id='a2' from='alice@test/phone' to='lounge@gw.test'>"
      "<query xmlns='http://jabber.org/protocol/muc#admin'><item affiliation='owner'/>"
      "</query></iq>");
  Element owners = g.next_where([](const Element& e) { return e.attr_or("id") == "a2"; });
  CHECK(owners.attr_or("type") == "result");  // never an error: Gajim asks after every join
  CHECK(owners.child("query", kMucAdminNs)->children().empty());
}

TEST_CASE("rooms: the user's message is reflected with its id and the room's stanza-id") {
  auto script = with_lounge();
  GatewayHarness g(with_sessions(script));
  register_and_log_in(g);
  join(g);
  join(g, "alice@test/desk", "alice", "j2");
  drain(g);
  g.h().inject(
      "<message type='groupchat' id='c1' from='alice@test/phone' to='lounge@gw.test'>"
      "<body>hello room</body><origin-id xmlns='urn:xmpp:sid:0' id='c1'/></message>");
  const SessionCall call = script->wait_for(g.h(), "room_text");
  CHECK(call.text == "hello room");
  CHECK(call.contact == "lounge");
  std::set<std::string> to;
  std::string stanza_id;
  for (int i = 0; i < 2; ++i) {
    Element m = g.next_where([](const Element& e) { return e.name() == "message"; });
    CHECK(m.attr_or("from") == "lounge@gw.test/alice");
    CHECK(m.attr_or("id") == "c1");
    CHECK(m.child_text("body", kComponentNs) == "hello room");
    CHECK(m.child("origin-id", kStanzaIdNs));
    const Element* sid = m.child("stanza-id", kStanzaIdNs);
    REQUIRE(sid);
    CHECK(sid->attr_or("by") == kLounge);
    CHECK((stanza_id.empty() || stanza_id == sid->attr_or("id")));
    stanza_id = sid->attr_or("id");
    CHECK(m.child("occupant-id", kOccupantIdNs));
    to.insert(std::string(m.attr_or("to")));
  }
  CHECK(to == std::set<std::string>{"alice@test/phone", "alice@test/desk"});

  // bob answers it: his presence is already there; the reply names the room's stanza-id.
  std::string sent;
  with_room(g, *script, [&](Room& room) {
    sent = room.participant("bob").send_text("hi alice", {.legacy_id = "B1", .reply_to = "G1"});
  });
  for (int i = 0; i < 2; ++i) {
    Element m = g.next_where([](const Element& e) { return e.name() == "message"; });
    CHECK(m.attr_or("from") == "lounge@gw.test/bobby");
    CHECK(m.attr_or("id") == sent);
    CHECK(m.child("stanza-id", kStanzaIdNs)->attr_or("id") == sent);
    REQUIRE(m.child("reply", kReplyNs));
    CHECK(m.child("reply", kReplyNs)->attr_or("id") == stanza_id);
  }
  // The same legacy id again (the network echoing it): not sent twice.
  std::string again;
  with_room(g, *script, [&](Room& room) {
    again = room.participant("bob").send_text("hi alice", {.legacy_id = "B1"});
  });
  CHECK(again == sent);
  g.h().expect_nothing();
  // A fresh id (the bridge's promise that it is new) is sent without that check, and its
  // correction still finds it.
  std::string fresh;
  with_room(g, *script, [&](Room& room) {
    fresh = room.participant("bob").send_text("fresh", {.legacy_id = "B2", .fresh_id = true});
  });
  CHECK(fresh != sent);
  for (int i = 0; i < 2; ++i) {
    Element m = g.next_where([](const Element& e) { return e.name() == "message"; });
    CHECK(m.child_text("body", kComponentNs) == "fresh");
    CHECK(m.attr_or("id") == fresh);
  }
  with_room(g, *script, [&](Room& room) { room.participant("bob").correct("B2", "fresher"); });
  for (int i = 0; i < 2; ++i) {
    Element m = g.next_where([](const Element& e) { return e.name() == "message"; });
    REQUIRE(m.child("replace", "urn:xmpp:message-correct:0"));
    CHECK(m.child("replace", "urn:xmpp:message-correct:0")->attr_or("id") == fresh);
  }
}

TEST_CASE("rooms: errors come from the room; private messages and strangers are refused") {
  auto script = with_lounge();
  GatewayHarness g(with_sessions(script));
  register_and_log_in(g);
  join(g);
  drain(g);
  SUBCASE("a resource that never joined") {
    g.h().inject(
        "<message type='groupchat' id='x1' from='alice@test/desk' to='lounge@gw.test'>"
        "<body>hi</body></message>");
    Element rejoin = next(g);  // 110+333 first: clients join again
    CHECK(rejoin.attr_or("type") == "unavailable");
    CHECK(rejoin.attr_or("to") == "alice@test/desk");
    CHECK(codes_of(rejoin) == std::vector<std::string>{"110", "333"});
    Element error = next(g);
    CHECK(is_error(error, ErrorCondition::not_acceptable));
    CHECK(error.attr_or("from") == kLounge);
    CHECK(script->count(g.h(), "room_text") == 0);
  }
  SUBCASE("a private message to an occupant") {
    g.h().inject(
        "<message type='chat' id='x2' from='alice@test/phone' to='lounge@gw.test/bobby'>"
        "<body>psst</body></message>");
    Element error = next(g);
    CHECK(is_error(error, ErrorCondition::not_allowed));
    CHECK(error.attr_or("from") == "lounge@gw.test/bobby");
    CHECK(error.child("error", kComponentNs)
              ->child_text("text", kStanzaErrorsNs)
              .find("bob@gw.test") != std::string::npos);  // names the contact's JID
  }
  SUBCASE("a join without a nick, or with a huge one") {
    g.h().inject(
        "<presence from='alice@test/desk' to='lounge@gw.test/' id='e1'>"
        "<x xmlns='http://jabber.org/protocol/muc'/></presence>");
    g.h().inject("<presence from='alice@test/desk' to='lounge@gw.test/" + std::string(1100, 'n') +
                 "' id='e2'><x xmlns='http://jabber.org/protocol/muc'/></presence>");
    for (const Element& e : g.h().settle()) {
      CHECK(e.attr_or("type") == "error");
      CHECK(Jid::parse(e.attr_or("from"))->domain() == "gw.test");
    }
    CHECK_FALSE(g.h().server().stream_closed());
  }
  SUBCASE("a bridge refusing the message: an error from the room, no reflection") {
    g.h().on_component_thread([&] { script->errors["room_text"] = ErrorCondition::forbidden; });
    g.h().inject(
        "<message type='groupchat' id='x3' from='alice@test/phone' to='lounge@gw.test'>"
        "<body>no</body></message>");
    Element error = g.next_where([](const Element& e) { return e.name() == "message"; });
    CHECK(is_error(error, ErrorCondition::forbidden));
    CHECK(error.attr_or("id") == "x3");
    CHECK(error.attr_or("from") == kLounge);
    g.h().expect_nothing();
  }
}

TEST_CASE("rooms: self-ping, leaving, ghosts, participants leaving and renames, shutdown") {
  auto script = with_lounge();
  GatewayHarness g(with_sessions(script));
  register_and_log_in(g);
  join(g);
  drain(g);
  auto ping = [&](std::string_view from, std::string_view id) {
    g.h().inject("<iq type='get' id='" + std::string(id) + "' from='" + std::string(from) +
                 "' to='lounge@gw.test/alice'><ping xmlns='urn:xmpp:ping'/></iq>");
    return g.next_where([id](const Element& e) { return e.attr_or("id") == id; });
  };
  CHECK(ping(kAlice, "p1").attr_or("type") == "result");
  CHECK(is_error(ping("alice@test/desk", "p2"), ErrorCondition::not_acceptable));

  with_room(g, *script, [](Room& room) { room.participant("carol").rename("Caroline"); });
  Element gone = next(g);
  CHECK(gone.attr_or("type") == "unavailable");
  CHECK(gone.attr_or("from") == "lounge@gw.test/Carol");
  CHECK(codes_of(gone) == std::vector<std::string>{"303"});
  CHECK(item_of(gone).attr_or("nick") == "Caroline");
  Element back = next(g);
  CHECK(back.attr_or("from") == "lounge@gw.test/Caroline");
  CHECK(back.child("occupant-id", kOccupantIdNs)->attr_or("id") ==
        gone.child("occupant-id", kOccupantIdNs)->attr_or("id"));

  with_room(g, *script, [](Room& room) { room.participant("bob").kicked("flood"); });
  Element kicked = next(g);
  CHECK(codes_of(kicked) == std::vector<std::string>{"307"});
  CHECK(item_of(kicked).child_text("reason", kMucUserNs) == "flood");

  g.h().inject("<presence type='unavailable' from='alice@test/phone' to='lounge@gw.test/alice'/>");
  Element left = next(g);
  CHECK(left.attr_or("type") == "unavailable");
  CHECK(codes_of(left) == std::vector<std::string>{"110"});
  CHECK(is_error(ping(kAlice, "p3"), ErrorCondition::not_acceptable));

  // A bounce from a vanished resource removes it without a word.
  join(g, "alice@test/desk", "alice", "j3");
  drain(g);
  g.h().inject(
      "<message type='error' from='alice@test/desk' to='lounge@gw.test/bobby'>"
      "<error type='cancel'><recipient-unavailable "
      "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>");
  drain(g);
  bool joined = true;
  with_room(g, *script, [&](Room& room) { joined = room.joined(); });
  CHECK_FALSE(joined);

  join(g, kAlice, "alice", "j4");
  drain(g);
  g.h().on_component_thread(
      [&] { asio::co_spawn(g.h().io(), g.runtime().shutdown(), asio::detached); });
  Element shut = g.next_where([](const Element& e) {
    return e.attr_or("from") == "lounge@gw.test/alice" && e.attr_or("type") == "unavailable";
  });
  CHECK(codes_of(shut) == std::vector<std::string>{"110", "332"});
}

TEST_CASE("rooms: corrections, reactions and retractions both ways, by the right ids") {
  auto script = with_lounge();
  GatewayHarness g(with_sessions(script));
  register_and_log_in(g);
  join(g);
  drain(g);
  g.h().inject(
      "<message type='groupchat' id='c1' from='alice@test/phone' to='lounge@gw.test'>"
      "<body>helo</body></message>");
  script->wait_for(g.h(), "room_text");  // legacy id G1
  Element reflected = g.next_where([](const Element& e) { return e.name() == "message"; });
  const std::string stanza_id(reflected.child("stanza-id", kStanzaIdNs)->attr_or("id"));

  // The user corrects by message id, reacts and retracts by the room's stanza-id.
  g.h().inject(
      "<message type='groupchat' id='c2' from='alice@test/phone' to='lounge@gw.test'>"
      "<body>hello</body><replace xmlns='urn:xmpp:message-correct:0' id='c1'/></message>");
  SessionCall corrected = script->wait_for(g.h(), "room_correct");
  CHECK(corrected.legacy_id == "G1");
  CHECK(corrected.text == "hello");
  Element reflected_correction =
      g.next_where([](const Element& e) { return e.name() == "message"; });
  CHECK(reflected_correction.attr_or("id") == "c2");
  CHECK(reflected_correction.child("stanza-id", kStanzaIdNs));
  g.h().inject(
      "<message type='groupchat' id='c3' from='alice@test/phone' to='lounge@gw.test'>"
      "<reactions xmlns='urn:xmpp:reactions:0' id='" +
      stanza_id + "'><reaction>👍</reaction></reactions></message>");
  SessionCall reacted = script->wait_for(g.h(), "room_react");
  CHECK(reacted.legacy_id == "G1");
  CHECK(reacted.emojis == std::vector<std::string>{"👍"});
  g.h().inject(
      "<message type='groupchat' id='c4' from='alice@test/phone' to='lounge@gw.test'>"
      "<retract xmlns='urn:xmpp:message-retract:1' id='" +
      stanza_id + "'/></message>");
  CHECK(script->wait_for(g.h(), "room_retract").legacy_id == "G1");
  drain(g);
  g.h().inject(
      "<message type='groupchat' id='c5' from='alice@test/phone' to='lounge@gw.test'>"
      "<retract xmlns='urn:xmpp:message-retract:1' id='nope'/></message>");
  Element unknown = g.next_where([](const Element& e) { return e.name() == "message"; });
  CHECK(is_error(unknown, ErrorCondition::item_not_found));
  CHECK(unknown.attr_or("from") == kLounge);

  // bob reacts to the user's message (its stanza-id), corrects and retracts his own.
  std::string sent;
  with_room(g, *script, [&](Room& room) {
    Participant& bob = room.participant("bob");
    bob.react("G1", {"❤️"});
    sent = bob.send_text("typo", {.legacy_id = "B1"});
    bob.correct("B1", "no typo");
    bob.retract("B1");
    bob.react("unknown", {"👍"});
  });
  Element reaction = next(g);
  CHECK(reaction.attr_or("type") == "groupchat");
  CHECK(reaction.attr_or("from") == "lounge@gw.test/bobby");
  REQUIRE(reaction.child("reactions", kReactionsNs));
  CHECK(reaction.child("reactions", kReactionsNs)->attr_or("id") == stanza_id);
  CHECK(reaction.child("stanza-id", kStanzaIdNs));
  CHECK(reaction.child("store", kHintsNs));
  next(g);  // "typo"
  Element correction = next(g);
  REQUIRE(correction.child("replace", kCorrectNs));
  CHECK(correction.child("replace", kCorrectNs)->attr_or("id") == sent);
  CHECK(correction.child_text("body", kComponentNs) == "no typo");
  Element retraction = next(g);
  REQUIRE(retraction.child("retract", kRetractNs));
  CHECK(retraction.child("retract", kRetractNs)->attr_or("id") == sent);  // the original
  g.h().expect_nothing();
}
