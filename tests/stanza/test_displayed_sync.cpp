// Read markers across devices (XEP-0490 MDS) at the stanza level: the node set up at login
// through privileged pubsub (XEP-0490's configuration, an existing node is fine, the gateway
// made a member), the gateway's caps naming the node's +notify, the user's displayed items
// for rooms reaching on_displayed with the legacy id (and what is not theirs ignored), what
// the user read in the legacy app published, its echo not taken back, refused options
// retried with the access model alone; without the owner grant nothing at all.
#include <doctest/doctest.h>

#include "component/caps.hpp"
#include "component/form.hpp"
#include "gateway/displayed_sync.hpp"
#include "legacy/rooms.hpp"
#include "tests/stanza/privileges_fixture.hpp"

using namespace legate;
using namespace legate::test;

namespace {

const std::string kPubsubOnly = grant_message(
    "<perm access='iq'><namespace ns='http://jabber.org/protocol/pubsub' type='both'/></perm>");
// As Prosody sends it: the namespaces nested (GROUPS §4).
const std::string kMdsGrant = grant_message(
    "<perm access='iq'><namespace ns='http://jabber.org/protocol/pubsub' type='both'>"
    "<namespace ns='http://jabber.org/protocol/pubsub#owner' type='set'/></namespace></perm>");

struct Lounge {
  std::shared_ptr<SessionScript> script;
  GatewayHarness g;

  explicit Lounge(std::string grants) : script(two_contacts()), g(options(script, grants)) {
    REQUIRE(g.register_with(kAlice, "al", "pw").attr_or("type") == "result");
  }
  static GatewayOptions options(std::shared_ptr<SessionScript>& script, std::string grants) {
    script->rooms = {"lounge"};
    GatewayOptions o = with_sessions(script);
    o.with_handshake = std::move(grants);
    return o;
  }
  Room& room() { return script->session(kAlice).rooms().by_legacy_id("lounge"); }
  // bob says something in the lounge with this legacy id; its stanza-id.
  std::string bob_says(std::string legacy_id) {
    std::string sid;
    g.h().on_component_thread([&] {
      sid = room().participant("bob").send_text("hello", {.legacy_id = std::move(legacy_id)});
    });
    return sid;
  }
  // The server's MDS event for the user's item `item_id`, from `from`.
  void event(std::string_view item_id, std::string_view by, std::string_view sid,
             std::string_view from = kAliceBare) {
    g.h().inject("<message type='headline' from='" + std::string(from) +
                 "' to='gw.test'><event xmlns='http://jabber.org/protocol/pubsub#event'>"
                 "<items node='urn:xmpp:mds:displayed:0'><item id='" +
                 std::string(item_id) + "'><displayed xmlns='urn:xmpp:mds:displayed:0'>" +
                 "<stanza-id xmlns='urn:xmpp:sid:0' by='" + std::string(by) + "' id='" +
                 std::string(sid) + "'/></displayed></item></items></event></message>");
  }
};

// The next privileged iq whose <pubsub xmlns=ns/> has a `what` child: (that child, the outer
// iq to answer). Other stanzas on the way are skipped.
std::pair<Element, Element> next_privileged(GatewayHarness& g, std::string_view ns,
                                            std::string_view what) {
  auto payload = [ns, what](const Element& outer) -> const Element* {
    const Element* wrapper = outer.child("privileged_iq", kPrivilegeNs);
    const Element* inner = wrapper ? wrapper->child("iq", kClientNs) : nullptr;
    const Element* pubsub = inner ? inner->child("pubsub", ns) : nullptr;
    return pubsub ? pubsub->child(what, ns) : nullptr;
  };
  Element outer = g.next_where([&](const Element& e) { return e.name() == "iq" && payload(e); });
  CHECK(outer.attr_or("to") == kAliceBare);
  return {*payload(outer), outer};
}

void answer_error(GatewayHarness& g, const Element& outer, std::string_view condition) {
  answer_pubsub(g, outer,
                "<error type='cancel'><" + std::string(condition) +
                    " xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>",
                "error");
}

// The node set up: created (answered `create_answer`: "" or an error condition), then the
// gateway made a member.
void set_up(Lounge& f, std::string_view create_error = "conflict") {
  auto [create, outer] = next_privileged(f.g, kPubsubNs, "create");
  CHECK(create.attr_or("node") == kMdsNode);
  if (create_error.empty())
    answer_pubsub(f.g, outer, "");
  else
    answer_error(f.g, outer, create_error);
  auto [affiliations, set] = next_privileged(f.g, kPubsubOwnerNs, "affiliations");
  CHECK(affiliations.attr_or("node") == kMdsNode);
  const Element* member = affiliations.child("affiliation", kPubsubOwnerNs);
  REQUIRE(member);
  CHECK(member->attr_or("jid") == "gw.test");
  CHECK(member->attr_or("affiliation") == "member");
  answer_pubsub(f.g, set, "");
}

}  // namespace

