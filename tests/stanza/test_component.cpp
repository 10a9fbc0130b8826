// Stanza-level tests of the component core over loopback: handshake, built-in services,
// router semantics (exactly one answer per iq), outbound iqs, reconnects, shutdown.
#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <future>

#include "component/xml_parse.hpp"
#include "tests/support/component_harness.hpp"

using namespace legate;
using namespace legate::test;

namespace {

constexpr std::string_view kUser = "user@test/res";
constexpr std::string_view kNeedsPayload = "an iq get/set needs an id and exactly one payload";

std::string iq_get(std::string_view id, std::string_view payload, std::string_view to = kGateway) {
  return "<iq type='get' id='" + std::string(id) + "' from='" + std::string(kUser) + "' to='" +
         std::string(to) + "'>" + std::string(payload) + "</iq>";
}

std::string error_xml(std::string_view id, std::string_view type, std::string_view condition,
                      std::string_view name = "iq", std::string_view text = {}) {
  const std::string text_xml = text.empty() ? std::string()
                                            : "<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>" +
                                                  std::string(text) + "</text>";
  return "<" + std::string(name) + " type='error' id='" + std::string(id) + "' from='" +
         std::string(kGateway) + "' to='" + std::string(kUser) + "'><error type='" +
         std::string(type) + "'><" + std::string(condition) +
         " xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>" + text_xml + "</error></" +
         std::string(name) + ">";
}

}  // namespace

TEST_CASE("component: disco#info of the component JID lists identities and features") {
  ComponentHarness h;
  h.component().disco().add_identity({"gateway", "echo", "Echo"});
  h.start();
  h.inject(iq_get("d1", "<query xmlns='http://jabber.org/protocol/disco#info'/>"));
  h.expect(R"(<iq type='result' id='d1' from='gw.test' to='user@test/res'>
      <query xmlns='http://jabber.org/protocol/disco#info'>
        <identity category='gateway' type='echo' name='Echo'/>
        <feature var='http://jabber.org/protocol/disco#info'/>
        <feature var='http://jabber.org/protocol/disco#items'/>
        <feature var='jabber:iq:version'/>
        <feature var='urn:xmpp:ping'/>
      </query></iq>)");
  h.inject(iq_get("d2", "<query xmlns='http://jabber.org/protocol/disco#items'/>"));
  h.expect(
      "<iq type='result' id='d2' from='gw.test' to='user@test/res'>"
      "<query xmlns='http://jabber.org/protocol/disco#items'/></iq>");
  h.inject(iq_get("d3", "<query xmlns='http://jabber.org/protocol/disco#info' node='nope'/>"));
  h.expect(error_xml("d3", "cancel", "item-not-found", "iq", "unknown node"));
}

TEST_CASE("component: ping and version") {
  ComponentHarness h;
  h.component().set_version({"legate-test", "9.8.7", {}});
  h.start();
  h.inject(iq_get("p1", "<ping xmlns='urn:xmpp:ping'/>"));
  h.expect("<iq type='result' id='p1' from='gw.test' to='user@test/res'/>");
  h.inject(iq_get("v1", "<query xmlns='jabber:iq:version'/>"));
  h.expect(
      "<iq type='result' id='v1' from='gw.test' to='user@test/res'>"
      "<query xmlns='jabber:iq:version'><name>legate-test</name><version>9.8.7</version>"
      "</query></iq>");
  // Built-ins answer for the component JID only, not for contacts (later layers do).
  h.inject(iq_get("p2", "<ping xmlns='urn:xmpp:ping'/>", "alice@gw.test"));
  auto reply = h.server().next();
  REQUIRE(reply);
  CHECK(reply->attr_or("type") == "error");
  CHECK(reply->child("error", kComponentNs)->child("service-unavailable", kStanzaErrorsNs));
}

