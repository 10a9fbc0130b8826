// Room history at the stanza level (XEP-0313 to a room): what the room sent is archived and
// queried back, forwarded as sent, in order, with paging, counts and metadata; the gateway
// and contacts keep no archive.
#include <doctest/doctest.h>

#include "legacy/room.hpp"
#include "storage/database.hpp"
#include "tests/stanza/rooms_fixture.hpp"

using namespace legate;
using namespace legate::test;

namespace {

constexpr std::string_view kForwardedClientNs = "jabber:client";  // XEP-0297: as sent

struct History : Lounge {
  std::string bob_said;
  History() {
    g.h().inject(
        "<message type='groupchat' id='u1' from='alice@test/phone' to='lounge@gw.test'>"
        "<body>hello all</body></message>");
    script->wait_for(g.h(), "room_text");
    next_message();  // the reflection
    g.h().on_component_thread([&] {
      bob_said =
          script->session(kAlice).rooms().by_legacy_id("lounge").participant("bob").send_text(
              "hi alice", {.legacy_id = "B1"});
    });
    next_message();
  }
  // A query from alice's phone; returns the results then the iq.
  std::vector<Element> query(std::string_view id, std::string_view body) {
    g.h().inject("<iq type='set' id='" + std::string(id) +
                 "' from='alice@test/phone' to='lounge@gw.test'><query xmlns='urn:xmpp:mam:2' "
                 "queryid='q'>" +
                 std::string(body) + "</query></iq>");
    std::vector<Element> got;
    while (true) {
      got.push_back(next_of_any());
      if (got.back().name() == "iq") return got;
    }
  }
  Element next_of_any() {
    auto got = g.h().server().next(3s);
    REQUIRE_MESSAGE(got.has_value(), "no stanza arrived");
    return std::move(*got);
  }
};

const Element& forwarded_message(const Element& result) {
  const Element* r = result.child("result", kMamNs);
  REQUIRE(r);
  const Element* message =
      r->child("forwarded", kForwardedNs)->child("message", kForwardedClientNs);
  REQUIRE(message);
  return *message;
}

}  // namespace

TEST_CASE("rooms: history — every message, in order, forwarded as sent, with a fin") {
  History f;
  std::vector<Element> all = f.query("m1", "");
  REQUIRE(all.size() == 3);
  CHECK(all[0].attr_or("from") == "lounge@gw.test");
  CHECK(all[0].attr_or("to") == "alice@test/phone");
  CHECK(all[0].child("result", kMamNs)->attr_or("queryid") == "q");
  const Element& mine = forwarded_message(all[0]);
  CHECK(mine.attr_or("from") == "lounge@gw.test/alice");
  CHECK(mine.attr_or("id") == "u1");
  CHECK(mine.child_text("body", kForwardedClientNs) == "hello all");
  CHECK(mine.child("occupant-id", kOccupantIdNs));
  const Element& bobs = forwarded_message(all[1]);
  CHECK(all[1].child("result", kMamNs)->attr_or("id") == f.bob_said);  // the stanza-id
  CHECK(bobs.attr_or("from") == "lounge@gw.test/bobby");
  CHECK(bobs.child_text("body", kForwardedClientNs) == "hi alice");
  CHECK(bobs.child("x", kMucUserNs)->child("item", kMucUserNs)->attr_or("jid") == "bob@gw.test");
  CHECK(all[1].child("result", kMamNs)->child("forwarded", kForwardedNs)->child("delay", kDelayNs));
  const Element& iq = all[2];
  CHECK(iq.attr_or("type") == "result");
  const Element* fin = iq.child("fin", kMamNs);
  REQUIRE(fin);
  CHECK(fin->attr_or("complete") == "true");
  CHECK(fin->child("set", kRsmNs)->child_text("count", kRsmNs) == "2");
  CHECK(fin->child("set", kRsmNs)->child_text("last", kRsmNs) == f.bob_said);

  // The last page of one, then the page before it.
  std::vector<Element> last =
      f.query("m2", "<set xmlns='http://jabber.org/protocol/rsm'><max>1</max><before/></set>");
  REQUIRE(last.size() == 2);
  CHECK(forwarded_message(last[0]).child_text("body", kForwardedClientNs) == "hi alice");
  CHECK(last[1].child("fin", kMamNs)->attr_or("complete") != "true");
  std::vector<Element> before =
      f.query("m3", "<set xmlns='http://jabber.org/protocol/rsm'><max>1</max><before>" +
                        f.bob_said + "</before></set>");
  REQUIRE(before.size() == 2);
  CHECK(forwarded_message(before[0]).child_text("body", kForwardedClientNs) == "hello all");
  CHECK(before[1].child("fin", kMamNs)->attr_or("complete") == "true");

  // Only bob's, by his occupant JID.
  std::vector<Element> with =
      f.query("m4",
              "<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE'><value>"
              "urn:xmpp:mam:2</value></field><field var='with'><value>lounge@gw.test/bobby</value>"
              "</field></x>");
  REQUIRE(with.size() == 2);
  CHECK(forwarded_message(with[0]).child_text("body", kForwardedClientNs) == "hi alice");
}