TEST_CASE("read markers: at login the node is made per XEP-0490 and the gateway a member") {
  Lounge f(kMdsGrant);
  auto [create, outer] = next_privileged(f.g, kPubsubNs, "create");
  CHECK(create.attr_or("node") == kMdsNode);
  const Element* configure = outer.child("privileged_iq", kPrivilegeNs)
                                 ->child("iq", kClientNs)
                                 ->child("pubsub", kPubsubNs)
                                 ->child("configure", kPubsubNs);
  REQUIRE(configure);
  const Form config = Form::parse(*configure->child("x", Form::kNs));
  CHECK(config.value("FORM_TYPE") == kNodeConfigForm);
  CHECK(config.value("pubsub#access_model") == "whitelist");
  CHECK(config.value("pubsub#persist_items") == "true");
  CHECK(config.value("pubsub#max_items") == "max");
  CHECK(config.value("pubsub#send_last_published_item") == "never");
  answer_error(f.g, outer, "conflict");  // already there: the gateway goes on
  auto [affiliations, set] = next_privileged(f.g, kPubsubOwnerNs, "affiliations");
  CHECK(affiliations.child("affiliation", kPubsubOwnerNs)->attr_or("affiliation") == "member");
  answer_pubsub(f.g, set, "");

  SUBCASE("the gateway's caps name the node's +notify") {
    f.g.h().inject("<presence from='alice@test/phone' to='gw.test'/>");
    Element presence = f.g.next_where([](const Element& e) {
      return e.name() == "presence" && e.attr_or("from") == "gw.test" && e.child("c", kCapsNs);
    });
    const Element* c = presence.child("c", kCapsNs);
    CHECK(c->attr_or("node") == kCapsNode);
    const std::string node = std::string(kCapsNode) + "#" + std::string(c->attr_or("ver"));
    f.g.h().inject(
        "<iq type='get' id='d1' from='alice@test' to='gw.test'><query "
        "xmlns='http://jabber.org/protocol/disco#info' node='" +
        node + "'/></iq>");
    Element info = f.g.next_where([](const Element& e) { return e.attr_or("id") == "d1"; });
    REQUIRE(info.attr_or("type") == "result");
    const Element* query = info.child("query", kDiscoInfoNs);
    CHECK(query->attr_or("node") == node);
    std::vector<std::string> features;
    std::vector<Identity> identities;
    for (const auto& e : query->children()) {
      if (e.is("feature", kDiscoInfoNs)) features.emplace_back(e.attr_or("var"));
      if (e.is("identity", kDiscoInfoNs))
        identities.push_back({std::string(e.attr_or("category")), std::string(e.attr_or("type")),
                              std::string(e.attr_or("name"))});
    }
    CHECK(std::find(features.begin(), features.end(), "urn:xmpp:mds:displayed:0+notify") !=
          features.end());
    CHECK(caps_ver(identities, features) == c->attr_or("ver"));  // XEP-0115 §5.4 would check
    f.g.h().inject(
        "<iq type='get' id='d2' from='alice@test' to='gw.test'><query "
        "xmlns='http://jabber.org/protocol/disco#info' node='" +
        std::string(kCapsNode) + "#stale'/></iq>");
    Element stale = f.g.next_where([](const Element& e) { return e.attr_or("id") == "d2"; });
    CHECK(stale.attr_or("type") == "error");
  }
}

TEST_CASE("read markers: the user's displayed items for a room reach on_displayed") {
  Lounge f(kMdsGrant);
  set_up(f, "");
  const std::string sid = f.bob_says("B7");
  // Not theirs, or not for a room: ignored.
  f.event("lounge@gw.test", "lounge@gw.test", sid, "alice@test/phone");  // from a resource
  f.event("lounge@gw.test", "alice@test", sid);                          // another archive's id
  f.event("lounge@gw.test", "lounge@gw.test", "unknown-id");
  f.event("bob@gw.test", "alice@test", sid);  // a 1:1 chat: the user's server's ids
  f.event("lounge@other.test", "lounge@other.test", sid);
  f.event("nowhere@gw.test", "nowhere@gw.test", sid);
  const std::string later = f.bob_says("B8");
  f.event("lounge@gw.test", "lounge@gw.test", later);
  CHECK(f.script->wait_for(f.g.h(), "room_displayed").legacy_id == "B8");
  f.event("lounge@gw.test", "lounge@gw.test", sid);
  CHECK(f.script->wait_for(f.g.h(), "room_displayed", 2).legacy_id == "B7");
  f.g.h().settle();
  CHECK(f.script->count(f.g.h(), "room_displayed") == 2);
}

