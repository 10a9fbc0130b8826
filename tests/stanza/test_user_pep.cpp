// The user's PEP through privileged iqs (UserPep): item queries (a missing node is no items),
// publishing with publish-options, retracting; refused without the pubsub grant.
#include <doctest/doctest.h>

#include "component/form.hpp"
#include "tests/stanza/privileges_fixture.hpp"

using namespace legate;
using namespace legate::test;

namespace {

constexpr std::string_view kNode = "urn:xmpp:bookmarks:1";

struct PepGateway {
  GatewayHarness g;
  explicit PepGateway(std::string grants) : g(options(std::move(grants))) {}
  static GatewayOptions options(std::string grants) {
    GatewayOptions o = with_sessions(two_contacts());
    o.with_handshake = std::move(grants);
    return o;
  }
  UserPep& pep() { return sessions_of(g).pep(); }
};

const std::string kPubsubGrant = grant_message(
    "<perm access='iq'><namespace ns='http://jabber.org/protocol/pubsub' type='both'/></perm>");

}  // namespace

TEST_CASE("user PEP: items of a node, and none for a missing node") {
  PepGateway f(kPubsubGrant);
  auto got = run_on_component<std::vector<Element>>(
      f.g, [&f] { return f.pep().items(Jid("alice@test"), std::string(kNode)); });
  auto [query, outer] = next_pubsub(f.g, "get");
  REQUIRE(query.child("items", kPubsubNs));
  CHECK(query.child("items", kPubsubNs)->attr_or("node") == kNode);
  answer_pubsub(
      f.g, outer,
      "<pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='urn:xmpp:bookmarks:1'>"
      "<item id='a@muc'/><item id='b@muc'/></items></pubsub>");
  REQUIRE(got.wait_for(5s) == std::future_status::ready);
  const auto items = got.get();
  REQUIRE(items.size() == 2);
  CHECK(items[1].attr_or("id") == "b@muc");

  auto none = run_on_component<std::vector<Element>>(
      f.g, [&f] { return f.pep().items(Jid("alice@test"), "urn:xmpp:mds:displayed:0"); });
  auto [query2, outer2] = next_pubsub(f.g, "get");
  answer_pubsub(f.g, outer2,
                "<error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
                "</error>",
                "error");
  REQUIRE(none.wait_for(5s) == std::future_status::ready);
  CHECK(none.get().empty());
}

TEST_CASE("user PEP: publish with publish-options, retract; other errors are thrown") {
  PepGateway f(kPubsubGrant);
  Element item("item", std::string(kPubsubNs));
  item.set_attr("id", "room@muc.example");
  item.add_child("conference", "urn:xmpp:bookmarks:1").set_attr("autojoin", "true");
  // Built outside the coroutine: g++ 12 rejects an initializer list inside one.
  const UserPep::Options wanted{{"pubsub#persist_items", "true"},
                                {"pubsub#access_model", "whitelist"}};
  auto published = run_on_component<bool>(f.g, [&f, item, wanted]() -> asio::awaitable<bool> {
    co_await f.pep().publish(Jid("alice@test"), std::string(kNode), item, wanted);
    co_return true;
  });
  auto [publish, outer] = next_pubsub(f.g, "set");
  const Element* node = publish.child("publish", kPubsubNs);
  REQUIRE(node);
  CHECK(node->attr_or("node") == kNode);
  REQUIRE(node->child("item", kPubsubNs));
  CHECK(node->child("item", kPubsubNs)->attr_or("id") == "room@muc.example");
  const Element* options = publish.child("publish-options", kPubsubNs);
  REQUIRE(options);
  const Form form = Form::parse(*options->child("x", "jabber:x:data"));
  CHECK(form.value("FORM_TYPE") == kPublishOptionsForm);
  CHECK(form.value("pubsub#access_model") == "whitelist");
  CHECK(form.value("pubsub#persist_items") == "true");
  answer_pubsub(f.g, outer, "");
  REQUIRE(published.wait_for(5s) == std::future_status::ready);
  CHECK(published.get());

  auto retracted = run_on_component<bool>(f.g, [&f]() -> asio::awaitable<bool> {
    co_await f.pep().retract(Jid("alice@test"), std::string(kNode), "room@muc.example");
    co_return true;
  });
  auto [retract, outer2] = next_pubsub(f.g, "set");
  REQUIRE(retract.child("retract", kPubsubNs));
  CHECK(retract.child("retract", kPubsubNs)->attr_or("notify") == "true");
  CHECK(retract.child("retract", kPubsubNs)->child("item", kPubsubNs)->attr_or("id") ==
        "room@muc.example");
  answer_pubsub(
      f.g, outer2,
      "<error type='auth'><forbidden xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>",
      "error");
  CHECK(failure_of(retracted) == ErrorCondition::forbidden);
}

TEST_CASE("user PEP: without the pubsub grant nothing is sent") {
  PepGateway f(grant_message("<perm access='roster' type='set'/>"));
  auto got = run_on_component<std::vector<Element>>(
      f.g, [&f] { return f.pep().items(Jid("alice@test"), std::string(kNode)); });
  CHECK(failure_of(got) == ErrorCondition::forbidden);
  f.g.h().expect_nothing();
}
