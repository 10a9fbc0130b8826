// Group changes at the stanza level: the subject set by the user (XEP-0045 §8.1) and the user
// removed from the group on the legacy side (307 / 321).
#include <doctest/doctest.h>

#include "legacy/room.hpp"
#include "legacy/room_stanzas.hpp"
#include "tests/stanza/rooms_fixture.hpp"

using namespace legate;
using namespace legate::test;

TEST_CASE("rooms: the user sets the subject; a refusal comes from the room") {
  Lounge f;
  f.g.h().inject(
      "<message type='groupchat' id='s1' from='alice@test/phone' to='lounge@gw.test'>"
      "<subject>Plans for Friday</subject></message>");
  CHECK(f.script->wait_for(f.g.h(), "room_subject").text == "Plans for Friday");
  Element subject = f.next_message();
  CHECK(subject.attr_or("from") == "lounge@gw.test/alice");
  CHECK(subject.attr_or("type") == "groupchat");
  CHECK(subject.child_text("subject", kComponentNs) == "Plans for Friday");
  CHECK_FALSE(subject.child("body", kComponentNs));

  f.g.h().on_component_thread(
      [&] { f.script->errors["room_subject"] = ErrorCondition::forbidden; });
  f.g.h().inject(
      "<message type='groupchat' id='s2' from='alice@test/phone' to='lounge@gw.test'>"
      "<subject>No</subject></message>");
  Element refused = f.next_message();
  CHECK(is_error(refused, ErrorCondition::forbidden));
  CHECK(refused.attr_or("from") == "lounge@gw.test");
  CHECK(refused.attr_or("id") == "s2");
  f.g.h().expect_nothing();
}

TEST_CASE("rooms: the user removed from the group: 110 with 307 or 321, and out of the room") {
  Lounge f;
  bool kicked = false;
  std::string code;
  SUBCASE("kicked") {
    kicked = true;
    code = "307";
  }
  SUBCASE("membership removed") {
    code = "321";
  }
  f.g.h().on_component_thread([&] {
    f.script->session(kAlice).rooms().by_legacy_id("lounge").user_removed("bye", kicked);
  });
  Element gone = f.g.next_where([](const Element& e) { return e.name() == "presence"; });
  CHECK(gone.attr_or("type") == "unavailable");
  CHECK(gone.attr_or("from") == "lounge@gw.test/alice");
  const Element* x = gone.child("x", kMucUserNs);
  REQUIRE(x);
  std::vector<std::string> codes;
  for (const auto& c : x->children())
    if (c.is("status", kMucUserNs)) codes.emplace_back(c.attr_or("code"));
  CHECK(codes == std::vector<std::string>{"110", code});
  CHECK(x->child("item", kMucUserNs)->attr_or("affiliation") == "none");
  CHECK(x->child("item", kMucUserNs)->child_text("reason", kMucUserNs) == "bye");
  f.g.h().inject(
      "<message type='groupchat' id='m1' from='alice@test/phone' to='lounge@gw.test'>"
      "<body>still here?</body></message>");
  CHECK(is_error(f.next_message(), ErrorCondition::not_acceptable));
}
