// XEP-0356 at the stanza level: the grants a server sends (privilege:2 and :1, nested iq
// namespaces, changed at each handshake), privileged iqs (shapes, inner results and errors,
// outer errors, timeouts, refusals without a grant), the roster read at login and refused
// roster pushes.
#include <doctest/doctest.h>

#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include "storage/contact_store.hpp"
#include "tests/stanza/privileges_fixture.hpp"

using namespace legate;
using namespace legate::test;

namespace {

Privileges parsed(std::string_view xml) {
  auto grants = parse_privileges(parse_element(xml));
  REQUIRE(grants);
  return *grants;
}

// What a granted gateway's privileged iqs may use, in Prosody 0.12's nested form.
std::string pubsub_grant() {
  return grant_message(
      "<perm access='iq'><namespace ns='http://jabber.org/protocol/pubsub' type='both'>"
      "<namespace ns='http://jabber.org/protocol/pubsub#owner' type='set'/></namespace></perm>");
}

Element items_query() {
  Element iq = make_iq(IqType::get, "", "", "");
  iq.remove_attr("from");
  iq.add_child("pubsub", std::string(kPubsubNs))
      .add_child("items", std::string(kPubsubNs))
      .set_attr("node", "urn:xmpp:bookmarks:1");
  return iq;
}

std::future<Element> ask(GatewayHarness& g, Element inner,
                         std::chrono::milliseconds timeout = PrivilegedIq::kDefaultTimeout) {
  return run_on_component<Element>(g, [&g, inner, timeout]() {
    return sessions_of(g).privileged_iq()(Jid("alice@test"), inner, timeout);
  });
}

// The outer iq of a privileged iq the gateway sent, checked; returns the inner one.
Element inner_of(const Element& outer, std::string_view type) {
  CHECK(outer.attr_or("type") == type);
  CHECK(outer.attr_or("from") == "gw.test");
  CHECK(outer.attr_or("to") == kAliceBare);
  const Element* wrapper = outer.child("privileged_iq", kPrivilegeNs);
  REQUIRE(wrapper);
  REQUIRE(wrapper->children().size() == 1);
  const Element* inner = wrapper->child("iq", kClientNs);
  REQUIRE(inner);
  CHECK(inner->attr_or("type") == type);
  CHECK(inner->attr_or("to") == kAliceBare);
  CHECK_FALSE(inner->attr("from"));
  CHECK_FALSE(inner->attr_or("id").empty());
  return *inner;
}

// The server's outer result carrying `inner_reply` (an iq in jabber:client).
std::string outer_result(const Element& outer, std::string_view inner_reply) {
  return "<iq type='result' from='alice@test' to='gw.test' id='" +
         std::string(outer.attr_or("id")) +
         "'><privilege xmlns='urn:xmpp:privilege:2'><forwarded xmlns='urn:xmpp:forward:0'>" +
         std::string(inner_reply) + "</forwarded></privilege></iq>";
}

// Gateway options on a database kept in `dir` across harnesses (a restart).
GatewayOptions on_database(std::shared_ptr<SessionScript> script, const TempDir& dir) {
  GatewayOptions options = with_sessions(std::move(script));
  options.database = dir.path() / "gateway.sqlite";
  return options;
}

Element next_iq(GatewayHarness& g) {
  return g.next_where([](const Element& e) { return e.name() == "iq"; });
}

}  // namespace

TEST_CASE("privileges: every permission of privilege:2, in any order, iq namespaces nested") {
  const Privileges grants = parsed(
      "<message from='test' to='gw.test'><privilege xmlns='urn:xmpp:privilege:2'>"
      "<perm access='iq'><namespace ns='http://jabber.org/protocol/pubsub' type='both'>"
      "<namespace ns='http://jabber.org/protocol/pubsub#owner' type='set'/></namespace></perm>"
      "<perm access='presence' type='roster'/><perm access='message' type='outgoing'/>"
      "<perm access='roster' type='get'/></privilege></message>");
  CHECK(grants.ns == kPrivilegeNs);
  CHECK(grants.can_get_roster());
  CHECK_FALSE(grants.can_set_roster());
  CHECK(grants.can_send_messages());
  CHECK(grants.presence == "roster");
  CHECK(grants.can_iq(IqType::get, kPubsubNs));
  CHECK(grants.can_iq(IqType::set, kPubsubNs));
  CHECK(grants.can_iq(IqType::set, kPubsubOwnerNs));
  CHECK_FALSE(grants.can_iq(IqType::get, kPubsubOwnerNs));
  CHECK_FALSE(grants.can_iq(IqType::get, "jabber:iq:private"));
  CHECK(grants.describe() ==
        "roster get, message outgoing, presence roster, iq pubsub both, iq pubsub#owner set "
        "(privilege:2)");

  SUBCASE("siblings, as the XEP writes them") {
    const Privileges flat = parsed(grant_message(
        "<perm access='iq'><namespace ns='urn:a' type='get'/><namespace ns='urn:b' "
        "type='bogus'/><namespace type='set'/><namespace ns='urn:c' type='set'/></perm>"));
    REQUIRE(flat.iq.size() == 2);  // a bad type or a missing ns grants nothing
    CHECK(flat.can_iq(IqType::get, "urn:a"));
    CHECK(flat.can_iq(IqType::set, "urn:c"));
  }
  SUBCASE("none is nothing") {
    const Privileges none = parsed(
        grant_message("<perm access='roster' type='none'/><perm access='message' type='none'/>"));
    CHECK(none.roster.empty());
    CHECK_FALSE(none.can_send_messages());
    CHECK(none.describe() == "nothing (privilege:2)");
  }
}

