// The user's nick in a group (XEP-0045 §7.6): a joined resource asks for another one
// (Room::on_nick_change), every joined resource sees the change (303, then the new
// occupant, both with 110); a refusal comes from the nick asked for; the bridge can change
// it too (Room::set_user_nick), never onto a present participant's.
// A participant who is gone can be forgotten (Room::forget_participant), never one present
// or the user.
#include <doctest/doctest.h>

#include "legacy/room.hpp"
#include "legacy/rooms.hpp"
#include "storage/database.hpp"
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

TEST_CASE("rooms: a participant who is gone can be forgotten, row and occupant") {
  Lounge f;
  auto rows = [&f](std::string_view nick) {
    std::int64_t n = 0;
    f.g.h().on_component_thread([&] {
      Statement& count =
          f.g.database().statement("SELECT count(*) FROM participants WHERE nick = ?1");
      StatementScope scope(count);
      count.bind_text(1, nick);
      count.step();
      n = count.column_int(0);
    });
    return n;
  };
  auto on_room = [&f](auto&& action) {
    f.g.h().on_component_thread(
        [&] { action(f.script->session(kAlice).rooms().by_legacy_id("lounge")); });
  };
  on_room([](Room& room) { room.participant_by_nick("passer").joined(); });
  drain(f.g);
  CHECK(rows("passer") == 1);
  bool forgotten = true;
  on_room([&](Room& room) { forgotten = room.forget_participant("passer"); });
  CHECK_FALSE(forgotten);  // present
  on_room([&](Room& room) {
    room.find_participant("passer")->left();
    forgotten = room.forget_participant("passer");
  });
  CHECK(forgotten);
  CHECK(rows("passer") == 0);
  bool known = true;
  on_room([&](Room& room) { known = room.find_participant("passer") != nullptr; });
  CHECK_FALSE(known);
  // The user and unknown nicks are not; a gone admin is, affiliation and all.
  on_room([&](Room& room) {
    forgotten = room.forget_participant("alice") || room.forget_participant("nobody");
  });
  CHECK_FALSE(forgotten);
  on_room([&](Room& room) {
    Participant& admin = room.participant_by_nick("keeper");
    admin.set_affiliation(Affiliation::admin);
    admin.left();
    forgotten = room.forget_participant("keeper");
  });
  CHECK(forgotten);
  CHECK(rows("keeper") == 0);
  // The nick comes back as a new occupant, announced.
  drain(f.g);
  on_room([](Room& room) { room.participant_by_nick("passer").joined(); });
  Element back = f.next_of("presence");
  CHECK(back.attr_or("from") == "lounge@gw.test/passer");
  CHECK_FALSE(back.attr("type"));
  CHECK(rows("passer") == 1);
}
