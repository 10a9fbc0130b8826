// XEP-0047 stanza tests, sending side: InBandBytestreams::send against the fake server
// acting as the peer, over iq (acked chunks) and message stanzas, refusals and failures.
#include <chrono>
#include <random>
#include <vector>

#include "tests/stanza/ibb_fixture.hpp"

using namespace legate;
using namespace legate::test;

namespace {

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 random(seed);
  std::string bytes(n, '\0');
  for (char& c : bytes) c = static_cast<char>(random());
  return bytes;
}

// Runs send() on the component thread: "ok", "error:<condition>" or "exception:<what>".
// `bytes` is sent with the string_view overload unless `pieces` is given (a ByteSource).
std::future<std::string> start_send(IbbFixture& f, std::string sid, std::string bytes,
                                    IbbSendOptions options, std::vector<std::string> pieces = {}) {
  auto promise = std::make_shared<std::promise<std::string>>();
  auto future = promise->get_future();
  f.h.on_component_thread([&] {
    asio::co_spawn(
        f.h.io(),
        [&f, sid, bytes, options, pieces, promise]() mutable -> asio::awaitable<void> {
          try {
            const Jid from(kContact);
            const Jid to(kPeer);
            if (pieces.empty()) {
              const std::string_view view = bytes;
              co_await f.ibb->send(from, to, sid, view, options);
            } else {
              std::size_t next = 0;
              InBandBytestreams::ByteSource source =
                  [&pieces, next]() mutable -> asio::awaitable<std::optional<std::string>> {
                if (next == pieces.size()) co_return std::nullopt;
                co_return pieces[next++];
              };
              co_await f.ibb->send(from, to, sid, source, options);
            }
            promise->set_value("ok");
          } catch (const StanzaError& e) {
            promise->set_value("error:" + std::string(to_string(e.condition())));
          } catch (const std::exception& e) {
            promise->set_value(std::string("exception:") + e.what());
          }
        },
        asio::detached);
  });
  return future;
}

std::string peer_result(const Element& request) {
  return "<iq type='result' id='" + std::string(request.attr_or("id")) + "' from='" +
         std::string(kPeer) + "' to='" + std::string(kContact) + "'/>";
}

std::string expected_open(std::string_view sid, std::string_view block, std::string_view stanza) {
  return "<iq type='set' from='juliet@gw.test' to='romeo@test/orchard'>"
         "<open xmlns='http://jabber.org/protocol/ibb' sid='" +
         std::string(sid) + "' block-size='" + std::string(block) + "' stanza='" +
         std::string(stanza) + "'/></iq>";
}

std::string expected_close(std::string_view sid) {
  return "<iq type='set' from='juliet@gw.test' to='romeo@test/orchard'>"
         "<close xmlns='http://jabber.org/protocol/ibb' sid='" +
         std::string(sid) + "'/></iq>";
}

// Checks one data stanza (iq or message) and returns its decoded chunk.
std::string chunk_of(const Element& stanza, std::string_view kind, std::string_view sid,
                     unsigned seq) {
  CAPTURE(stanza.str());
  CHECK(stanza.name() == kind);
  CHECK(stanza.attr_or("from") == kContact);
  CHECK(stanza.attr_or("to") == kPeer);
  CHECK(!stanza.attr_or("id").empty());
  if (kind == "iq") CHECK(stanza.attr_or("type") == "set");
  CHECK(stanza.children().size() == 1);
  const Element* data = stanza.child("data", kIbbNs);
  REQUIRE(data);
  CHECK(data->attr_or("sid") == sid);
  REQUIRE(data->attr_or("seq") == std::to_string(seq));
  auto bytes = base64_decode(data->text());
  REQUIRE(bytes);
  return *bytes;
}

}  // namespace

TEST_CASE("IBB send: over iq, each chunk waits for its ack; open, data, close") {
  IbbFixture f;
  f.start();
  const std::string bytes = random_bytes(10000, 7);
  auto done = start_send(f, "s1", bytes, {});
  f.h.inject(peer_result(f.expect_with_any_id(expected_open("s1", "4096", "iq"))));
  std::string got;
  for (unsigned seq = 0; seq < 3; ++seq) {
    const Element data = f.next();
    const std::string chunk = chunk_of(data, "iq", "s1", seq);
    CHECK(chunk.size() == (seq < 2 ? 4096 : 10000 - 2 * 4096));
    got += chunk;
    if (seq == 0) f.h.expect_nothing(150ms);  // no second chunk before the first ack
    f.h.inject(peer_result(data));
  }
  f.h.inject(peer_result(f.expect_with_any_id(expected_close("s1"))));
  REQUIRE(done.wait_for(2s) == std::future_status::ready);
  CHECK(done.get() == "ok");
  CHECK(got == bytes);
}

TEST_CASE("IBB send: a byte source is re-chunked; over messages, without acks") {
  IbbFixture f;
  f.start();
  const std::vector<std::string> pieces = {"a", random_bytes(5000, 1), "", "xyz",
                                           random_bytes(7000, 2)};
  std::string all;
  for (const auto& p : pieces) all += p;
  IbbSendOptions options;
  options.block_size = 4096;
  options.stanza = IbbStanza::message;
  options.message_interval = 0ms;
  auto done = start_send(f, "", "", options, pieces);
  const Element open = f.next();
  REQUIRE(open.first_child());
  const std::string sid(open.first_child()->attr_or("sid"));
  CHECK(sid.size() == 32);
  CHECK(sid.find_first_not_of("0123456789abcdef") == std::string::npos);
  Element expected = parse_element(expected_open(sid, "4096", "message"));
  expected.set_attr("id", open.attr_or("id"));
  CHECK(structural_difference(open, expected) == "");
  f.h.inject(peer_result(open));
  std::string got;
  for (unsigned seq = 0; got.size() < all.size(); ++seq) {
    const std::string chunk = chunk_of(f.next(), "message", sid, seq);
    if (got.size() + chunk.size() < all.size()) CHECK(chunk.size() == 4096);
    got += chunk;
  }
  f.h.inject(peer_result(f.expect_with_any_id(expected_close(sid))));
  REQUIRE(done.wait_for(2s) == std::future_status::ready);
  CHECK(done.get() == "ok");
  CHECK(got == all);
}