TEST_CASE("privileges: privilege:1 grants (ejabberd up to 24.07) are read too") {
  const Privileges v1 = parsed(
      grant_message("<perm access='roster' type='both'/><perm access='message' type='outgoing'/>"
                    "<perm access='presence' type='managed_entity'/>",
                    "urn:xmpp:privilege:1"));
  CHECK(v1.ns == kPrivilegeV1Ns);
  CHECK(v1.can_set_roster());
  CHECK(v1.can_send_messages());
  CHECK(v1.describe() == "roster both, message outgoing, presence managed_entity (privilege:1)");
  // Perms of the other version's namespace are not this grant's.
  const Privileges mixed = parsed(
      "<message><privilege xmlns='urn:xmpp:privilege:1'><perm xmlns='urn:xmpp:privilege:2' "
      "access='roster' type='both'/></privilege></message>");
  CHECK(mixed.roster.empty());
  CHECK_FALSE(parse_privileges(parse_element("<message><body>hi</body></message>")));
}

TEST_CASE("privileges: grants change at each handshake; a new stream starts without any") {
  GatewayHarness g(with_sessions(two_contacts()));
  auto grants_of_test = [&g] {
    std::optional<Privileges> found;
    g.h().on_component_thread([&] {
      if (auto* p = sessions_of(g).grants().of(Jid("alice@test"))) found = *p;
    });
    return found;
  };
  g.h().inject(grant_message("<perm access='roster' type='both'/>"));
  drain(g);
  REQUIRE(grants_of_test());
  CHECK(grants_of_test()->can_set_roster());

  // The server sends them with its handshake reply, before anything else.
  g.h().server().send_with_handshake(grant_message("<perm access='message' type='outgoing'/>"));
  g.h().server().drop_connection();
  REQUIRE_MESSAGE(g.h().server().accept_component(10s), g.h().server().reason());
  drain(g);
  REQUIRE(grants_of_test());
  CHECK_FALSE(grants_of_test()->can_set_roster());
  CHECK(grants_of_test()->can_send_messages());

  g.h().server().send_with_handshake("");
  g.h().server().drop_connection();
  REQUIRE_MESSAGE(g.h().server().accept_component(10s), g.h().server().reason());
  drain(g);
  CHECK_FALSE(grants_of_test());
}

TEST_CASE("privileged iq: the wrapped shapes, and the inner result") {
  GatewayHarness g(with_sessions(two_contacts()));
  g.h().inject(pubsub_grant());
  drain(g);
  auto answer = ask(g, items_query());
  const Element outer = next_iq(g);
  const Element inner = inner_of(outer, "get");
  REQUIRE(inner.child("pubsub", kPubsubNs));
  CHECK(inner.child("pubsub", kPubsubNs)->child("items", kPubsubNs)->attr_or("node") ==
        "urn:xmpp:bookmarks:1");
  g.h().inject(outer_result(
      outer, "<iq xmlns='jabber:client' type='result' from='alice@test' to='gw.test' id='" +
                 std::string(inner.attr_or("id")) +
                 "'><pubsub xmlns='http://jabber.org/protocol/pubsub'><items "
                 "node='urn:xmpp:bookmarks:1'><item id='room@muc'/></items></pubsub></iq>"));
  REQUIRE(answer.wait_for(5s) == std::future_status::ready);
  const Element result = answer.get();
  const Element* items = result.child("pubsub", kPubsubNs)->child("items", kPubsubNs);
  REQUIRE(items);
  CHECK(items->child("item", kPubsubNs)->attr_or("id") == "room@muc");
}

