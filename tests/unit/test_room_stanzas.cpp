// Room stanza builders against hand-written XML (compared structurally), room kinds in disco,
// and occupant and stanza ids.
#include <doctest/doctest.h>

#include <chrono>
#include <set>

#include "component/disco.hpp"
#include "component/xml_parse.hpp"
#include "legacy/room_stanzas.hpp"

using namespace legate;
using namespace std::chrono;

namespace {

std::string diff(const Element& actual, std::string_view expected_xml) {
  return structural_difference(actual, parse_element(expected_xml));
}

}  // namespace

TEST_CASE("room stanzas: an occupant's presence, and the self-presence with codes and id") {
  OccupantPresence bob{.from = "lounge@gw.example/bob",
                       .to = "romeo@example/phone",
                       .affiliation = Affiliation::owner,
                       .role = Role::moderator,
                       .real_jid = "bob@gw.example",
                       .occupant_id = "occ-bob"};
  CHECK(diff(occupant_presence(bob),
             "<presence from='lounge@gw.example/bob' to='romeo@example/phone'>"
             "<x xmlns='http://jabber.org/protocol/muc#user'>"
             "<item affiliation='owner' role='moderator' jid='bob@gw.example'/></x>"
             "<occupant-id xmlns='urn:xmpp:occupant-id:0' id='occ-bob'/></presence>") == "");
  OccupantPresence self{
      .from = "lounge@gw.example/romeo",
      .to = "romeo@example/phone",
      .real_jid = "romeo@example/phone",
      .occupant_id = "occ-me",
      .codes = {MucStatus::non_anonymous, MucStatus::self, MucStatus::nick_assigned},
      .id = "join-1"};
  CHECK(diff(occupant_presence(self),
             "<presence from='lounge@gw.example/romeo' to='romeo@example/phone' id='join-1'>"
             "<x xmlns='http://jabber.org/protocol/muc#user'>"
             "<item affiliation='member' role='participant' jid='romeo@example/phone'/>"
             "<status code='100'/><status code='110'/><status code='210'/></x>"
             "<occupant-id xmlns='urn:xmpp:occupant-id:0' id='occ-me'/></presence>") == "");
  OccupantPresence renamed{.from = "lobby@gw.example/dave",
                           .to = "romeo@example/phone",
                           .type = "unavailable",
                           .codes = {MucStatus::new_nick},
                           .new_nick = "david"};
  CHECK(diff(occupant_presence(renamed),
             "<presence from='lobby@gw.example/dave' to='romeo@example/phone' "
             "type='unavailable'><x xmlns='http://jabber.org/protocol/muc#user'>"
             "<item affiliation='member' role='participant' nick='david'/>"
             "<status code='303'/></x></presence>") == "");
  OccupantPresence kicked{.from = "lobby@gw.example/dave",
                          .to = "romeo@example/phone",
                          .type = "unavailable",
                          .affiliation = Affiliation::none,
                          .role = Role::none,
                          .codes = {MucStatus::kicked},
                          .reason = "flood"};
  CHECK(diff(occupant_presence(kicked),
             "<presence from='lobby@gw.example/dave' to='romeo@example/phone' "
             "type='unavailable'><x xmlns='http://jabber.org/protocol/muc#user'>"
             "<item affiliation='none' role='none'><reason>flood</reason></item>"
             "<status code='307'/></x></presence>") == "");
}

TEST_CASE("room stanzas: the subject, with a delay only when its date is known") {
  CHECK(diff(subject_message("lounge@gw.example", "romeo@example/phone", "", "lounge@gw.example",
                             std::nullopt),
             "<message from='lounge@gw.example' to='romeo@example/phone' type='groupchat'>"
             "<subject/></message>") == "");
  const auto when = sys_days(year(2026) / December / 1) + hours(9);
  CHECK(diff(subject_message("lounge@gw.example/alice", "romeo@example/phone", "Welcome",
                             "lounge@gw.example", when),
             "<message from='lounge@gw.example/alice' to='romeo@example/phone' "
             "type='groupchat'><subject>Welcome</subject>"
             "<delay xmlns='urn:xmpp:delay' stamp='2026-12-01T09:00:00Z' "
             "from='lounge@gw.example'/></message>") == "");
}