TEST_CASE("component: every iq get/set is answered exactly once") {
  ComponentHarness h;
  auto& router = h.component().router();
  router.on_iq(IqType::set, "refuse", "urn:test", [](const Element&) -> Router::IqPayload {
    throw StanzaError(ErrorCondition::not_allowed, "no way");
  });
  router.on_iq(IqType::set, "crash", "urn:test",
               [](const Element&) -> Router::IqPayload { throw std::runtime_error("boom"); });
  router.on_iq_async(IqType::get, "slow", "urn:test",
                     [](Element iq) -> asio::awaitable<Router::IqPayload> {
                       asio::steady_timer t(co_await asio::this_coro::executor, 50ms);
                       co_await t.async_wait(asio::use_awaitable);
                       Element answer("slow", "urn:test");
                       answer.set_text(std::string(iq.attr_or("id")));
                       co_return answer;
                     });
  router.on_iq_async(IqType::set, "slow", "urn:test",
                     [](Element) -> asio::awaitable<Router::IqPayload> {
                       asio::steady_timer t(co_await asio::this_coro::executor, 20ms);
                       co_await t.async_wait(asio::use_awaitable);
                       throw std::logic_error("async boom");
                     });
  h.start();

  SUBCASE("unknown payloads get service-unavailable") {
    h.inject(iq_get("u1", "<unknown xmlns='urn:nothing'/>"));
    h.expect(error_xml("u1", "cancel", "service-unavailable"));
    h.inject(
        "<iq type='set' id='u2' from='user@test/res' to='gw.test'>"
        "<ping xmlns='urn:xmpp:ping'/></iq>");
    h.expect(error_xml("u2", "cancel", "service-unavailable"));
  }
  SUBCASE("malformed iqs get bad-request") {
    h.inject("<iq type='get' id='b1' from='user@test/res' to='gw.test'/>");
    h.expect(error_xml("b1", "modify", "bad-request", "iq", kNeedsPayload));
    h.inject(iq_get("b2", "<ping xmlns='urn:xmpp:ping'/><ping xmlns='urn:xmpp:ping'/>"));
    h.expect(error_xml("b2", "modify", "bad-request", "iq", kNeedsPayload));
    h.inject(
        "<iq type='fetch' id='b3' from='user@test/res' to='gw.test'>"
        "<ping xmlns='urn:xmpp:ping'/></iq>");
    h.expect(error_xml("b3", "modify", "bad-request", "iq", "invalid iq type"));
  }
  SUBCASE("a StanzaError becomes that error, with its text") {
    h.inject(
        "<iq type='set' id='r1' from='user@test/res' to='gw.test'><refuse xmlns='urn:test'/></iq>");
    h.expect(
        "<iq type='error' id='r1' from='gw.test' to='user@test/res'><error type='cancel'>"
        "<not-allowed xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
        "<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>no way</text></error></iq>");
  }
  SUBCASE("any other exception becomes internal-server-error") {
    h.inject(
        "<iq type='set' id='c1' from='user@test/res' to='gw.test'><crash xmlns='urn:test'/></iq>");
    h.expect(error_xml("c1", "cancel", "internal-server-error"));
    h.inject(
        "<iq type='set' id='c2' from='user@test/res' to='gw.test'><slow xmlns='urn:test'/></iq>");
    h.expect(error_xml("c2", "cancel", "internal-server-error"));
  }
  SUBCASE("async handlers answer in their own time, interleaved") {
    h.inject(iq_get("s1", "<slow xmlns='urn:test'/>") +
             iq_get("p1", "<ping xmlns='urn:xmpp:ping'/>"));
    h.expect("<iq type='result' id='p1' from='gw.test' to='user@test/res'/>");
    h.expect(
        "<iq type='result' id='s1' from='gw.test' to='user@test/res'>"
        "<slow xmlns='urn:test'>s1</slow></iq>");
  }
  SUBCASE("results and errors are never answered") {
    h.inject("<iq type='result' id='x1' from='user@test/res' to='gw.test'/>");
    h.inject("<iq type='error' id='x2' from='user@test/res' to='gw.test'/>");
    h.inject("<message type='error' from='user@test/res' to='gw.test'/>");
  }
  h.expect_nothing();
}

