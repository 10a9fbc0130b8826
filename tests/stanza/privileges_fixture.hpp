// Shared pieces of the XEP-0356 stanza tests: grant messages as a server sends them, a
// coroutine run on the component thread with its outcome as a future, and the roster get
// a granted gateway sends at login.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <future>
#include <memory>
#include <string>

#include "component/xml_parse.hpp"
#include "gateway/privileges.hpp"
#include "gateway/runtime.hpp"
#include "gateway/sessions.hpp"
#include "gateway/user_pep.hpp"
#include "tests/stanza/sessions_fixture.hpp"

namespace legate::test {

// The grant message of server `test` in namespace `ns` with these <perm/> elements.
inline std::string grant_message(std::string_view perms,
                                 std::string_view ns = "urn:xmpp:privilege:2") {
  return "<message from='test' to='gw.test'><privilege xmlns='" + std::string(ns) + "'>" +
         std::string(perms) + "</privilege></message>";
}

inline Sessions& sessions_of(GatewayHarness& g) {
  return *g.runtime().internals().sessions;
}

// Runs the coroutine `make()` returns on the component thread; the future gets its result.
template <class T, class Make>
std::future<T> run_on_component(GatewayHarness& g, Make make) {
  auto promise = std::make_shared<std::promise<T>>();
  std::future<T> future = promise->get_future();
  g.h().on_component_thread([&g, make, promise] {
    asio::co_spawn(
        g.h().io(),
        [make, promise]() -> asio::awaitable<void> {
          try {
            promise->set_value(co_await make());
          } catch (...) {
            promise->set_exception(std::current_exception());
          }
        },
        asio::detached);
  });
  return future;
}

// The error condition the future failed with (REQUIREs a StanzaError within 5 s).
template <class T>
ErrorCondition failure_of(std::future<T>& future) {
  REQUIRE(future.wait_for(5s) == std::future_status::ready);
  try {
    future.get();
  } catch (const StanzaError& e) {
    return e.condition();
  }
  FAIL("no StanzaError");
  return ErrorCondition::undefined_condition;
}

// Waits for the gateway's roster get to `user` and answers it with these contact JIDs.
inline void answer_roster_get(GatewayHarness& g, std::vector<std::string> jids,
                              std::string_view user = kAliceBare) {
  Element get = g.next_where([](const Element& e) {
    return e.name() == "iq" && e.attr_or("type") == "get" && e.child("query", kRosterNs);
  });
  CHECK(get.attr_or("to") == user);
  std::string items;
  for (const auto& jid : jids) items += "<item jid='" + jid + "' subscription='both'/>";
  g.h().inject("<iq type='result' from='" + std::string(user) + "' to='gw.test' id='" +
               std::string(get.attr_or("id")) + "'><query xmlns='jabber:iq:roster'>" + items +
               "</query></iq>");
}

// The pubsub payload of the next privileged iq, and the outer iq to answer.
inline std::pair<Element, Element> next_pubsub(GatewayHarness& g, std::string_view type) {
  Element outer = g.next_where([](const Element& e) { return e.name() == "iq"; });
  CHECK(outer.attr_or("type") == type);
  CHECK(outer.attr_or("to") == kAliceBare);
  const Element* wrapper = outer.child("privileged_iq", kPrivilegeNs);
  REQUIRE(wrapper);
  const Element* inner = wrapper->child("iq", kClientNs);
  REQUIRE(inner);
  const Element* pubsub = inner->child("pubsub", kPubsubNs);
  REQUIRE(pubsub);
  return {*pubsub, outer};
}

inline void answer_pubsub(GatewayHarness& g, const Element& outer, std::string_view inner_payload,
                          std::string_view inner_type = "result") {
  g.h().inject("<iq type='result' from='alice@test' to='gw.test' id='" +
               std::string(outer.attr_or("id")) +
               "'><privilege xmlns='urn:xmpp:privilege:2'><forwarded "
               "xmlns='urn:xmpp:forward:0'><iq xmlns='jabber:client' type='" +
               std::string(inner_type) + "' from='alice@test' to='gw.test' id='i'>" +
               std::string(inner_payload) + "</iq></forwarded></privilege></iq>");
}

}  // namespace legate::test
