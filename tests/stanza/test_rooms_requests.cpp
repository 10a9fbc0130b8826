// Group requests decided by the bridge, at the stanza level: invitations (XEP-0249 direct and
// XEP-0045 §7.8.2 mediated), kicks and affiliation changes (muc#admin sets), leaving for good
// (XEP-0077 <remove/> to the room), destroy (muc#owner), markers and chat states both ways,
// and a Dino/Movim join with <mav/>.
#include <doctest/doctest.h>

#include <algorithm>

#include "commands/commands.hpp"
#include "legacy/room.hpp"
#include "legacy/room_stanzas.hpp"
#include "storage/room_store.hpp"
#include "tests/stanza/rooms_fixture.hpp"

using namespace legate;
using namespace legate::test;

namespace {

struct Requests : Lounge {
  using Lounge::Lounge;
  void unimplemented(std::string hook) {
    g.h().on_component_thread([&] { script->unimplemented.insert(hook); });
  }
  void admin(std::string_view id, std::string_view item) {
    g.h().inject("<iq type='set' id='" + std::string(id) +
                 "' from='alice@test/phone' to='lounge@gw.test'>"
                 "<query xmlns='http://jabber.org/protocol/muc#admin'>" +
                 std::string(item) + "</query></iq>");
  }
};

}  // namespace

TEST_CASE("rooms: invitations, direct (XEP-0249) and mediated (§7.8.2), reach on_invite") {
  Requests f;
  f.g.h().inject(
      "<message id='i1' from='alice@test/phone' to='carol@gw.test'>"
      "<x xmlns='jabber:x:conference' jid='lounge@gw.test' reason='join us'/></message>");
  SessionCall direct = f.script->wait_for(f.g.h(), "room_invite");
  CHECK(direct.contact == "lounge");
  CHECK(direct.legacy_id == "carol");
  CHECK(direct.text == "join us");
  f.g.h().inject(
      "<message id='i2' from='alice@test/phone' to='lounge@gw.test'>"
      "<x xmlns='http://jabber.org/protocol/muc#user'><invite to='bob@gw.test'>"
      "<reason>hey</reason></invite></x></message>");
  SessionCall mediated = f.script->wait_for(f.g.h(), "room_invite", 2);
  CHECK(mediated.legacy_id == "bob");
  CHECK(mediated.text == "hey");
  CHECK(f.script->count(f.g.h(), "text") == 0);  // never a chat message to the contact

  // Someone outside the gateway, or a room that does not exist: errors, nothing called.
  f.g.h().inject(
      "<message id='i3' from='alice@test/phone' to='lounge@gw.test'>"
      "<x xmlns='http://jabber.org/protocol/muc#user'><invite to='zed@elsewhere.test'/></x>"
      "</message>");
  Element stranger = f.by_id("i3");
  CHECK(is_error(stranger, ErrorCondition::item_not_found));
  CHECK(stranger.attr_or("from") == "lounge@gw.test");
  f.g.h().inject(
      "<message id='i4' from='alice@test/phone' to='bob@gw.test'>"
      "<x xmlns='jabber:x:conference' jid='nowhere@gw.test'/></message>");
  Element nowhere = f.by_id("i4");
  CHECK(is_error(nowhere, ErrorCondition::item_not_found));
  CHECK(nowhere.attr_or("from") == "bob@gw.test");
  f.unimplemented("room_invite");
  f.g.h().inject(
      "<message id='i5' from='alice@test/phone' to='bob@gw.test'>"
      "<x xmlns='jabber:x:conference' jid='lounge@gw.test'/></message>");
  CHECK(is_error(f.by_id("i5"), ErrorCondition::feature_not_implemented));
  CHECK(f.script->count(f.g.h(), "room_invite") == 3);
}