TEST_CASE("component: messages without a handler are refused") {
  ComponentHarness h;
  h.start();
  h.inject("<message id='m1' from='user@test/res' to='gw.test'><body>hi</body></message>");
  h.expect(error_xml("m1", "cancel", "service-unavailable", "message"));
  h.inject("<presence from='user@test/res' to='gw.test'/>");
  h.expect_nothing();
}

TEST_CASE("component: stanzas in the same read as the handshake wait for on_connected") {
  ComponentHarness h;
  // Set before start(): the component's thread does not run yet.
  auto connected = std::make_shared<bool>(false);
  auto seen = std::make_shared<std::vector<std::string>>();
  h.component().on_connected([connected] { *connected = true; });
  h.component().router().on_message([connected, seen](Element& m) {
    seen->push_back(std::string(m.attr_or("id")) + (*connected ? ":after" : ":before"));
  });
  h.server().send_with_handshake(
      "<message id='e1' from='user@test/res' to='gw.test'><body>1</body></message>"
      "<message id='e2' from='user@test/res' to='gw.test'><body>2</body></message>");
  h.start();
  h.inject("<message id='e3' from='user@test/res' to='gw.test'><body>3</body></message>");
  std::vector<std::string> got;
  const auto deadline = std::chrono::steady_clock::now() + 3s;
  while (got.size() < 3 && std::chrono::steady_clock::now() < deadline) {
    h.on_component_thread([&] { got = *seen; });
    std::this_thread::sleep_for(10ms);
  }
  CHECK(got == std::vector<std::string>{"e1:after", "e2:after", "e3:after"});
}

TEST_CASE("component: outbound iqs are matched by id and sender, with a timeout") {
  ComponentHarness h;
  h.start();
  auto ask = [&](std::chrono::milliseconds timeout) {
    auto result = std::make_shared<std::promise<std::string>>();
    h.on_component_thread([&] {
      Element iq = make_iq(IqType::get, kGateway, "upload.test", "");
      iq.add_child("ping", std::string(kPingNs));
      asio::co_spawn(
          h.io(),
          [&c = h.component(), iq, timeout, result]() -> asio::awaitable<void> {
            try {
              Element reply = co_await c.request(iq, timeout);
              result->set_value("result:" + std::string(reply.attr_or("from")));
            } catch (const StanzaError& e) {
              result->set_value("error:" + std::string(to_string(e.condition())));
            }
          },
          asio::detached);
    });
    return result->get_future();
  };

  SUBCASE("a result from the addressee") {
    auto answer = ask(2s);
    auto sent = h.server().next();
    REQUIRE(sent);
    CHECK(sent->attr_or("to") == "upload.test");
    const std::string id(sent->attr_or("id"));
    CHECK(!id.empty());
    // A reply with the right id from someone else is ignored.
    h.inject("<iq type='result' id='" + id + "' from='evil.test' to='gw.test'/>");
    h.inject("<iq type='result' id='" + id + "' from='upload.test' to='gw.test'/>");
    CHECK(answer.get() == "result:upload.test");
  }
  SUBCASE("an error reply throws its condition") {
    auto answer = ask(2s);
    auto sent = h.server().next();
    REQUIRE(sent);
    h.inject("<iq type='error' id='" + std::string(sent->attr_or("id")) +
             "' from='upload.test' to='gw.test'><error type='cancel'><not-allowed "
             "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>");
    CHECK(answer.get() == "error:not-allowed");
  }
  SUBCASE("no reply: remote-server-timeout") {
    auto answer = ask(100ms);
    CHECK(h.server().next());
    CHECK(answer.wait_for(2s) == std::future_status::ready);
    CHECK(answer.get() == "error:remote-server-timeout");
  }
  SUBCASE("connection lost: pending requests fail at once") {
    auto answer = ask(30s);
    CHECK(h.server().next());
    h.server().drop_connection();
    CHECK(answer.wait_for(2s) == std::future_status::ready);
    CHECK(answer.get() == "error:remote-server-timeout");
    REQUIRE(h.server().accept_component());
  }
}
