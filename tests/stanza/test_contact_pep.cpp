// Contacts' PEP at the stanza level (XEP-0084 avatars, XEP-0172 nicks): item requests to a
// contact, events to the user's clients whose caps ask for them (caps resolved by disco#info
// once per user and ver), pushes on set_avatar/set_nick, only for contacts in the roster;
// the avatar scaled down and stored once, the vCard (XEP-0153) in step.
#include <doctest/doctest.h>

#include <functional>

#include "component/base64.hpp"
#include "component/digest.hpp"
#include "component/disco.hpp"
#include "legacy/contact.hpp"
#include "storage/database.hpp"
#include "tests/stanza/sessions_fixture.hpp"
#include "tests/support/test_png.hpp"

using namespace legate;
using namespace legate::test;

namespace {

constexpr std::string_view kMetadataNs = "urn:xmpp:avatar:metadata";
constexpr std::string_view kDataNs = "urn:xmpp:avatar:data";
constexpr std::string_view kNickNodeNs = "http://jabber.org/protocol/nick";
constexpr std::string_view kPubsub = "http://jabber.org/protocol/pubsub";
constexpr std::string_view kEventNs = "http://jabber.org/protocol/pubsub#event";

void with_contact(GatewayHarness& g, SessionScript& script, std::string_view legacy_id,
                  const std::function<void(Contact&)>& action) {
  g.h().on_component_thread(
      [&] { action(script.session(kAlice).roster().by_legacy_id(std::string(legacy_id))); });
}

Element items_of(GatewayHarness& g, std::string_view to, std::string_view node,
                 std::string_view item_id = {}) {
  const std::string item =
      item_id.empty() ? std::string() : "<item id='" + std::string(item_id) + "'/>";
  g.h().inject("<iq type='get' id='pep1' from='alice@test/phone' to='" + std::string(to) +
               "'><pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='" +
               std::string(node) + "'>" + item + "</items></pubsub></iq>");
  return g.next_where([](const Element& e) { return e.name() == "iq"; });
}

const Element* only_item(const Element& reply, std::string_view ns = kPubsub) {
  const Element* pubsub = reply.child("pubsub", kPubsub);
  const Element* items = pubsub ? pubsub->child("items", kPubsub) : nullptr;
  if (!items || items->children().size() != 1) return nullptr;
  return items->child("item", ns);
}

// Alice's `resource` comes online at bob with caps `ver`; the gateway asks its disco#info,
// answered with `features`.
void online_with_caps(GatewayHarness& g, std::string_view resource, std::string_view ver,
                      std::vector<std::string_view> features) {
  g.h().inject("<presence from='alice@test/" + std::string(resource) +
               "' to='bob@gw.test'><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' "
               "node='https://client.example' ver='" +
               std::string(ver) + "'/></presence>");
  Element ask = g.next_where(
      [](const Element& e) { return e.name() == "iq" && e.child("query", kDiscoInfoNs); });
  CHECK(ask.attr_or("to") == "alice@test/" + std::string(resource));
  CHECK(ask.child("query", kDiscoInfoNs)->attr_or("node") ==
        "https://client.example#" + std::string(ver));
  std::string vars;
  for (auto f : features) vars += "<feature var='" + std::string(f) + "'/>";
  g.h().inject("<iq type='result' id='" + std::string(ask.attr_or("id")) + "' from='alice@test/" +
               std::string(resource) + "' to='gw.test'><query xmlns='" + std::string(kDiscoInfoNs) +
               "'>" + vars + "</query></iq>");
}

// The events (node → item) in the headline messages that came, all from bob to `to`.
std::map<std::string, Element> events(const std::vector<Element>& stanzas, std::string_view to) {
  std::map<std::string, Element> out;
  for (const Element& e : stanzas) {
    const Element* event = e.child("event", kEventNs);
    if (e.name() != "message" || !event) continue;
    CHECK(e.attr_or("type") == "headline");
    CHECK(e.attr_or("from") == kBob);
    CHECK(e.attr_or("to") == to);
    const Element* items = event->child("items", kEventNs);
    REQUIRE(items);
    REQUIRE(items->child("item", kEventNs));
    out.emplace(std::string(items->attr_or("node")), *items->child("item", kEventNs));
  }
  return out;
}

}  // namespace

