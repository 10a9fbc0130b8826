// Stanza-level tests of per-stanza limits over loopback: a stanza over a limit (size, depth,
// attributes, attribute size) is answered with a policy-violation error from its addressee,
// counted in /metrics, and the stream stays up; traffic around it is answered in order.
#include <doctest/doctest.h>

#include <string>

#include "component/stanza.hpp"
#include "tests/support/component_harness.hpp"

using namespace legate;
using namespace legate::test;

namespace {

void tight_limits(ConnectionOptions& o) {
  o.limits.max_stanza_bytes = 4096;
  o.limits.max_depth = 8;
  o.limits.max_attributes = 8;
  o.limits.max_attribute_bytes = 1024;
}

std::string ping(std::string_view id) {
  return "<iq type='get' id='" + std::string(id) +
         "' from='u@test/r' to='gw.test'><ping xmlns='urn:xmpp:ping'/></iq>";
}
std::string pong(std::string_view id) {
  return "<iq type='result' id='" + std::string(id) + "' from='gw.test' to='u@test/r'/>";
}

// A message from u@test/r to bob@gw.test with `inner` as its content.
std::string message(std::string_view id, std::string_view inner, std::string_view extra = "") {
  return "<message type='chat' id='" + std::string(id) + "' from='u@test/r' to='bob@gw.test'" +
         std::string(extra) + ">" + std::string(inner) + "</message>";
}

std::string bounce(std::string_view id, std::string_view text) {
  return "<message type='error' id='" + std::string(id) +
         "' from='bob@gw.test' to='u@test/r'><error type='modify'>"
         "<policy-violation xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
         "<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>" +
         std::string(text) + "</text></error></message>";
}

std::string nested(int levels) {
  std::string open, close;
  for (int i = 0; i < levels; ++i) open += "<a>", close = "</a>" + close;
  return open + close;
}

std::string attributes(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += " a" + std::to_string(i) + "='v'";
  return s;
}

std::uint64_t refused(ComponentHarness& h, std::string_view limit) {
  std::uint64_t n = 0;
  h.on_component_thread([&] {
    n = h.component()
            .metrics()
            .counter("legate_stanzas_refused_total",
                     "Stanzas refused for a per-stanza limit (the sender got policy-violation)",
                     {{"limit", std::string(limit)}})
            .value();
  });
  return n;
}

Element next_of(ComponentHarness& h) {
  auto stanza = h.server().next();
  REQUIRE(stanza.has_value());
  return std::move(*stanza);
}

std::uint64_t connects(ComponentHarness& h) {
  std::uint64_t n = 0;
  h.on_component_thread([&] { n = h.component().connection().connects(); });
  return n;
}

}  // namespace

TEST_CASE("refused stanzas: each limit, just below and just above") {
  ComponentHarness h(tight_limits);
  h.start();
  const std::string body = "<body>", body_end = "</body>";
  auto of_size = [&](std::string_view id, std::size_t bytes) {
    const std::string shell = message(id, body + body_end);
    return message(id, body + std::string(bytes - shell.size(), 'x') + body_end);
  };
  // Below: a message to a contact without a handler is refused as usual (not a bounce).
  SUBCASE("size") {
    h.inject(of_size("s1", 4096) + ping("p1"));
    CHECK(next_of(h).attr_or("id") == "s1");  // the usual answer
    h.expect(pong("p1"));
    h.inject(of_size("s2", 4097) + ping("p2"));
    h.expect(bounce("s2", "stanza larger than 4096 bytes"));
    h.expect(pong("p2"));
    CHECK(refused(h, "size") == 1);
  }
  SUBCASE("depth (the stanza element counts)") {
    h.inject(message("d1", nested(7)) + ping("p1"));
    CHECK(next_of(h).attr_or("id") == "d1");
    h.expect(pong("p1"));
    h.inject(message("d2", nested(8)) + ping("p2"));
    h.expect(bounce("d2", "stanza nested deeper than 8 elements"));
    h.expect(pong("p2"));
    CHECK(refused(h, "depth") == 1);
  }
  SUBCASE("attributes on one element") {
    h.inject(message("a1", "<x" + attributes(8) + "/>") + ping("p1"));
    CHECK(next_of(h).attr_or("id") == "a1");
    h.expect(pong("p1"));
    h.inject(message("a2", "<x" + attributes(9) + "/>") + ping("p2"));
    h.expect(bounce("a2", "more than 8 attributes on one element"));
    h.expect(pong("p2"));
    // On the stanza itself (from, to, id, type + 5): the reply is still addressed.
    h.inject(message("a3", "", attributes(5)));
    h.expect(bounce("a3", "more than 8 attributes on one element"));
    CHECK(refused(h, "attributes") == 2);
  }
  SUBCASE("attribute size") {
    h.inject(message("z1", "<x y='" + std::string(1024, 'v') + "'/>") + ping("p1"));
    CHECK(next_of(h).attr_or("id") == "z1");
    h.expect(pong("p1"));
    h.inject(message("z2", "<x y='" + std::string(1025, 'v') + "'/>") + ping("p2"));
    h.expect(bounce("z2", "attribute value larger than 1024 bytes"));
    h.expect(pong("p2"));
    CHECK(refused(h, "attribute_size") == 1);
  }
  h.expect_nothing();
  CHECK(connects(h) == 1);  // never reconnected
}

TEST_CASE("refused stanzas: many in a row, interleaved with traffic answered in order") {
  ComponentHarness h(tight_limits);
  h.start();
  std::string burst;
  for (int i = 0; i < 50; ++i) {
    const std::string n = std::to_string(i);
    burst += ping("p" + n) + message("deep" + n, nested(20)) +
             message("big" + n, "<body>" + std::string(5000, 'y') + "</body>");
  }
  h.inject(burst);
  for (int i = 0; i < 50; ++i) {
    const std::string n = std::to_string(i);
    h.expect(pong("p" + n));
    h.expect(bounce("deep" + n, "stanza nested deeper than 8 elements"));
    h.expect(bounce("big" + n, "stanza larger than 4096 bytes"));
  }
  CHECK(refused(h, "depth") == 50);
  CHECK(refused(h, "size") == 50);
  CHECK(connects(h) == 1);
}

TEST_CASE("refused stanzas: who gets an answer") {
  ComponentHarness h(tight_limits);
  h.start();
  const std::string deep = nested(20);
  // An iq get/set gets an iq error; presences get one too.
  h.inject("<iq type='set' id='q1' from='u@test/r' to='gw.test'>" + deep + "</iq>");
  Element iq = next_of(h);
  CHECK(iq.attr_or("type") == "error");
  CHECK(iq.attr_or("id") == "q1");
  CHECK(StanzaError::from_stanza(iq).condition() == ErrorCondition::policy_violation);
  h.inject("<presence id='pr' from='u@test/r' to='bob@gw.test'>" + deep + "</presence>");
  Element presence = next_of(h);
  CHECK(presence.name() == "presence");
  CHECK(presence.attr_or("type") == "error");
  CHECK(presence.attr_or("from") == "bob@gw.test");
  // Never an error to an error or to an iq result, nor to a stanza without a sender.
  h.inject("<message type='error' id='e' from='u@test/r' to='bob@gw.test'>" + deep + "</message>");
  h.inject("<iq type='result' id='r' from='u@test/r' to='gw.test'>" + deep + "</iq>");
  h.inject("<message id='n' to='bob@gw.test'>" + deep + "</message>");
  h.inject(ping("last"));
  h.expect(pong("last"));
  CHECK(refused(h, "depth") == 5);
}