TEST_CASE("rooms: kicks and affiliation changes (muc#admin set) go through the bridge") {
  Requests f;
  f.admin("k1", "<item nick='bobby' role='none'><reason>spam</reason></item>");
  SessionCall kick = f.script->wait_for(f.g.h(), "room_kick");
  CHECK(kick.legacy_id == "bobby");
  CHECK(kick.text == "spam");
  Element gone = f.next_of("presence");  // §8.2: the occupants are told, then the moderator
  CHECK(gone.attr_or("from") == "lounge@gw.test/bobby");
  CHECK(gone.attr_or("type") == "unavailable");
  CHECK(codes_of(gone) == std::vector<std::string>{"307"});
  CHECK(f.by_id("k1").attr_or("type") == "result");

  f.admin("k2", "<item nick='nobody' role='none'/>");
  CHECK(is_error(f.by_id("k2"), ErrorCondition::item_not_found));
  f.admin("k3", "<item nick='Carol' role='visitor'/>");
  CHECK(is_error(f.by_id("k3"), ErrorCondition::feature_not_implemented));

  f.admin("a1", "<item jid='carol@gw.test' affiliation='outcast'><reason>bye</reason></item>");
  SessionCall ban = f.script->wait_for(f.g.h(), "room_affiliation");
  CHECK(ban.legacy_id == "carol");
  CHECK(ban.file_name == "outcast");
  Element banned = f.next_of("presence");
  CHECK(banned.attr_or("from") == "lounge@gw.test/Carol");
  CHECK(codes_of(banned) == std::vector<std::string>{"301"});
  CHECK(f.by_id("a1").attr_or("type") == "result");

  // Back as an admin: present again, with the new affiliation.
  f.admin("a2", "<item jid='carol@gw.test' affiliation='admin'/>");
  CHECK(f.script->wait_for(f.g.h(), "room_affiliation", 2).file_name == "admin");
  Element back = f.next_of("presence");
  CHECK(back.attr_or("from") == "lounge@gw.test/Carol");
  CHECK_FALSE(back.attr("type"));
  CHECK(back.child("x", kMucUserNs)->child("item", kMucUserNs)->attr_or("affiliation") == "admin");
  CHECK(f.by_id("a2").attr_or("type") == "result");

  f.admin("a3", "<item jid='carol@gw.test' affiliation='king'/>");
  CHECK(is_error(f.by_id("a3"), ErrorCondition::bad_request));
  f.admin("a4", "<item jid='zed@elsewhere.test' affiliation='member'/>");
  CHECK(is_error(f.by_id("a4"), ErrorCondition::item_not_found));
  f.unimplemented("room_kick");
  f.admin("k4", "<item nick='Carol' role='none'/>");
  Element refused = f.by_id("k4");
  CHECK(is_error(refused, ErrorCondition::feature_not_implemented));
  CHECK(refused.attr_or("from") == "lounge@gw.test");
  f.g.h().expect_nothing();  // carol stays
}