TEST_CASE("contact PEP: metadata, data and nick items; a large PNG is scaled to 200 px") {
  auto script = two_contacts();
  GatewayHarness g(with_sessions(script));
  register_and_log_in(g);
  // No avatar yet: an empty metadata, no data; the nick (bob's nick before his name).
  const Element none_reply = items_of(g, kBob, kMetadataNs);
  const Element* none = only_item(none_reply);
  REQUIRE(none);
  CHECK(none->child("metadata", kMetadataNs)->children().empty());
  CHECK(is_error(items_of(g, kBob, kDataNs), ErrorCondition::item_not_found));
  const Element nick_reply = items_of(g, kBob, kNickNodeNs);
  const Element* nick = only_item(nick_reply);
  REQUIRE(nick);
  CHECK(nick->child_text("nick", kNickNodeNs) == "bobby");

  with_contact(g, *script, "bob", [](Contact& bob) { bob.set_avatar(make_png(400, 300)); });
  drain(g);
  const Element meta_reply = items_of(g, kBob, kMetadataNs);
  const Element* meta = only_item(meta_reply);
  REQUIRE(meta);
  const Element* info = meta->child("metadata", kMetadataNs)->child("info", kMetadataNs);
  REQUIRE(info);
  const std::string id(info->attr_or("id"));
  CHECK(meta->attr_or("id") == id);
  CHECK(info->attr_or("type") == "image/png");
  CHECK(info->attr_or("width") == "200");
  CHECK(info->attr_or("height") == "150");
  const Element data_reply = items_of(g, kBob, kDataNs, id);
  const Element* data = only_item(data_reply);
  REQUIRE(data);
  const auto bytes = base64_decode(data->child_text("data", kDataNs));
  REQUIRE(bytes);
  CHECK(sha1_hex(*bytes) == id);
  CHECK(info->attr_or("bytes") == std::to_string(bytes->size()));
  CHECK(png_size(*bytes) == std::pair<int, int>{200, 150});
  // The vCard (XEP-0153) carries the same image.
  g.h().inject(
      "<iq type='get' id='v1' from='alice@test/phone' to='bob@gw.test'>"
      "<vCard xmlns='vcard-temp'/></iq>");
  Element card = g.next_where([](const Element& e) { return e.name() == "iq"; });
  CHECK(card.child("vCard", "vcard-temp")
            ->child("PHOTO", "vcard-temp")
            ->child_text("BINVAL", "vcard-temp") == base64_encode(*bytes));

  CHECK(is_error(items_of(g, kBob, kDataNs, "0000"), ErrorCondition::item_not_found));
  CHECK(is_error(items_of(g, kBob, "urn:example:other"), ErrorCondition::item_not_found));
  // carol has no nick: her name.
  const Element carol = items_of(g, kCarol, kNickNodeNs);
  REQUIRE(only_item(carol));
  CHECK(only_item(carol)->child_text("nick", kNickNodeNs) == "Carol");
}

