// Router semantics without a network: an in-memory outbox and a local io_context.
#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <vector>

#include "component/router.hpp"
#include "component/xml_parse.hpp"

using namespace legate;
using namespace std::chrono_literals;

namespace {

struct MemoryOutbox : Outbox {
  std::vector<Element> sent;
  void send(const Element& stanza) override { sent.push_back(stanza); }
};

struct Fixture {
  boost::asio::io_context io;
  MemoryOutbox out;
  Router router{io.get_executor(), out};

  void dispatch(std::string_view xml) {
    Element e = parse_element(xml);
    router.dispatch(e);
  }
  std::string ask(std::chrono::milliseconds timeout, std::string& outcome) {
    Element iq = make_iq(IqType::get, "gw.x", "svc.x", "");
    iq.add_child("q", "urn:q");
    boost::asio::co_spawn(
        io,
        [this, iq, timeout, &outcome]() -> asio::awaitable<void> {
          try {
            Element r = co_await router.request(iq, timeout);
            outcome = "result " + std::string(r.attr_or("id"));
          } catch (const StanzaError& e) {
            outcome = std::string(to_string(e.condition())) + ": " + e.text();
          }
        },
        boost::asio::detached);
    io.poll();
    REQUIRE(!out.sent.empty());
    return std::string(out.sent.back().attr_or("id"));
  }
};

}  // namespace

TEST_CASE("router: sync handlers answer once, keyed by type, name and namespace") {
  Fixture f;
  int calls = 0;
  f.router.on_iq(IqType::get, "q", "urn:a", [&](const Element&) -> Router::IqPayload {
    ++calls;
    return Element("answer", "urn:a");
  });
  f.dispatch("<iq type='get' id='1' from='u@h/r' to='gw.x'><q xmlns='urn:a'/></iq>");
  f.dispatch("<iq type='set' id='2' from='u@h/r' to='gw.x'><q xmlns='urn:a'/></iq>");
  f.dispatch("<iq type='get' id='3' from='u@h/r' to='gw.x'><q xmlns='urn:b'/></iq>");
  f.dispatch("<iq type='get' id='4' from='u@h/r' to='gw.x'><r xmlns='urn:a'/></iq>");
  CHECK(calls == 1);
  REQUIRE(f.out.sent.size() == 4);
  CHECK(f.out.sent[0].attr_or("type") == "result");
  CHECK(f.out.sent[0].child("answer", "urn:a"));
  for (int i = 1; i < 4; ++i) {
    CHECK(f.out.sent[i].attr_or("type") == "error");
    CHECK(StanzaError::from_stanza(f.out.sent[i]).condition() ==
          ErrorCondition::service_unavailable);
  }
}

TEST_CASE("router: outbound requests get ids, replies, timeouts and failures") {
  Fixture f;
  std::string outcome;
  SUBCASE("reply from the addressee resolves it") {
    const std::string id = f.ask(5s, outcome);
    CHECK(f.router.pending_count() == 1);
    f.dispatch("<iq type='result' id='" + id + "' from='svc.x' to='gw.x'/>");
    f.io.poll();
    CHECK(outcome == "result " + id);
  }
  SUBCASE("a reply from another sender does not") {
    const std::string id = f.ask(50ms, outcome);
    f.dispatch("<iq type='result' id='" + id + "' from='other.x' to='gw.x'/>");
    f.io.poll();
    CHECK(outcome.empty());
    f.io.run_for(500ms);
    CHECK(outcome == "remote-server-timeout: no reply in time");
  }
  SUBCASE("fail_pending fails everything at once") {
    std::string second;
    f.ask(5s, outcome);
    f.ask(5s, second);
    CHECK(f.router.pending_count() == 2);
    f.router.fail_pending("stream lost");
    f.io.poll();
    CHECK(outcome == "remote-server-timeout: stream lost");
    CHECK(second == "remote-server-timeout: stream lost");
  }
  CHECK(f.router.pending_count() == 0);
}

TEST_CASE("router: ids are unique") {
  Fixture f;
  CHECK(f.router.next_id() != f.router.next_id());
}