TEST_CASE("room stanzas: a message in the room carries the room's stanza id and occupant id") {
  RoomMessage m{.from = "lounge@gw.example/bob",
                .to = "romeo@example/phone",
                .id = "m1",
                .stanza_id = "s1",
                .room_jid = "lounge@gw.example",
                .occupant_id = "occ-bob",
                .body = "hi"};
  CHECK(diff(groupchat_message(m),
             "<message from='lounge@gw.example/bob' to='romeo@example/phone' type='groupchat' "
             "id='m1'><body>hi</body>"
             "<stanza-id xmlns='urn:xmpp:sid:0' id='s1' by='lounge@gw.example'/>"
             "<occupant-id xmlns='urn:xmpp:occupant-id:0' id='occ-bob'/>"
             "<markable xmlns='urn:xmpp:chat-markers:0'/></message>") == "");
}

TEST_CASE("room stanzas: disco#info by kind, with the roominfo form") {
  const Element group = room_disco_info({.name = "Echo Lounge",
                                         .description = "d",
                                         .subject = "Welcome",
                                         .kind = RoomKind::group,
                                         .occupants = 3});
  const Element* identity = group.child("identity", kDiscoInfoNs);
  REQUIRE(identity);
  CHECK(identity->attr_or("category") == "conference");
  CHECK(identity->attr_or("type") == "text");
  CHECK(identity->attr_or("name") == "Echo Lounge");
  std::set<std::string> features;
  for (const auto& c : group.children())
    if (c.is("feature", kDiscoInfoNs)) features.insert(std::string(c.attr_or("var")));
  for (const char* f :
       {"http://jabber.org/protocol/muc", "muc_membersonly", "muc_nonanonymous",
        "urn:xmpp:occupant-id:0", "urn:xmpp:sid:0", "http://jabber.org/protocol/muc#stable_id"})
    CHECK_MESSAGE(features.count(f) == 1, f);
  CHECK(features.count("muc_open") == 0);
  const Element* form = group.child("x", "jabber:x:data");
  REQUIRE(form);
  bool occupants = false;
  for (const auto& field : form->children())
    if (field.attr_or("var") == "muc#roominfo_occupants")
      occupants = field.child_text("value", "jabber:x:data") == "3";
  CHECK(occupants);

  std::set<std::string> channel;
  for (const auto& f : room_features(RoomKind::channel, false)) channel.insert(f);
  CHECK(channel.count("muc_open") == 1);
  CHECK(channel.count("muc_semianonymous") == 1);
  CHECK(channel.count("muc_nonanonymous") == 0);
  CHECK(channel.count("muc_membersonly") == 0);
  // Anonymity is the room's own choice, not its kind's (an IRC channel shows nick%server JIDs).
  std::set<std::string> open_named;
  for (const auto& f : room_features(RoomKind::channel, true)) open_named.insert(f);
  CHECK(open_named.count("muc_open") == 1);
  CHECK(open_named.count("muc_nonanonymous") == 1);
  CHECK(open_named.count("muc_semianonymous") == 0);
  auto whois_of = [](const Element& info) {
    for (const auto& field : info.child("x", "jabber:x:data")->children())
      if (field.attr_or("var") == "muc#roomconfig_whois")
        return std::string(field.child_text("value", "jabber:x:data"));
    return std::string();
  };
  CHECK(whois_of(room_disco_info({.kind = RoomKind::channel, .non_anonymous = true})) == "anyone");
  CHECK(whois_of(room_disco_info({.kind = RoomKind::channel, .non_anonymous = false})) ==
        "moderators");
}

TEST_CASE("room stanzas: occupant ids are stable, distinct and keyed; stanza ids are random") {
  const std::string bob = occupant_id("secret", "lounge@gw", "bob");
  CHECK(bob.size() == 22);
  CHECK(bob == occupant_id("secret", "lounge@gw", "bob"));
  CHECK(bob != occupant_id("secret", "lobby@gw", "bob"));
  CHECK(bob != occupant_id("secret", "lounge@gw", ""));
  CHECK(bob != occupant_id("other", "lounge@gw", "bob"));
  CHECK(bob.find_first_of("+/=") == std::string::npos);
}

TEST_CASE("room types: names both ways") {
  CHECK(to_string(Affiliation::outcast) == "outcast");
  CHECK(affiliation_from("owner") == Affiliation::owner);
  CHECK_FALSE(affiliation_from("king"));
  CHECK(to_string(Role::visitor) == "visitor");
  CHECK(role_from("moderator") == Role::moderator);
  CHECK(room_kind_from("channel") == RoomKind::channel);
  CHECK_FALSE(room_kind_from("forum"));
}