TEST_CASE("contact PEP: +notify clients get events at presence and on changes, others none") {
  auto script = two_contacts();
  GatewayHarness g(with_sessions(script));
  register_and_log_in(g);
  const std::string png = make_png(64, 64, 0xcc3333ff);
  with_contact(g, *script, "bob", [&](Contact& bob) { bob.set_avatar(png); });
  drain(g);

  // Not in the roster yet: nothing is pushed.
  online_with_caps(g, "phone", "v1",
                   {"urn:xmpp:avatar:metadata+notify", "http://jabber.org/protocol/nick+notify"});
  CHECK(events(g.h().settle(), kAlice).empty());

  g.h().inject("<presence type='subscribed' from='alice@test' to='bob@gw.test'/>");
  drain(g);
  g.h().inject(
      "<presence from='alice@test/phone' to='bob@gw.test'><c "
      "xmlns='http://jabber.org/protocol/caps' hash='sha-1' "
      "node='https://client.example' ver='v1'/></presence>");
  auto got = events(g.h().settle(), kAlice);  // the caps are known: no second disco#info
  REQUIRE(got.count(std::string(kMetadataNs)));
  CHECK(got.at(std::string(kMetadataNs)).attr_or("id") == sha1_hex(png));
  REQUIRE(got.count(std::string(kNickNodeNs)));
  CHECK(got.at(std::string(kNickNodeNs)).child_text("nick", kNickNodeNs) == "bobby");

  // A desk client without +notify: nothing for it.
  online_with_caps(g, "desk", "v2", {"urn:xmpp:avatar:metadata"});
  CHECK(events(g.h().settle(), "alice@test/desk").empty());

  // A new avatar: the phone is told (metadata only), the desk is not.
  const std::string second = make_png(32, 32, 0x33cc33ff);
  with_contact(g, *script, "bob", [&](Contact& bob) { bob.set_avatar(second); });
  std::vector<Element> after;
  for (Element& e : g.h().settle())
    if (e.name() == "message") after.push_back(std::move(e));
  got = events(after, kAlice);
  CHECK(got.size() == 1);
  REQUIRE(got.count(std::string(kMetadataNs)));
  CHECK(got.at(std::string(kMetadataNs)).attr_or("id") == sha1_hex(second));
  // A new nick: one nick event.
  with_contact(g, *script, "bob", [](Contact& bob) { bob.set_nick("robert"); });
  got = events(g.h().settle(), kAlice);
  CHECK(got.size() == 1);
  CHECK(got.at(std::string(kNickNodeNs)).child_text("nick", kNickNodeNs) == "robert");
  // The phone goes offline: no more events for it.
  g.h().inject("<presence type='unavailable' from='alice@test/phone' to='bob@gw.test'/>");
  drain(g);
  with_contact(g, *script, "bob", [](Contact& bob) { bob.set_nick("rob"); });
  CHECK(events(g.h().settle(), kAlice).empty());
}

TEST_CASE("contact PEP: avatars are stored once and collected when nobody uses them") {
  auto script = two_contacts();
  GatewayHarness g(with_sessions(script));
  register_and_log_in(g);
  const std::string red = make_png(20, 20, 0xff0000ff), blue = make_png(20, 20, 0x0000ffff);
  auto avatars = [&g] {
    std::int64_t n = 0;
    g.h().on_component_thread([&] {
      Statement& count = g.database().statement("SELECT count(*) FROM avatars");
      StatementScope scope(count);
      count.step();
      n = count.column_int(0);
    });
    return n;
  };
  with_contact(g, *script, "bob", [&](Contact& c) { c.set_avatar(red); });
  with_contact(g, *script, "carol", [&](Contact& c) { c.set_avatar(red); });
  CHECK(avatars() == 1);  // one image, two contacts
  with_contact(g, *script, "bob", [&](Contact& c) { c.set_avatar(blue); });
  CHECK(avatars() == 2);  // carol still has red
  with_contact(g, *script, "carol", [&](Contact& c) { c.set_avatar(blue); });
  CHECK(avatars() == 1);  // red is gone
  with_contact(g, *script, "bob", [&](Contact& c) { c.set_avatar(""); });
  CHECK(avatars() == 1);
  // Unsupported images are not used: the old avatar stays.
  with_contact(g, *script, "carol",
               [&](Contact& c) { c.set_avatar("not an image", "image/webp"); });
  std::string carol_hash;
  with_contact(g, *script, "carol", [&](Contact& c) { carol_hash = c.avatar_hash(); });
  CHECK(carol_hash == sha1_hex(blue));
  // Unregistering takes the user's avatars along.
  g.h().inject(
      "<iq type='set' id='bye' from='alice@test/phone' to='gw.test'>"
      "<query xmlns='jabber:iq:register'><remove/></query></iq>");
  g.next_where([](const Element& e) { return e.name() == "iq" && e.attr_or("id") == "bye"; });
  drain(g);
  CHECK(avatars() == 0);
}