TEST_CASE("rooms: leaving for good with XEP-0077 <remove/> to the room; destroy needs its hook") {
  Requests f;
  f.g.h().inject(
      "<iq type='get' id='r0' from='alice@test/phone' to='lounge@gw.test'>"
      "<query xmlns='jabber:iq:register'/></iq>");
  Element registered = f.by_id("r0");
  REQUIRE(registered.child("query", "jabber:iq:register"));
  CHECK(registered.child("query", "jabber:iq:register")
            ->child_text("username", "jabber:iq:register") == "alice");

  f.unimplemented("room_destroy");
  f.g.h().inject(
      "<iq type='set' id='d1' from='alice@test/phone' to='lounge@gw.test'>"
      "<query xmlns='http://jabber.org/protocol/muc#owner'><destroy/></query></iq>");
  Element not_destroyed = f.by_id("d1");
  CHECK(is_error(not_destroyed, ErrorCondition::forbidden));
  CHECK(not_destroyed.attr_or("from") == "lounge@gw.test");
  f.g.h().inject(
      "<iq type='get' id='o1' from='alice@test/phone' to='lounge@gw.test'>"
      "<query xmlns='http://jabber.org/protocol/muc#owner'/></iq>");
  CHECK(is_error(f.by_id("o1"), ErrorCondition::feature_not_implemented));

  SUBCASE("leave") {
    f.g.h().inject(
        "<iq type='set' id='r1' from='alice@test/phone' to='lounge@gw.test'>"
        "<query xmlns='jabber:iq:register'><remove/></query></iq>");
    f.script->wait_for(f.g.h(), "room_leave");
    Element self = f.next_of("presence");
    CHECK(self.attr_or("type") == "unavailable");
    CHECK(self.attr_or("from") == "lounge@gw.test/alice");
    CHECK(codes_of(self) == std::vector<std::string>{"110"});
    CHECK(f.by_id("r1").attr_or("type") == "result");
  }
  SUBCASE("destroy") {
    f.g.h().on_component_thread([&] { f.script->unimplemented.clear(); });
    f.g.h().inject(
        "<iq type='set' id='d2' from='alice@test/phone' to='lounge@gw.test'>"
        "<query xmlns='http://jabber.org/protocol/muc#owner'><destroy>"
        "<reason>done</reason></destroy></query></iq>");
    CHECK(f.script->wait_for(f.g.h(), "room_destroy", 2).text == "done");
    Element self = f.next_of("presence");
    CHECK(self.attr_or("type") == "unavailable");
    const Element* destroy = self.child("x", kMucUserNs)->child("destroy", kMucUserNs);
    REQUIRE(destroy);
    CHECK(destroy->child_text("reason", kMucUserNs) == "done");
    CHECK(f.by_id("d2").attr_or("type") == "result");
  }
  // The room is gone (storage too); the user is still registered with the gateway.
  f.g.h().inject(
      "<iq type='get' id='q2' from='alice@test/phone' to='gw.test'>"
      "<query xmlns='jabber:iq:register'/></iq>");
  CHECK(f.by_id("q2")
            .child("query", "jabber:iq:register")
            ->child("registered", "jabber:iq:register"));
  std::size_t rooms_left = 99;
  bool routed = true;
  f.g.h().on_component_thread([&] {
    Session& session = f.script->session(kAlice);
    rooms_left = RoomStore(f.g.database()).all(session.user().id).size();
    routed = session.rooms().by_jid(Jid("lounge@gw.test")) != nullptr;
  });
  CHECK(rooms_left == 0);
  CHECK_FALSE(routed);
}

TEST_CASE("rooms: markers and chat states both ways; a join with <mav/> is a join") {
  Requests f("<mav xmlns='urn:xmpp:muc-affiliations:0' since='2'/>");
  f.g.h().inject(
      "<message type='groupchat' id='c1' from='alice@test/phone' to='lounge@gw.test'>"
      "<composing xmlns='http://jabber.org/protocol/chatstates'/></message>");
  CHECK(f.script->wait_for(f.g.h(), "room_chat_state").chat_state == ChatState::composing);
  Element typing = f.by_id("c1");
  CHECK(typing.attr_or("from") == "lounge@gw.test/alice");  // reflected: the user joined
  CHECK_FALSE(typing.child("stanza-id", kStanzaIdNs));

  std::string sent;
  f.g.h().on_component_thread([&] {
    sent = f.script->session(kAlice).rooms().by_legacy_id("lounge").participant("bob").send_text(
        "read this", {.legacy_id = "B7"});
  });
  f.next_of("message");
  f.g.h().inject(
      "<message type='groupchat' id='m1' from='alice@test/phone' to='lounge@gw.test'>"
      "<displayed xmlns='urn:xmpp:chat-markers:0' id='" +
      sent + "'/></message>");
  CHECK(f.script->wait_for(f.g.h(), "room_displayed").legacy_id == "B7");
  f.by_id("m1");

  f.g.h().on_component_thread([&] {
    Participant& bob = f.script->session(kAlice).rooms().by_legacy_id("lounge").participant("bob");
    bob.composing();
    bob.displayed("B7");
  });
  Element composing = f.next_of("message");
  CHECK(composing.attr_or("from") == "lounge@gw.test/bobby");
  CHECK(composing.attr_or("type") == "groupchat");
  CHECK(composing.child("composing", "http://jabber.org/protocol/chatstates"));
  CHECK(composing.child("occupant-id", kOccupantIdNs));
  CHECK_FALSE(composing.child("stanza-id", kStanzaIdNs));
  Element marker = f.next_of("message");
  REQUIRE(marker.child("displayed", "urn:xmpp:chat-markers:0"));
  CHECK(marker.child("displayed", "urn:xmpp:chat-markers:0")->attr_or("id") == sent);
}

