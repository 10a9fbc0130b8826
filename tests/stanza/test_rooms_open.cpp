// Rooms a bridge opens by name (Rooms::legacy_id_of, e.g. IRC channels): a join to such a
// JID creates and stores the room and runs the join sequence; a later join finds it; a JID
// the bridge does not open is item-not-found, and nothing is stored for it.
#include <doctest/doctest.h>

#include "legacy/room.hpp"
#include "legacy/room_stanzas.hpp"
#include "legacy/rooms.hpp"
#include "storage/room_store.hpp"
#include "tests/stanza/rooms_fixture.hpp"

using namespace legate;
using namespace legate::test;

namespace {

void join(GatewayHarness& g, std::string_view room, std::string_view id) {
  g.h().inject("<presence from='alice@test/phone' to='" + std::string(room) + "/alice' id='" +
               std::string(id) +
               "'><x xmlns='http://jabber.org/protocol/muc'><history maxchars='0'/></x>"
               "</presence>");
}

}  // namespace

TEST_CASE("rooms: a join opens a group the bridge names; other JIDs stay item-not-found") {
  auto script = two_contacts();
  script->open_prefix = "open-";
  GatewayHarness g(with_sessions(script));
  register_and_log_in(g);

  join(g, "open-chat@gw.test", "j1");
  Element self = g.next_where(
      [](const Element& e) { return e.name() == "presence" && e.attr_or("id") == "j1"; });
  CHECK(self.attr_or("from") == "open-chat@gw.test/alice");
  CHECK(self.attr_or("type") != "error");
  const std::vector<std::string> codes = codes_of(self);
  CHECK(std::find(codes.begin(), codes.end(), "110") != codes.end());
  bool stored = false;
  g.h().on_component_thread([&] {
    stored = script->session(kAlice).rooms().by_jid(Jid("open-chat@gw.test")) != nullptr;
  });
  CHECK(stored);
  drain(g);

  join(g, "closed-chat@gw.test", "j2");
  Element refused = g.next_where([](const Element& e) { return e.attr_or("id") == "j2"; });
  CHECK(refused.attr_or("type") == "error");
  CHECK(StanzaError::from_stanza(refused).condition() == ErrorCondition::item_not_found);
  std::size_t rooms = 0;
  g.h().on_component_thread([&] { rooms = script->session(kAlice).rooms().all().size(); });
  CHECK(rooms == 1);  // the refused JID left nothing behind

  SUBCASE("a second resource joins the same room") {
    g.h().inject(
        "<presence from='alice@test/desk' to='open-chat@gw.test/alice' id='j3'>"
        "<x xmlns='http://jabber.org/protocol/muc'/></presence>");
    Element again = g.next_where(
        [](const Element& e) { return e.name() == "presence" && e.attr_or("id") == "j3"; });
    CHECK(again.attr_or("type") != "error");
    g.h().on_component_thread([&] { rooms = script->session(kAlice).rooms().all().size(); });
    CHECK(rooms == 1);
  }
}

TEST_CASE("rooms: a join the bridge refuses is answered from the room, and opens nothing") {
  // The refusal comes after the queued join ran: from the occupant JID to the user, never
  // the other way round (a stanza from the user's JID would end the whole component stream).
  auto script = two_contacts();
  script->open_prefix = "open-";
  script->errors["room_join"] = ErrorCondition::not_allowed;
  GatewayHarness g(with_sessions(script));
  register_and_log_in(g);

  join(g, "open-shut@gw.test", "j1");
  Element refused = g.next_where([](const Element& e) { return e.attr_or("id") == "j1"; });
  CHECK(refused.name() == "presence");
  CHECK(refused.attr_or("type") == "error");
  CHECK(refused.attr_or("from") == "open-shut@gw.test/alice");
  CHECK(refused.attr_or("to") == "alice@test/phone");
  CHECK(StanzaError::from_stanza(refused).condition() == ErrorCondition::not_allowed);
  CHECK(refused.child("x", "http://jabber.org/protocol/muc") != nullptr);
  std::size_t rooms = 1;
  g.h().on_component_thread([&] { rooms = script->session(kAlice).rooms().all().size(); });
  CHECK(rooms == 0);
}