TEST_CASE("privileged iq: errors inside and outside, timeouts, and no grant") {
  GatewayHarness g(with_sessions(two_contacts()));
  g.h().inject(pubsub_grant());
  drain(g);

  SUBCASE("an inner error arrives inside an outer result") {
    auto answer = ask(g, items_query());
    const Element outer = next_iq(g);
    g.h().inject(outer_result(
        outer,
        "<iq xmlns='jabber:client' type='error' from='alice@test' to='gw.test' id='x'>"
        "<error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
        "</error></iq>"));
    CHECK(failure_of(answer) == ErrorCondition::item_not_found);
  }
  SUBCASE("an outer error: a permission or shape problem") {
    auto answer = ask(g, items_query());
    const Element outer = next_iq(g);
    g.h().inject("<iq type='error' from='alice@test' to='gw.test' id='" +
                 std::string(outer.attr_or("id")) +
                 "'><error type='auth'><forbidden xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
                 "</error></iq>");
    CHECK(failure_of(answer) == ErrorCondition::forbidden);
  }
  SUBCASE("a result without the forwarded iq") {
    auto answer = ask(g, items_query());
    const Element outer = next_iq(g);
    g.h().inject("<iq type='result' from='alice@test' to='gw.test' id='" +
                 std::string(outer.attr_or("id")) + "'/>");
    CHECK(failure_of(answer) == ErrorCondition::undefined_condition);
  }
  SUBCASE("no answer in time") {
    auto answer = ask(g, items_query(), 200ms);
    next_iq(g);
    CHECK(failure_of(answer) == ErrorCondition::remote_server_timeout);
  }
  SUBCASE("a namespace or a type the server did not grant: refused, nothing sent") {
    Element get_owner = make_iq(IqType::get, "", "", "");
    get_owner.add_child("pubsub", std::string(kPubsubOwnerNs));  // pubsub#owner: set only
    auto owner = ask(g, get_owner);
    CHECK(failure_of(owner) == ErrorCondition::forbidden);
    Element private_xml = make_iq(IqType::set, "", "", "");
    private_xml.add_child("query", "jabber:iq:private");
    auto other = ask(g, private_xml);
    CHECK(failure_of(other) == ErrorCondition::forbidden);
    g.h().expect_nothing();
  }
  SUBCASE("not a get or a set, or not one payload") {
    Element result = make_iq(IqType::result, "", "", "");
    result.add_child("pubsub", std::string(kPubsubNs));
    auto bad_type = ask(g, result);
    CHECK(failure_of(bad_type) == ErrorCondition::bad_request);
    Element two = items_query();
    two.add_child("pubsub", std::string(kPubsubNs));
    auto bad_payload = ask(g, two);
    CHECK(failure_of(bad_payload) == ErrorCondition::bad_request);
    g.h().expect_nothing();
  }
}

TEST_CASE(
    "privileges: with roster get, the login reads the roster and leaves out what the "
    "user removed") {
  auto script = two_contacts();
  TempDir keep;
  {
    GatewayHarness g(on_database(script, keep));
    g.h().inject(grant_message("<perm access='roster' type='both'/>"));
    REQUIRE(g.register_with(kAlice, "al", "pw").attr_or("type") == "result");
    answer_roster_get(g, {});  // a new user: nothing of the gateway's yet
    for (auto jid : {kBob, kCarol}) {
      Element push = g.next_where(
          [](const Element& e) { return e.name() == "iq" && e.attr_or("type") == "set"; });
      CHECK(push.child("query", kRosterNs)->child("item", kRosterNs)->attr_or("jid") == jid);
    }
  }
  // While the gateway was down, the user took bob out of their roster.
  GatewayOptions options = on_database(script, keep);
  options.with_handshake = grant_message("<perm access='roster' type='both'/>");
  GatewayHarness g(options);
  answer_roster_get(g, {std::string(kCarol)});  // sent after the login
  for (const Element& e : g.h().settle()) {
    const Element* query = e.child("query", kRosterNs);
    CHECK_MESSAGE(!(e.name() == "iq" && query), "pushed again: " << e.str());
    CHECK_FALSE(is_presence(e, "subscribe"));
  }
  ContactStore contacts(g.database());
  auto bob = contacts.by_legacy_id(1, "bob");
  REQUIRE(bob);
  CHECK(bob->removed_by_user);
  CHECK_FALSE(bob->in_roster);
  CHECK(contacts.by_legacy_id(1, "carol")->in_roster);
}