TEST_CASE("read markers: a read in the legacy app is published, and its echo not taken back") {
  Lounge f(kMdsGrant);
  set_up(f);
  const std::string sid = f.bob_says("B7");
  f.g.h().on_component_thread([&] { f.room().user().displayed("B7"); });
  auto [publish, outer] = next_privileged(f.g, kPubsubNs, "publish");
  CHECK(publish.attr_or("node") == kMdsNode);
  const Element* item = publish.child("item", kPubsubNs);
  REQUIRE(item);
  CHECK(item->attr_or("id") == "lounge@gw.test");
  const Element* stanza_id =
      item->child("displayed", kMdsNode)
          ? item->child("displayed", kMdsNode)->child("stanza-id", kStanzaIdNs)
          : nullptr;
  REQUIRE(stanza_id);
  CHECK(stanza_id->attr_or("by") == "lounge@gw.test");
  CHECK(stanza_id->attr_or("id") == sid);
  const Element* options = outer.child("privileged_iq", kPrivilegeNs)
                               ->child("iq", kClientNs)
                               ->child("pubsub", kPubsubNs)
                               ->child("publish-options", kPubsubNs);
  REQUIRE(options);
  CHECK(Form::parse(*options->child("x", Form::kNs)).value("pubsub#access_model") == "whitelist");

  SUBCASE("the server's event of it is not a read from XMPP") {
    answer_pubsub(f.g, outer, "");
    f.event("lounge@gw.test", "lounge@gw.test", sid);
    const std::string later = f.bob_says("B8");
    f.event("lounge@gw.test", "lounge@gw.test", later);
    CHECK(f.script->wait_for(f.g.h(), "room_displayed").legacy_id == "B8");
    f.g.h().settle();
    CHECK(f.script->count(f.g.h(), "room_displayed") == 1);
  }
  SUBCASE("options the server does not know: again with the access model alone") {
    answer_error(f.g, outer, "resource-constraint");
    auto [again, second] = next_privileged(f.g, kPubsubNs, "publish");
    const Form form = Form::parse(*second.child("privileged_iq", kPrivilegeNs)
                                       ->child("iq", kClientNs)
                                       ->child("pubsub", kPubsubNs)
                                       ->child("publish-options", kPubsubNs)
                                       ->child("x", Form::kNs));
    CHECK(form.value("pubsub#access_model") == "whitelist");
    CHECK(form.value("pubsub#max_items").empty());
    CHECK(again.child("item", kPubsubNs)->attr_or("id") == "lounge@gw.test");
    answer_pubsub(f.g, second, "");
  }
}

TEST_CASE("read markers: without the pubsub#owner grant nothing is set up or published") {
  Lounge f(kPubsubOnly);
  // Everything of the login: the bookmarks' query (granted), no node creation.
  std::vector<Element> sent = f.g.h().settle();
  const Element* bookmarks = nullptr;
  for (const auto& e : sent) {
    const Element* wrapper = e.child("privileged_iq", kPrivilegeNs);
    const Element* inner = wrapper ? wrapper->child("iq", kClientNs) : nullptr;
    const Element* pubsub = inner ? inner->child("pubsub", kPubsubNs) : nullptr;
    if (!pubsub) continue;
    CHECK_FALSE(pubsub->child("create", kPubsubNs));
    if (pubsub->child("items", kPubsubNs)) bookmarks = &e;
  }
  REQUIRE(bookmarks);
  answer_pubsub(f.g, *bookmarks, "");
  auto [bookmark, set] = next_privileged(f.g, kPubsubNs, "publish");
  CHECK(bookmark.attr_or("node") == "urn:xmpp:bookmarks:1");
  answer_pubsub(f.g, set, "");
  f.bob_says("B7");
  f.g.h().on_component_thread([&] { f.room().user().displayed("B7"); });
  f.g.h().expect_nothing();
}