TEST_CASE("IBB send: seq wraps from 65535 to 0 over 65,537 chunks") {
  IbbFixture f;
  f.start();
  constexpr unsigned kChunks = 65537;
  std::string bytes;
  for (unsigned i = 0; i < kChunks; ++i) bytes += static_cast<char>(i % 253);
  IbbSendOptions options;
  options.block_size = 1;
  options.stanza = IbbStanza::message;
  options.message_interval = 0ms;
  const auto started = std::chrono::steady_clock::now();
  auto done = start_send(f, "wrap", bytes, options);
  f.h.inject(peer_result(f.expect_with_any_id(expected_open("wrap", "1", "message"))));
  std::string got;
  for (unsigned i = 0; i < kChunks; ++i) {
    auto stanza = f.h.server().next();
    REQUIRE(stanza);
    const Element* data = stanza->child("data", kIbbNs);
    REQUIRE(data);
    REQUIRE(data->attr_or("seq") == std::to_string(i % 65536));
    got += base64_decode(data->text()).value_or("?");
  }
  f.h.inject(peer_result(f.expect_with_any_id(expected_close("wrap"))));
  REQUIRE(done.wait_for(5s) == std::future_status::ready);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  MESSAGE("65,537 chunks sent in "
          << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms");
#ifndef __SANITIZE_ADDRESS__  // ASan (the sanitizer lane) runs this ~10x slower
  CHECK(elapsed < 10s);
#endif
  CHECK(done.get() == "ok");
  CHECK(got == bytes);
}

TEST_CASE("IBB send: refusals and failures throw") {
  IbbFixture f;
  f.start();
  SUBCASE("the peer refuses the open") {
    auto done = start_send(f, "r", "data", {});
    const Element open = f.next();
    f.h.inject("<iq type='error' id='" + std::string(open.attr_or("id")) +
               "' from='romeo@test/orchard' to='juliet@gw.test'><error type='cancel'>"
               "<not-acceptable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>");
    REQUIRE(done.wait_for(2s) == std::future_status::ready);
    CHECK(done.get() == "error:not-acceptable");
    f.h.expect_nothing();
  }
  SUBCASE("the peer refuses a chunk: a close follows") {
    auto done = start_send(f, "r", "data", {});
    f.h.inject(peer_result(f.next()));
    const Element data = f.next();
    CHECK(chunk_of(data, "iq", "r", 0) == "data");
    f.h.inject("<iq type='error' id='" + std::string(data.attr_or("id")) +
               "' from='romeo@test/orchard' to='juliet@gw.test'><error type='cancel'>"
               "<unexpected-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>");
    f.expect_with_any_id(expected_close("r"));
    REQUIRE(done.wait_for(2s) == std::future_status::ready);
    CHECK(done.get() == "error:unexpected-request");
  }
  SUBCASE("the peer closes mid-stream") {
    IbbSendOptions options;
    options.block_size = 2;
    auto done = start_send(f, "r", "aabbcc", options);
    f.h.inject(peer_result(f.next()));
    const Element data = f.next();
    f.h.inject(iq_set("pc", ibb_close("r")));
    f.expect_result("pc");
    f.h.inject(peer_result(data));
    f.expect_with_any_id(expected_close("r"));
    REQUIRE(done.wait_for(2s) == std::future_status::ready);
    CHECK(done.get() == "error:not-acceptable");
  }
  SUBCASE("the peer bounces a data message") {
    IbbSendOptions options;
    options.block_size = 1;
    options.stanza = IbbStanza::message;
    options.message_interval = 100ms;
    auto done = start_send(f, "r", "abcdefgh", options);
    f.h.inject(peer_result(f.next()));
    const Element data = f.next();
    f.h.inject("<message type='error' id='" + std::string(data.attr_or("id")) +
               "' from='romeo@test/orchard' to='juliet@gw.test'>" + ibb_data("r", 0, "a") +
               "<error type='cancel'><item-not-found "
               "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>");
    REQUIRE(done.wait_for(2s) == std::future_status::ready);
    CHECK(done.get() == "error:item-not-found");
    // At most the chunk in flight, then our close.
    Element next = f.next();
    if (next.name() == "message") next = f.next();
    CHECK(next.child("close", kIbbNs));
  }
  SUBCASE("a sid in use, a bad block size") {
    auto first = start_send(f, "dup", "x", {});
    const Element open = f.next();
    CHECK(start_send(f, "dup", "x", {}).get() == "error:conflict");
    IbbSendOptions options;
    options.block_size = 0;
    CHECK(start_send(f, "other", "x", options).get().starts_with("exception:"));
    f.h.inject(peer_result(open));
    f.h.inject(peer_result(f.next()));
    f.h.inject(peer_result(f.expect_with_any_id(expected_close("dup"))));
    CHECK(first.get() == "ok");
  }
}
