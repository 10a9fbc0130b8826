// Stanza-level tests of the connection's life cycle over loopback: hostile input answered
// with the right stream error, then a clean close and a reconnect; server restarts;
// keepalives; stanzas queued while disconnected; refused handshakes; clean shutdown.
#include <doctest/doctest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <thread>

#include "component/stream_error.hpp"
#include "tests/support/component_harness.hpp"

using namespace legate;
using namespace legate::test;

namespace {

std::string nested(int depth) {
  std::string s;
  for (int i = 0; i < depth; ++i) s += "<a>";
  return s;
}

std::string condition_of(const FakeServer& server) {
  if (!server.stream_error()) return "(no stream error)";
  return std::string(to_string(parse_stream_error(*server.stream_error()).condition));
}

void expect_ping_works(ComponentHarness& h, std::string_view id) {
  h.inject("<iq type='get' id='" + std::string(id) +
           "' from='u@test/r' to='gw.test'><ping xmlns='urn:xmpp:ping'/></iq>");
  h.expect("<iq type='result' id='" + std::string(id) + "' from='gw.test' to='u@test/r'/>");
}

}  // namespace

TEST_CASE("wire: hostile input gets a stream error, a close, and a reconnect") {
  struct Case {
    std::string name;
    std::string bytes;
    const char* condition;
  };
  const Case cases[] = {
      {"comment", "<!-- hello -->", "restricted-xml"},
      {"processing instruction", "<?evil x?>", "restricted-xml"},
      {"undeclared entity", "<message to='gw.test'><body>&xxe;</body></message>", "restricted-xml"},
      {"mismatched tags", "<message to='gw.test'><body></message>", "not-well-formed"},
      {"invalid UTF-8", "<message to='gw.test'><body>\xC3\x28</body></message>", "not-well-formed"},
      // Per-stanza limits only refuse that stanza (test_refused_stanzas.cpp); beyond the
      // stream limit no server would relay it.
      {"stanza beyond max_stream_bytes",
       "<message to='gw.test'><body>" + std::string(20000, 'x') + "</body></message>",
       "policy-violation"},
      {"unfinished stanza beyond max_stream_bytes", "<message>" + nested(6000), "policy-violation"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    ComponentHarness h([](ConnectionOptions& o) {
      o.limits.max_stanza_bytes = 4096;
      o.limits.max_stream_bytes = 16384;
    });
    h.start();
    expect_ping_works(h, "before");
    h.inject(c.bytes);
    CHECK(h.server().wait_closed(3s));
    CHECK(condition_of(h.server()) == c.condition);
    CHECK(h.server().stream_closed());
    // The component comes back on a fresh stream and works.
    REQUIRE_MESSAGE(h.server().accept_component(), h.server().reason());
    expect_ping_works(h, "after");
  }
}

TEST_CASE("wire: the server closing or dropping the stream leads to a reconnect") {
  ComponentHarness h;
  h.start();
  expect_ping_works(h, "up");
  SUBCASE("clean close") {
    h.server().close_stream();
  }
  SUBCASE("dropped socket") {
    h.server().drop_connection();
  }
  // A stream error from the server: the next test (it also checks the log level).
  REQUIRE_MESSAGE(h.server().accept_component(), h.server().reason());
  expect_ping_works(h, "again");
  CHECK(h.component().connection().connects() == 2);
}

TEST_CASE("wire: a system-shutdown from the server is logged as a warning, then reconnects") {
  auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(256);
  auto logger = spdlog::default_logger();
  logger->sinks().push_back(sink);
  {
    ComponentHarness h;
    h.start();
    expect_ping_works(h, "up");
    h.inject(
        "<stream:error><system-shutdown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>"
        "</stream:error></stream:stream>");
    CHECK(h.server().wait_closed(3s));
    REQUIRE_MESSAGE(h.server().accept_component(), h.server().reason());
    expect_ping_works(h, "again");
    CHECK(h.component().connection().connects() == 2);
  }  // the component's thread is gone: the sink can go
  logger->sinks().pop_back();
  std::vector<spdlog::level::level_enum> levels;
  for (const auto& msg : sink->last_raw())
    if (std::string_view(msg.payload.data(), msg.payload.size()).find("system-shutdown") !=
        std::string_view::npos)
      levels.push_back(msg.level);
  CHECK(levels == std::vector<spdlog::level::level_enum>{spdlog::level::warn});
}

TEST_CASE("wire: a wrong secret is refused and retried with backoff") {
  ComponentHarness h([](ConnectionOptions& o) { o.secret = "wrong"; });
  boost::asio::co_spawn(h.io(), h.component().run(), boost::asio::detached);
  std::thread runner([&] { h.io().run(); });
  CHECK_FALSE(h.server().accept_component());
  CHECK(h.server().reason() == "wrong handshake digest");
  CHECK_FALSE(h.server().accept_component());  // it tries again
  boost::asio::post(h.io(), [&] { h.component().stop(); });
  runner.join();
}

TEST_CASE("wire: whitespace keepalives flow when idle") {
  ComponentHarness h([](ConnectionOptions& o) { o.keepalive = 50ms; });
  h.start();
  CHECK_FALSE(h.server().next(400ms));
  CHECK(h.server().keepalive_bytes() >= 3);
}

TEST_CASE("wire: stanzas sent while disconnected go out after the reconnect") {
  ComponentHarness h([](ConnectionOptions& o) { o.backoff_initial = o.backoff_max = 300ms; });
  h.start();
  h.server().drop_connection();
  std::this_thread::sleep_for(100ms);  // let the component notice
  h.on_component_thread([&] {
    for (int i = 0; i < 3; ++i) {
      Element m = make_message("gw.test", "u@test", "chat");
      m.add_child("body", std::string(kComponentNs)).set_text("queued " + std::to_string(i));
      h.component().send(m);
    }
  });
  REQUIRE(h.server().accept_component());
  for (int i = 0; i < 3; ++i) {
    h.expect("<message from='gw.test' to='u@test' type='chat'><body>queued " + std::to_string(i) +
             "</body></message>");
  }
}

TEST_CASE("wire: stop closes the stream cleanly") {
  ComponentHarness h;
  h.start();
  expect_ping_works(h, "up");  // the handshake is complete on the component's side too
  h.on_component_thread([&] { h.component().stop(); });
  CHECK(h.server().wait_closed(3s));
  CHECK(h.server().stream_closed());
  CHECK_FALSE(h.server().stream_error());
}