TEST_CASE("rooms: newcomers announced, the gateway's disco#items lists the rooms, no room") {
  Requests f;
  // A participant created while the user is in the room: its presence at once.
  f.g.h().on_component_thread([&] {
    f.script->session(kAlice).rooms().by_legacy_id("lounge").participant_by_nick("newbie");
  });
  Element hello = f.next_of("presence");
  CHECK(hello.attr_or("from") == "lounge@gw.test/newbie");
  CHECK_FALSE(hello.attr("type"));

  f.g.h().inject(
      "<iq type='get' id='i1' from='alice@test/phone' to='gw.test'>"
      "<query xmlns='http://jabber.org/protocol/disco#items'/></iq>");
  Element items = f.by_id("i1");
  REQUIRE(items.child("query", kDiscoItemsNs));
  std::vector<std::string> jids;
  for (const auto& item : items.child("query", kDiscoItemsNs)->children())
    jids.emplace_back(item.attr_or("jid"));
  CHECK(std::count(jids.begin(), jids.end(), "lounge@gw.test") == 1);
  // A stranger sees no rooms.
  f.g.h().inject(
      "<iq type='get' id='i2' from='zed@test/x' to='gw.test'>"
      "<query xmlns='http://jabber.org/protocol/disco#items'/></iq>");
  const Element stranger = f.by_id("i2");
  REQUIRE(stranger.child("query", kDiscoItemsNs));
  for (const auto& item : stranger.child("query", kDiscoItemsNs)->children())
    CHECK(item.attr_or("jid") != "lounge@gw.test");

  // A groupchat to a JID that is no room: an error, not silence.
  f.g.h().inject(
      "<message type='groupchat' id='g1' from='alice@test/phone' to='nowhere@gw.test'>"
      "<body>anyone?</body></message>");
  Element none = f.by_id("g1");
  CHECK(is_error(none, ErrorCondition::item_not_found));
  CHECK(none.attr_or("from") == "nowhere@gw.test");
}

TEST_CASE("rooms: the groups and leave-group commands (ad-hoc)") {
  Requests f;
  std::unique_ptr<Commands> commands;
  f.g.h().on_component_thread([&] {
    commands = std::make_unique<Commands>(f.g.gateway(), /*builtins=*/false);
    add_group_commands(*commands);
  });
  auto command = [&](std::string_view id, std::string_view attrs, std::string_view inner = {}) {
    f.g.h().inject("<iq type='set' id='" + std::string(id) +
                   "' from='alice@test/phone' to='gw.test'><command "
                   "xmlns='http://jabber.org/protocol/commands' " +
                   std::string(attrs) + ">" + std::string(inner) + "</command></iq>");
    return f.by_id(std::string(id));
  };
  Element listed = command("c1", "node='groups' action='execute'");
  CHECK_MESSAGE(listed.str().find("lounge@gw.test") != std::string::npos, listed.str());

  Element asked = command("c2", "node='leave-group' action='execute'");
  const Element* cmd = asked.child("command", "http://jabber.org/protocol/commands");
  REQUIRE(cmd);
  const std::string sid(cmd->attr_or("sessionid"));
  Element left = command("c3", "node='leave-group' sessionid='" + sid + "' action='complete'",
                         "<x xmlns='jabber:x:data' type='submit'><field var='group'>"
                         "<value>lounge@gw.test</value></field></x>");
  CHECK(left.attr_or("type") == "result");
  CHECK(f.script->count(f.g.h(), "room_leave") == 1);
  bool routed = true;
  f.g.h().on_component_thread(
      [&] { routed = f.script->session(kAlice).rooms().by_jid(Jid("lounge@gw.test")) != nullptr; });
  CHECK_FALSE(routed);
  f.g.h().stop(/*force=*/true);  // its handlers point into the registry
  commands.reset();
}
