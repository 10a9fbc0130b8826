// Bookmarks at the stanza level: after login each room gets a XEP-0402 item through a
// privileged publish (autojoin, nick, no name, the publish-options of GROUPS §3), a bookmark
// the user already has is left alone, leaving for good retracts it; without the pubsub
// grant, each new room comes as a XEP-0249 invitation from the gateway.
#include <doctest/doctest.h>

#include "component/form.hpp"
#include "gateway/bookmarks.hpp"
#include "tests/stanza/privileges_fixture.hpp"

using namespace legate;
using namespace legate::test;

namespace {

GatewayOptions two_rooms(std::string grants) {
  auto script = two_contacts();
  script->rooms = {"lounge", "lobby"};
  GatewayOptions o = with_sessions(script);
  o.with_handshake = std::move(grants);
  return o;
}

const std::string kPubsubGrant = grant_message(
    "<perm access='iq'><namespace ns='http://jabber.org/protocol/pubsub' type='both'/></perm>");

void log_in(GatewayHarness& g) {
  REQUIRE(g.register_with(kAlice, "al", "pw").attr_or("type") == "result");
}

}  // namespace

TEST_CASE("bookmarks: published for each room the user lacks; theirs kept; retracted on leave") {
  GatewayHarness g(two_rooms(kPubsubGrant));
  log_in(g);
  auto [query, get] = next_pubsub(g, "get");
  REQUIRE(query.child("items", kPubsubNs));
  CHECK(query.child("items", kPubsubNs)->attr_or("node") == kBookmarksNode);
  // The user has the lobby already, autojoin off: it stays as they set it.
  answer_pubsub(g, get,
                "<pubsub xmlns='http://jabber.org/protocol/pubsub'><items "
                "node='urn:xmpp:bookmarks:1'><item id='lobby@gw.test'><conference "
                "xmlns='urn:xmpp:bookmarks:1' autojoin='false'/></item></items></pubsub>");
  auto [publish, set] = next_pubsub(g, "set");
  const Element* p = publish.child("publish", kPubsubNs);
  REQUIRE(p);
  CHECK(p->attr_or("node") == kBookmarksNode);
  const Element* item = p->child("item", kPubsubNs);
  REQUIRE(item);
  CHECK(item->attr_or("id") == "lounge@gw.test");
  const Element* conference = item->child("conference", kBookmarksNode);
  REQUIRE(conference);
  CHECK(conference->attr_or("autojoin") == "true");
  CHECK_FALSE(conference->attr("name"));  // renames must show
  CHECK(conference->child_text("nick", kBookmarksNode) == "alice");
  const Element* options = publish.child("publish-options", kPubsubNs);
  REQUIRE(options);
  const Form form = Form::parse(*options->child("x", Form::kNs));
  CHECK(form.value("pubsub#persist_items") == "true");
  CHECK(form.value("pubsub#max_items") == "max");
  CHECK(form.value("pubsub#send_last_published_item") == "never");
  CHECK(form.value("pubsub#access_model") == "whitelist");
  answer_pubsub(g, set, "");
  g.h().expect_nothing();  // nothing for the lobby

  g.h().inject(
      "<iq type='set' id='r1' from='alice@test/phone' to='lounge@gw.test'>"
      "<query xmlns='jabber:iq:register'><remove/></query></iq>");
  auto [retract, unset] = next_pubsub(g, "set");
  REQUIRE(retract.child("retract", kPubsubNs));
  CHECK(retract.child("retract", kPubsubNs)->child("item", kPubsubNs)->attr_or("id") ==
        "lounge@gw.test");
  answer_pubsub(g, unset, "");
}

TEST_CASE("bookmarks: without the pubsub grant, an invitation per new room") {
  GatewayHarness g(two_rooms(""));
  log_in(g);
  std::set<std::string> invited;
  for (int i = 0; i < 2; ++i) {
    Element invite = g.next_where([](const Element& e) {
      return e.name() == "message" && e.child("x", "jabber:x:conference");
    });
    CHECK(invite.attr_or("from") == "gw.test");
    CHECK(invite.attr_or("to") == "alice@test");
    invited.insert(std::string(invite.child("x", "jabber:x:conference")->attr_or("jid")));
  }
  CHECK(invited == std::set<std::string>{"lounge@gw.test", "lobby@gw.test"});
}
