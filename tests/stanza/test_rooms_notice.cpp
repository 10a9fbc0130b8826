// Room::send_notice: a line from the group itself reaches every joined resource as a
// groupchat message from the room's bare JID.
#include <doctest/doctest.h>

#include <set>

#include "legacy/room.hpp"
#include "legacy/rooms.hpp"
#include "tests/stanza/rooms_fixture.hpp"

using namespace legate;
using namespace legate::test;

TEST_CASE("rooms: a notice from the room reaches every joined resource") {
  Lounge f;
  f.g.h().inject(
      "<presence from='alice@test/desk' to='lounge@gw.test/alice' id='j2'>"
      "<x xmlns='http://jabber.org/protocol/muc'/></presence>");
  f.by_id("j2");
  drain(f.g);
  f.g.h().on_component_thread([&] {
    f.script->session(kAlice).rooms().by_legacy_id("lounge").send_notice("alice sets mode +m");
  });
  std::set<std::string> to;
  for (int i = 0; i < 2; ++i) {
    Element notice = f.next_message();
    CHECK(notice.attr_or("from") == "lounge@gw.test");
    CHECK(notice.attr_or("type") == "groupchat");
    CHECK(notice.child_text("body", kComponentNs) == "alice sets mode +m");
    CHECK_FALSE(notice.attr_or("id").empty());
    to.insert(std::string(notice.attr_or("to")));
  }
  CHECK(to == std::set<std::string>{"alice@test/desk", "alice@test/phone"});
}
