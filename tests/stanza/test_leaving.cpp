// Stanza-level tests of leaving the gateway: by each path (XEP-0077 remove, removing the
// gateway from the roster, BaseGateway::remove_user as the unregister and delete-user
// commands call it), every contact leaves the user's
// roster (XEP-0356 roster pushes when granted, else unsubscriptions both ways) and the
// gateway too, and the user's data is gone.
#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <set>

#include "gateway/privileges.hpp"
#include "tests/stanza/privileges_fixture.hpp"

using namespace legate;
using namespace legate::test;

namespace {

// Every stanza the leaving caused.
std::vector<Element> collect(GatewayHarness& g) {
  return g.h().settle();
}

// "type from" of each presence to alice, and "remove jid" of each roster push.
std::set<std::string> summary(const std::vector<Element>& stanzas) {
  std::set<std::string> out;
  for (const auto& e : stanzas) {
    if (e.name() == "presence" && e.attr_or("to") == kAliceBare) {
      const std::string type(e.attr_or("type"));
      out.insert((type.empty() ? "available" : type) + " " + std::string(e.attr_or("from")));
    } else if (e.name() == "iq" && e.attr_or("type") == "set") {
      const Element* query = e.child("query", kRosterNs);
      const Element* item = query ? query->child("item", kRosterNs) : nullptr;
      REQUIRE(item);
      CHECK(e.attr_or("to") == kAliceBare);
      out.insert(std::string(item->attr_or("subscription")) + " " +
                 std::string(item->attr_or("jid")));
    }
  }
  return out;
}

void leave(GatewayHarness& g, std::string_view path) {
  if (path == "XEP-0077 remove") {
    g.h().inject(
        "<iq type='set' id='rm' from='alice@test/phone' to='gw.test'>"
        "<query xmlns='jabber:iq:register'><remove/></query></iq>");
  } else if (path == "roster removal") {
    g.h().inject("<presence type='unsubscribe' from='alice@test' to='gw.test'/>");
  } else {  // what the `unregister` and admin `delete-user` commands call
    g.h().on_component_thread([&] {
      asio::co_spawn(g.h().component().router().executor(),
                     g.runtime().remove_user(Jid(kAliceBare)), asio::detached);
    });
  }
}

}  // namespace

TEST_CASE("leaving: without a roster grant, every contact unsubscribes both ways") {
  for (std::string_view path : {"XEP-0077 remove", "roster removal", "remove_user"}) {
    CAPTURE(path);
    GatewayHarness g(with_sessions(two_contacts()));
    register_and_log_in(g);
    leave(g, path);
    const auto got = summary(collect(g));
    for (std::string_view who : {kBob, kCarol, std::string_view("gw.test")}) {
      CAPTURE(who);
      for (std::string_view type : {"unavailable", "unsubscribe", "unsubscribed"})
        CHECK(got.count(std::string(type) + " " + std::string(who)) == 1);
    }
    CHECK_FALSE(g.registered(kAlice));
  }
}

TEST_CASE("leaving: with a XEP-0356 roster grant, every contact is removed by a roster push") {
  GatewayHarness g(with_sessions(two_contacts()));
  g.h().inject(grant_message("<perm access='roster' type='set'/>"));
  register_and_log_in(g);
  leave(g, "XEP-0077 remove");
  const auto got = summary(collect(g));
  for (std::string_view who : {kBob, kCarol}) {
    CAPTURE(who);
    CHECK(got.count("remove " + std::string(who)) == 1);
    CHECK(got.count("unavailable " + std::string(who)) == 1);
    CHECK(got.count("unsubscribe " + std::string(who)) == 0);  // the push did it
  }
  CHECK(got.count("unsubscribed gw.test") == 1);
  CHECK_FALSE(g.registered(kAlice));
}

// A removal the server refuses (ejabberd 23.01 fails every privileged roster set, e.g. for
// contacts pushed by an earlier run of the gateway) must not leave a subscription behind.
TEST_CASE("leaving: a refused roster removal falls back to unsubscribing that contact") {
  GatewayHarness g(with_sessions(two_contacts()));
  g.h().inject(grant_message("<perm access='roster' type='set'/>"));
  register_and_log_in(g);
  leave(g, "XEP-0077 remove");
  const std::vector<Element> first = collect(g);
  std::vector<std::string> removals;
  for (const Element& e : first)
    if (e.name() == "iq" && e.attr_or("type") == "set" && e.child("query", kRosterNs)) {
      removals.emplace_back(e.child("query", kRosterNs)->child("item", kRosterNs)->attr_or("jid"));
      const bool refuse = removals.back() == kBob;  // carol's is accepted
      g.h().inject("<iq type='" + std::string(refuse ? "error" : "result") +
                   "' from='alice@test' to='gw.test' id='" + std::string(e.attr_or("id")) + "'>" +
                   (refuse ? "<error type='wait'><internal-server-error "
                             "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error>"
                           : "") +
                   "</iq>");
    }
  CHECK(removals.size() == 2);
  const auto after = summary(collect(g));
  CHECK(after.count("unsubscribe " + std::string(kBob)) == 1);
  CHECK(after.count("unsubscribed " + std::string(kBob)) == 1);
  CHECK(after.count("unsubscribe " + std::string(kCarol)) == 0);
  CHECK_FALSE(g.registered(kAlice));
}
