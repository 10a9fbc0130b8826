// Room avatars at the stanza level (XEP-0486): Room::set_avatar announces the hash in the
// room's presence to every joined resource, the roominfo form carries it, the room JID's
// vCard carries the image; a joining resource finds it in roominfo; removing it says so.
#include <doctest/doctest.h>

#include <set>

#include "component/base64.hpp"
#include "component/digest.hpp"
#include "component/disco.hpp"
#include "legacy/room.hpp"
#include "tests/stanza/rooms_fixture.hpp"
#include "tests/support/test_png.hpp"

using namespace legate;
using namespace legate::test;

namespace {

void set_lounge_avatar(Lounge& f, std::string bytes) {
  f.g.h().on_component_thread(
      [&] { f.script->session(kAlice).rooms().by_legacy_id("lounge").set_avatar(bytes); });
}

bool is_room_photo(const Element& e) {
  return e.name() == "presence" && e.attr_or("from") == "lounge@gw.test" &&
         e.child("x", "vcard-temp:x:update");
}

std::string roominfo_hash(Lounge& f) {
  f.g.h().inject(
      "<iq type='get' id='d1' from='alice@test/phone' to='lounge@gw.test'>"
      "<query xmlns='http://jabber.org/protocol/disco#info'/></iq>");
  Element info = f.by_id("d1");
  const Element* form = info.child("query", kDiscoInfoNs)->child("x", "jabber:x:data");
  REQUIRE(form);
  for (const Element& field : form->children())
    if (field.attr_or("var") == "muc#roominfo_avatarhash") {
      CHECK(field.attr_or("type") == "text-multi");
      return std::string(field.child_text("value", "jabber:x:data"));
    }
  return "";
}

}  // namespace

TEST_CASE("room avatar: presence, roominfo hash and vCard of the room JID") {
  Lounge f;
  CHECK(roominfo_hash(f).empty());
  const std::string png = make_png(300, 300, 0xe9c46aff);
  set_lounge_avatar(f, png);
  Element presence = f.g.next_where(is_room_photo);
  CHECK(presence.attr_or("to") == kAlice);
  CHECK(presence.attr_or("type") == "");
  const std::string hash(
      presence.child("x", "vcard-temp:x:update")->child_text("photo", "vcard-temp:x:update"));
  CHECK(hash.size() == 40);
  CHECK(roominfo_hash(f) == hash);

  f.g.h().inject(
      "<iq type='get' id='v1' from='alice@test/phone' to='lounge@gw.test'>"
      "<vCard xmlns='vcard-temp'/></iq>");
  Element card = f.by_id("v1");
  const Element* photo = card.child("vCard", "vcard-temp")->child("PHOTO", "vcard-temp");
  REQUIRE(photo);
  const auto bytes = base64_decode(photo->child_text("BINVAL", "vcard-temp"));
  REQUIRE(bytes);
  CHECK(sha1_hex(*bytes) == hash);
  CHECK(png_size(*bytes) == std::pair<int, int>{200, 200});  // scaled down

  // A second resource joining: the join sequence of XEP-0045 as it is (the subject last, no
  // room presence); the hash is in the roominfo form. A change reaches both resources.
  f.g.h().inject(
      "<presence from='alice@test/desk' to='lounge@gw.test/alice' id='j2'>"
      "<x xmlns='http://jabber.org/protocol/muc'/></presence>");
  for (const Element& e : f.g.h().settle()) CHECK_FALSE(is_room_photo(e));
  set_lounge_avatar(f, make_png(64, 64, 0x112233ff));
  std::set<std::string> told;
  for (const Element& e : f.g.h().settle())
    if (is_room_photo(e)) told.emplace(e.attr_or("to"));
  CHECK(told == std::set<std::string>{"alice@test/phone", "alice@test/desk"});

  // No picture any more: an empty photo, no roominfo hash, no PHOTO.
  set_lounge_avatar(f, "");
  std::size_t cleared = 0;
  for (const Element& e : f.g.h().settle())
    if (is_room_photo(e)) {
      ++cleared;
      CHECK(e.child("x", "vcard-temp:x:update")->child_text("photo", "vcard-temp:x:update") == "");
    }
  CHECK(cleared == 2);
  CHECK(roominfo_hash(f).empty());
}