TEST_CASE("rooms: history errors, the form, metadata; no archive at the gateway or contacts") {
  History f;
  std::vector<Element> unknown =
      f.query("e1", "<set xmlns='http://jabber.org/protocol/rsm'><after>nope</after></set>");
  REQUIRE(unknown.size() == 1);
  CHECK(is_error(unknown[0], ErrorCondition::item_not_found));
  CHECK(unknown[0].attr_or("from") == "lounge@gw.test");
  std::vector<Element> bad =
      f.query("e2", "<set xmlns='http://jabber.org/protocol/rsm'><max>many</max></set>");
  CHECK(is_error(bad.back(), ErrorCondition::bad_request));

  f.g.h().inject(
      "<iq type='get' id='f1' from='alice@test/phone' to='lounge@gw.test'>"
      "<query xmlns='urn:xmpp:mam:2'/></iq>");
  Element form = f.by_id("f1");
  CHECK(form.child("query", kMamNs)->child("x", "jabber:x:data"));
  f.g.h().inject(
      "<iq type='get' id='md' from='alice@test/phone' to='lounge@gw.test'>"
      "<metadata xmlns='urn:xmpp:mam:2'/></iq>");
  Element metadata = f.by_id("md");
  REQUIRE(metadata.child("metadata", kMamNs));
  CHECK(metadata.child("metadata", kMamNs)->child("end", kMamNs)->attr_or("id") == f.bob_said);

  for (std::string_view to : {"gw.test", "bob@gw.test"}) {
    CAPTURE(to);
    f.g.h().inject("<iq type='set' id='n1' from='alice@test/phone' to='" + std::string(to) +
                   "'><query xmlns='urn:xmpp:mam:2'/></iq>");
    CHECK(is_error(f.by_id("n1"), ErrorCondition::service_unavailable));
  }
  // Disco says so.
  f.g.h().inject(
      "<iq type='get' id='d1' from='alice@test/phone' to='lounge@gw.test'>"
      "<query xmlns='http://jabber.org/protocol/disco#info'/></iq>");
  Element info = f.by_id("d1");
  bool mam = false;
  for (const auto& feature : info.child("query", kDiscoInfoNs)->children())
    mam = mam || feature.attr_or("var") == kMamNs;
  CHECK(mam);
}

TEST_CASE("rooms: history — the legacy network's backfill runs once, before the answer") {
  History f;  // bob's live "hi alice" (B1) bounds the backfill
  f.g.h().on_component_thread([&] { f.script->room_history = true; });
  std::vector<Element> all = f.query("b1", "");
  SessionCall call = f.script->wait_for(f.g.h(), "room_backfill");
  CHECK(call.legacy_id == "");  // nothing archived before this run
  CHECK(call.text == "B1");     // the oldest live message of the run
  REQUIRE(all.size() == 6);     // H1…H3, then the user's and bob's live ones
  CHECK(forwarded_message(all[0]).child_text("body", kForwardedClientNs) == "old 1");
  CHECK(forwarded_message(all[2]).child("reply", "urn:xmpp:reply:0")->attr_or("id") ==
        all[0].child("result", kMamNs)->attr_or("id"));  // a reply to H1, by its stanza-id
  CHECK(forwarded_message(all[3]).child_text("body", kForwardedClientNs) == "hello all");
  CHECK(all[0]
            .child("result", kMamNs)
            ->child("forwarded", kForwardedNs)
            ->child("delay", kDelayNs)
            ->attr_or("stamp") < all[3]
                                     .child("result", kMamNs)
                                     ->child("forwarded", kForwardedNs)
                                     ->child("delay", kDelayNs)
                                     ->attr_or("stamp"));
  CHECK(all[5].child("fin", kMamNs)->child("set", kRsmNs)->child_text("count", kRsmNs) == "5");
  CHECK(all[5].child("fin", kMamNs)->attr_or("stable") != "false");  // the backfill is done

  std::vector<Element> again = f.query("b2", "");
  CHECK(again.size() == 6);
  CHECK(f.script->count(f.g.h(), "room_backfill") == 1);  // once per run
  // A history message is known by its legacy id: bob "sending" it again adds nothing.
  std::string same;
  f.g.h().on_component_thread([&] {
    same = f.script->session(kAlice).rooms().by_legacy_id("lounge").participant("bob").send_text(
        "old 2", {.legacy_id = "H2"});
  });
  CHECK(same == all[1].child("result", kMamNs)->attr_or("id"));
  f.g.h().expect_nothing();
}

TEST_CASE("rooms: unregistering leaves no row of the user's groups behind") {
  History f;
  f.query("h1", "");  // the archive written
  auto rows = [&](std::string_view table) {
    std::int64_t n = -1;
    f.g.h().on_component_thread([&] {
      StatementScope stmt(f.g.database().statement("SELECT count(*) FROM " + std::string(table)));
      stmt->step();
      n = stmt->column_int(0);
    });
    return n;
  };
  CHECK(rows("rooms") == 1);
  CHECK(rows("participants") >= 3);
  CHECK(rows("room_archive") == 2);
  CHECK(rows("room_resources") == 1);
  f.g.h().inject(
      "<iq type='set' id='bye' from='alice@test/phone' to='gw.test'>"
      "<query xmlns='jabber:iq:register'><remove/></query></iq>");
  CHECK(f.by_id("bye").attr_or("type") == "result");
  for (std::string_view table : {"rooms", "participants", "room_archive", "room_resources",
                                 "message_ids", "message_id_keys"}) {
    CAPTURE(table);
    CHECK(rows(table) == 0);
  }
}
