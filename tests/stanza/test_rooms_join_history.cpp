// History on joining a room (XEP-0045 §7.2.14): the newest archived messages, as the room sent
// them, with a delay and the room's stanza-id, between the self-presence and the subject; the
// join's <history/> narrows it, the room's history_on_join() caps it, and a room that does not
// record history sends none and answers MAM with nothing, while its ids still map.
#include <doctest/doctest.h>

#include "legacy/room.hpp"
#include "tests/stanza/rooms_fixture.hpp"

using namespace legate;
using namespace legate::test;

namespace {

// The lounge after alice's "hello all" (u1) and bob's "one", "two", "three".
struct Said : Lounge {
  std::vector<std::string> stanza_ids;  // of the four, in order
  explicit Said(bool record = true, std::size_t on_join = 20) {
    g.h().on_component_thread([&] {
      script->room_record_history = record;
      script->room_history_on_join = on_join;
    });
    g.h().inject(
        "<message type='groupchat' id='u1' from='alice@test/phone' to='lounge@gw.test'>"
        "<body>hello all</body></message>");
    script->wait_for(g.h(), "room_text");
    stanza_ids.emplace_back(next_message().child("stanza-id", kStanzaIdNs)->attr_or("id"));
    for (std::string text : {"one", "two", "three"}) {
      g.h().on_component_thread([&] {
        stanza_ids.push_back(
            script->session(kAlice).rooms().by_legacy_id("lounge").participant("bob").send_text(
                text, {}));
      });
      next_message();
    }
  }
  // alice's laptop joins with `history` in its <x/>: what it gets up to the subject, which
  // ends the join (the self-presence must come before any history).
  std::vector<Element> join_laptop(std::string_view history) {
    g.h().inject(
        "<presence from='alice@test/laptop' to='lounge@gw.test/alice' id='j2'>"
        "<x xmlns='http://jabber.org/protocol/muc'>" +
        std::string(history) + "</x></presence>");
    std::vector<Element> got;
    bool self_seen = false;
    while (true) {
      Element e =
          g.next_where([](const Element& e) { return e.attr_or("to") == "alice@test/laptop"; });
      if (e.name() == "presence") {
        std::vector<std::string> codes = codes_of(e);
        self_seen = self_seen || std::find(codes.begin(), codes.end(), "110") != codes.end();
        continue;
      }
      if (e.child("subject", kComponentNs)) return got;
      CHECK_MESSAGE(self_seen, "history before the self-presence");
      got.push_back(std::move(e));
    }
  }
};

std::vector<std::string> bodies(const std::vector<Element>& messages) {
  std::vector<std::string> out;
  for (const auto& m : messages) out.emplace_back(m.child_text("body", kComponentNs));
  return out;
}

using Bodies = std::vector<std::string>;

}  // namespace

TEST_CASE("rooms: a join gets the history, oldest first, delayed, with the room's stanza-ids") {
  Said f;
  std::vector<Element> got = f.join_laptop("");
  REQUIRE(bodies(got) == Bodies{"hello all", "one", "two", "three"});
  CHECK(got[0].attr_or("from") == "lounge@gw.test/alice");
  CHECK(got[0].attr_or("id") == "u1");
  CHECK(got[1].attr_or("from") == "lounge@gw.test/bobby");
  for (std::size_t i = 0; i < got.size(); ++i) {
    CAPTURE(i);
    CHECK(got[i].attr_or("type") == "groupchat");
    const Element* delay = got[i].child("delay", kDelayNs);
    REQUIRE(delay);
    CHECK(delay->attr_or("from") == "lounge@gw.test");
    CHECK_FALSE(delay->attr_or("stamp").empty());
    const Element* sid = got[i].child("stanza-id", kStanzaIdNs);
    REQUIRE(sid);
    CHECK(sid->attr_or("by") == "lounge@gw.test");
    CHECK(sid->attr_or("id") == f.stanza_ids[i]);
  }
}

TEST_CASE("rooms: the join's <history/> narrows what it gets") {
  Said f;
  CHECK(bodies(f.join_laptop("<history maxstanzas='2'/>")) == Bodies{"two", "three"});
  CHECK(f.join_laptop("<history maxstanzas='0'/>").empty());
  CHECK(f.join_laptop("<history maxchars='0'/>").empty());  // what MAM clients send
  CHECK(f.join_laptop("<history maxchars='1'/>").empty());  // no whole stanza fits
  CHECK(bodies(f.join_laptop("<history maxchars='100000'/>")).size() == 4);
  CHECK(bodies(f.join_laptop("<history seconds='3600'/>")).size() == 4);
  CHECK(f.join_laptop("<history since='2100-01-01T00:00:00Z'/>").empty());
  CHECK(bodies(f.join_laptop("<history maxstanzas='bad'/>")).size() == 4);  // ignored
}

TEST_CASE("rooms: the room's history_on_join() caps the history of a join") {
  Said f(true, 3);
  CHECK(bodies(f.join_laptop("")) == Bodies{"one", "two", "three"});
  CHECK(bodies(f.join_laptop("<history maxstanzas='10'/>")).size() == 3);
  Said none(true, 0);
  CHECK(none.join_laptop("").empty());
}

TEST_CASE("rooms: a room not recording history sends none and archives nothing to query") {
  Said f(false);
  CHECK(f.join_laptop("").empty());
  f.g.h().inject(
      "<iq type='set' id='m1' from='alice@test/phone' to='lounge@gw.test'>"
      "<query xmlns='urn:xmpp:mam:2' queryid='q'/></iq>");
  Element fin = f.by_id("m1");  // no result before it
  REQUIRE(fin.child("fin", kMamNs));
  CHECK(fin.child("fin", kMamNs)->child("set", kRsmNs)->child_text("count", kRsmNs) == "0");
  // Ids still map: the user's correction reaches the network for its legacy message.
  f.g.h().inject(
      "<message type='groupchat' id='u2' from='alice@test/phone' to='lounge@gw.test'>"
      "<body>hello everyone</body><replace xmlns='urn:xmpp:message-correct:0' id='u1'/>"
      "</message>");
  SessionCall corrected = f.script->wait_for(f.g.h(), "room_correct");
  CHECK(corrected.legacy_id.starts_with("G"));
  CHECK(corrected.text == "hello everyone");
}