TEST_CASE("privileges: a contact the user unsubscribed from is not asked for again at login") {
  auto script = two_contacts();
  TempDir keep;
  {
    GatewayHarness g(on_database(script, keep));
    register_and_log_in(g);
    g.h().inject("<presence type='unsubscribed' from='alice@test' to='bob@gw.test'/>");
    drain(g);
  }
  GatewayHarness g(on_database(script, keep));
  g.next_where([](const Element& e) { return is_gateway_status(e, kLoginText); });
  bool asked_carol = false;
  for (const Element& e : g.h().settle()) {
    CHECK_FALSE((is_presence(e, "subscribe") && e.attr_or("from") == kBob));
    asked_carol = asked_carol || (is_presence(e, "subscribe") && e.attr_or("from") == kCarol);
  }
  CHECK(asked_carol);  // never answered: asked again
}

// ejabberd 23.01 grants roster set and then answers every push internal-server-error: each
// refused contact is asked by subscription instead, and the user's later contacts too.
TEST_CASE("privileges: a refused roster push falls back to a subscription request, logged once") {
  auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(64);
  spdlog::default_logger()->sinks().push_back(sink);
  {
    GatewayHarness g(with_sessions(two_contacts()));
    g.h().inject(grant_message("<perm access='roster' type='both'/>", "urn:xmpp:privilege:1"));
    REQUIRE(g.register_with(kAlice, "al", "pw").attr_or("type") == "result");
    answer_roster_get(g, {});
    std::vector<Element> pushes;  // both go out before any reply
    for (int i = 0; i < 2; ++i)
      pushes.push_back(g.next_where(
          [](const Element& e) { return e.name() == "iq" && e.attr_or("type") == "set"; }));
    for (const Element& push : pushes)
      g.h().inject("<iq type='error' from='alice@test' to='gw.test' id='" +
                   std::string(push.attr_or("id")) +
                   "'><error type='wait'><internal-server-error "
                   "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>");
    std::vector<std::string> asked;
    for (int i = 0; i < 2; ++i) {
      Element ask = g.next_where([](const Element& e) { return is_presence(e, "subscribe"); });
      CHECK(ask.attr_or("to") == kAliceBare);
      asked.emplace_back(ask.attr_or("from"));
    }
    CHECK(asked == std::vector<std::string>{std::string(kBob), std::string(kCarol)});
    CHECK(sessions_of(g).roster().mode(Jid::parse(kAliceBare).value()) == RosterMode::subscribe);
    drain(g);
  }
  spdlog::default_logger()->sinks().pop_back();
  int refusals = 0;
  for (const auto& msg : sink->last_raw())
    if (std::string_view(msg.payload.data(), msg.payload.size()).find("refused a roster push") !=
        std::string_view::npos) {
      ++refusals;
      CHECK(msg.level == spdlog::level::warn);
    }
  CHECK(refusals == 1);
}

// ejabberd 23.01 (privilege:1) routes a privileged message straight to its recipient: no
// carbon, no archive. The gateway asks the server's version and stops using the permission.
TEST_CASE("privileges: a privilege:1 message grant from ejabberd is found unusable") {
  struct Server {
    std::string_view name, version;
    bool usable;
  };
  for (const Server server : {Server{"ejabberd", "23.01", false}, Server{"ejabberd", "x", false},
                              Server{"ejabberd", "23.10", true}, Server{"ejabberd", "24.07", true},
                              Server{"Prosody", "0.11.2", true}}) {
    CAPTURE(server.name);
    CAPTURE(server.version);
    GatewayHarness g(with_sessions(two_contacts()));
    g.h().inject(grant_message("<perm access='message' type='outgoing'/>", "urn:xmpp:privilege:1"));
    Element ask = g.next_where(
        [](const Element& e) { return e.name() == "iq" && e.child("query", "jabber:iq:version"); });
    CHECK(ask.attr_or("to") == "test");
    CHECK(ask.attr_or("type") == "get");
    g.h().inject("<iq type='result' from='test' to='gw.test' id='" +
                 std::string(ask.attr_or("id")) + "'><query xmlns='jabber:iq:version'><name>" +
                 std::string(server.name) + "</name><version>" + std::string(server.version) +
                 "</version></query></iq>");
    drain(g);
    bool usable = true;
    std::string why;
    g.h().on_component_thread([&] {
      const Privileges* p = sessions_of(g).grants().of(Jid("alice@test"));
      REQUIRE(p);
      usable = p->can_send_messages();
      why = p->message_unusable;
    });
    CHECK(usable == server.usable);
    if (!server.usable) CHECK(why.find("ejabberd " + std::string(server.version) + " routes") == 0);
  }
  // privilege:2 (ejabberd 24.10, Prosody) is trusted without asking.
  GatewayHarness g(with_sessions(two_contacts()));
  g.h().inject(grant_message("<perm access='message' type='outgoing'/>"));
  for (const Element& e : g.h().settle()) CHECK_FALSE(e.child("query", "jabber:iq:version"));
}
