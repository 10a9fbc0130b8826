// The user's nick in a group (XEP-0045 §7.6): a joined resource asks for another one
// (Room::on_nick_change), every joined resource sees the change (303, then the new
// occupant, both with 110); a refusal comes from the nick asked for; the bridge can change
// it too (Room::set_user_nick), never onto a present participant's.
#include <doctest/doctest.h>

#include "legacy/room.hpp"
#include "legacy/rooms.hpp"
#include "tests/stanza/rooms_fixture.hpp"

using namespace legate;
using namespace legate::test;

namespace {

void ask_nick(Lounge& f, std::string_view nick, std::string_view id) {
  f.g.h().inject("<presence from='alice@test/phone' to='lounge@gw.test/" + std::string(nick) +
                 "' id='" + std::string(id) + "'/>");
}

std::string item_nick(const Element& presence) {
  const Element* x = presence.child("x", kMucUserNs);
  const Element* item = x ? x->child("item", kMucUserNs) : nullptr;
  return item ? std::string(item->attr_or("nick")) : "";
}

}  // namespace

TEST_CASE("rooms: the user changes their nick from the client") {
  Lounge f;
  ask_nick(f, "ally", "n1");
  Element gone = f.g.next_where([](const Element& e) {
    return e.name() == "presence" && e.attr_or("type") == "unavailable";
  });
  CHECK(gone.attr_or("from") == "lounge@gw.test/alice");
  CHECK(gone.attr_or("to") == "alice@test/phone");
  const auto codes = codes_of(gone);
  CHECK(std::find(codes.begin(), codes.end(), "303") != codes.end());
  CHECK(std::find(codes.begin(), codes.end(), "110") != codes.end());
  CHECK(item_nick(gone) == "ally");
  Element back = f.next_of("presence");
  CHECK(back.attr_or("from") == "lounge@gw.test/ally");
  CHECK(back.attr_or("type").empty());
  CHECK(codes_of(back) == std::vector<std::string>{"110"});
  CHECK(f.script->count(f.g.h(), "room_nick") == 1);
  std::string nick;
  f.g.h().on_component_thread(
      [&] { nick = f.script->session(kAlice).rooms().by_legacy_id("lounge").user().nick(); });
  CHECK(nick == "ally");
}

TEST_CASE("rooms: a nick change the network refuses comes back from the nick asked for") {
  Lounge f;
  SUBCASE("taken: conflict") {
    f.script->errors["room_nick"] = ErrorCondition::conflict;
    ask_nick(f, "bobby2", "n2");
    Element refused = f.by_id("n2");
    CHECK(refused.attr_or("type") == "error");
    CHECK(refused.attr_or("from") == "lounge@gw.test/bobby2");
    CHECK(refused.attr_or("to") == "alice@test/phone");
    CHECK(StanzaError::from_stanza(refused).condition() == ErrorCondition::conflict);
  }
  SUBCASE("a bridge without the hook: not-acceptable") {
    f.script->unimplemented.insert("room_nick");
    ask_nick(f, "ally", "n3");
    Element refused = f.by_id("n3");
    CHECK(StanzaError::from_stanza(refused).condition() == ErrorCondition::not_acceptable);
    CHECK(refused.attr_or("from") == "lounge@gw.test/ally");
  }
}

TEST_CASE("rooms: the bridge sets the user's nick; never onto a present participant's") {
  Lounge f;
  std::string nick;
  f.g.h().on_component_thread([&] {
    Room& room = f.script->session(kAlice).rooms().by_legacy_id("lounge");
    room.set_user_nick("bobby");  // bob's, present: unchanged
    nick = room.user().nick();
  });
  CHECK(nick == "alice");
  f.g.h().on_component_thread([&] {
    Room& room = f.script->session(kAlice).rooms().by_legacy_id("lounge");
    room.set_user_nick("alice2");
    nick = room.user().nick();
  });
  CHECK(nick == "alice2");
  Element gone = f.next_of("presence");
  CHECK(item_nick(gone) == "alice2");
  CHECK(f.next_of("presence").attr_or("from") == "lounge@gw.test/alice2");
}
