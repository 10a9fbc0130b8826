// XEP-0047 stanza tests, receiving side: opening (authorization, attribute checks, limits),
// data over iq in order and with seq wrap-around, refusals that abort a stream, close.
#include <chrono>
#include <random>

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

}  // namespace

TEST_CASE("IBB: a preauthorized sid is accepted once; others are refused with not-acceptable") {
  IbbFixture f;
  f.ibb->preauthorize_sid(Jid(kContact), "s1", Jid(kPeer));
  f.ibb->preauthorize_sid(Jid(kContact), "s3", Jid("mallory@test/x"));
  f.start();

  Accepted s1 = f.open("s1");
  CHECK(s1.stream->jid() == Jid(kContact));
  CHECK(s1.stream->from() == Jid(kPeer));
  CHECK(s1.stream->block_size() == 4096);
  CHECK(s1.stream->stanza() == IbbStanza::iq);
  f.h.inject(iq_set("o2", ibb_open("s2")));
  f.expect_error("o2", "cancel", "not-acceptable");
  // Preauthorized for someone else only.
  f.h.inject(iq_set("o3", ibb_open("s3")));
  f.expect_error("o3", "cancel", "not-acceptable");
  // The preauthorization was used up by the first stream.
  f.h.inject(iq_set("c1", ibb_close("s1")));
  f.expect_result("c1");
  f.h.inject(iq_set("o4", ibb_open("s1")));
  f.expect_error("o4", "cancel", "not-acceptable");
  CHECK(s1.outcome.get().ended);
  CHECK(f.pending_streams() == 0);
}

TEST_CASE("IBB: the authorized hook and auto_accept decide for other streams") {
  SUBCASE("hook") {
    IbbFixture f;
    std::string seen;
    f.ibb->set_authorized(
        [&seen](const Jid& jid, std::string_view sid, const Jid& from, const Element& iq) {
          seen = jid.full() + " " + std::string(sid) + " " + from.full() + " " +
                 std::string(iq.first_child()->name());
          return from.bare_str() == "romeo@test" && jid.local() == "juliet";
        });
    f.start();
    Accepted a = f.open("h1", "64", "message");
    CHECK(seen == "juliet@gw.test h1 romeo@test/orchard open");
    CHECK(a.stream->stanza() == IbbStanza::message);
    CHECK(a.stream->block_size() == 64);
    f.h.inject(iq_set("o2", ibb_open("h2"), "mallory@test/x"));
    auto refused = f.next();
    CHECK(refused.attr_or("to") == "mallory@test/x");
    CHECK(error_condition(refused) == "not-acceptable");
  }
  SUBCASE("auto_accept") {
    IbbFixture f(accepting());
    f.start();
    f.open("a1");
    f.h.on_component_thread([&] { f.ibb->set_auto_accept(false); });
    f.h.inject(iq_set("o2", ibb_open("a2")));
    f.expect_error("o2", "cancel", "not-acceptable");
  }
  SUBCASE("authorized_sid hook replaces the preauthorized set") {
    IbbFixture f;
    f.ibb->set_authorized_sid(
        [](const Jid&, std::string_view sid, const Jid&, const Element&) { return sid == "ok"; });
    f.start();
    f.open("ok");
    f.h.inject(iq_set("o2", ibb_open("nope")));
    f.expect_error("o2", "cancel", "not-acceptable");
  }
}

TEST_CASE("IBB: malformed opens get bad-request, too large a block-size resource-constraint") {
  IbbFixture f;  // not accepting: attribute checks come before authorization
  f.ibb->preauthorize_sid(Jid(kContact), "pre", Jid(kPeer));
  f.start();
  const std::string bad_opens[] = {
      "<open xmlns='http://jabber.org/protocol/ibb' block-size='4096'/>",
      ibb_open(""),
      ibb_open("has space"),
      "<open xmlns='http://jabber.org/protocol/ibb' sid='x'/>",
      ibb_open("x", ""),
      ibb_open("x", "abc"),
      ibb_open("x", "0"),
      ibb_open("x", "-1"),
      ibb_open("x", "12x"),
      ibb_open("x", " 12"),
      ibb_open("x", "4096", "presence"),
  };
  int n = 0;
  for (const std::string& open : bad_opens) {
    CAPTURE(open);
    const std::string id = "b" + std::to_string(++n);
    f.h.inject(iq_set(id, open));
    f.expect_error(id, "modify", "bad-request");
  }
  // Refused before authorization: the preauthorization survives for the retry.
  f.h.inject(iq_set("big1", ibb_open("pre", "4097")));
  f.expect_error("big1", "modify", "resource-constraint");
  f.h.inject(iq_set("big2", ibb_open("pre", "99999999999999999999999")));
  f.expect_error("big2", "modify", "resource-constraint");
  f.open("pre", "4096");
  // No addresses: refused, never crashed.
  f.h.inject("<iq type='set' id='na' to='juliet@gw.test'>" + ibb_open("z") + "</iq>");
  auto reply = f.next();
  CHECK(reply.attr_or("type") == "error");
  CHECK(error_condition(reply) == "bad-request");
}

TEST_CASE("IBB: a second open of a live sid gets conflict; too many streams resource-constraint") {
  IbbOptions options = accepting();
  options.max_streams_per_peer = 2;
  IbbFixture f(options);
  f.start();
  Accepted a = f.open("d1", "8");
  f.h.inject(iq_set("dup", ibb_open("d1", "8")));
  f.expect_error("dup", "cancel", "conflict");
  // The live stream is untouched: its seq still starts at 0.
  f.h.inject(iq_set("x0", ibb_data("d1", 0, "live")));
  f.expect_result("x0");
  f.open("d2");
  f.h.inject(iq_set("o3", ibb_open("d3")));
  f.expect_error("o3", "wait", "resource-constraint");
  // Another resource of the same peer shares its quota; other peers do not.
  f.h.inject(iq_set("o4", ibb_open("d4"), "romeo@test/balcony"));
  CHECK(f.next().attr_or("type") == "error");
  f.h.inject(iq_set("o5", ibb_open("d5"), "benvolio@test/x"));
  CHECK(f.next().attr_or("type") == "result");
  CHECK(f.next_stream().stream->from() == Jid("benvolio@test/x"));
  std::size_t count = 0;
  f.h.on_component_thread([&] { count = f.ibb->stream_count(); });
  CHECK(count == 3);
  f.h.inject(iq_set("c1", ibb_close("d1")));
  f.expect_result("c1");
  f.open("d3");
  CHECK(a.outcome.get().bytes == "live");
}

TEST_CASE("IBB: chunks in order reach the reader intact; close ends it with nullopt") {
  IbbFixture f(accepting());
  f.start();
  Accepted a = f.open("s", "16");
  const std::string bytes = random_bytes(150, 1);
  unsigned seq = 0;
  for (std::size_t at = 0; at < bytes.size(); at += 16, ++seq) {
    const std::string id = "d" + std::to_string(seq);
    f.h.inject(iq_set(id, ibb_data("s", seq, bytes.substr(at, 16))));
    f.expect_result(id);
  }
  // Wrapped lines, as in the XEP's examples, and an empty chunk are fine.
  const std::string b64 = base64_encode("line-wrapped");
  f.h.inject(iq_set(
      "w", ibb_data("s", std::to_string(seq++), b64.substr(0, 8) + "\n  " + b64.substr(8) + "\n")));
  f.expect_result("w");
  f.h.inject(iq_set("e", ibb_data("s", std::to_string(seq++), "")));
  f.expect_result("e");
  auto registered = [&f] {
    std::shared_ptr<IbbStream> stream;
    f.h.on_component_thread([&] { stream = f.ibb->get_stream(Jid(kContact), "s", Jid(kPeer)); });
    return stream;
  };
  CHECK(registered() == a.stream);
  f.h.inject(iq_set("c", ibb_close("s")));
  f.expect_result("c");
  const ReadOutcome& out = a.outcome.get();
  CHECK(out.ended);
  CHECK_FALSE(out.error);
  CHECK(out.bytes == bytes + "line-wrapped");
  CHECK(out.chunks == 11);
  CHECK(a.stream->bytes_received() == bytes.size() + 12);
  CHECK(registered() == nullptr);
  // Closed: its sid is unknown now.
  f.h.inject(iq_set("late", ibb_data("s", seq, "x")));
  f.expect_error("late", "cancel", "item-not-found");
}

TEST_CASE("IBB: seq wraps from 65535 to 0 over 65,537 one-byte chunks") {
  IbbFixture f(accepting());
  f.start();
  Accepted a = f.open("w", "1");
  constexpr unsigned kChunks = 65537 + 3;
  const auto started = std::chrono::steady_clock::now();
  std::string expected;
  std::string batch;
  unsigned answered = 0;
  for (unsigned i = 0; i < kChunks; ++i) {
    const char byte = static_cast<char>(i % 251);
    expected += byte;
    batch += iq_set(std::to_string(i), ibb_data("w", i % 65536, std::string(1, byte)));
    if (batch.size() > 256 * 1024 || i + 1 == kChunks) {
      f.h.inject(batch);
      batch.clear();
      // Read the acks as they come, so neither side's buffers grow without end.
      for (; answered + 64 < i; ++answered) {
        auto reply = f.h.server().next();
        REQUIRE(reply);
        REQUIRE_MESSAGE(reply->attr_or("type") == "result", reply->str());
        REQUIRE(reply->attr_or("id") == std::to_string(answered));
      }
    }
  }
  for (; answered < kChunks; ++answered) {
    auto reply = f.h.server().next();
    REQUIRE(reply);
    REQUIRE_MESSAGE(reply->attr_or("type") == "result", reply->str());
    REQUIRE(reply->attr_or("id") == std::to_string(answered));
  }
  f.h.inject(iq_set("c", ibb_close("w")));
  f.expect_result("c");
  const ReadOutcome& out = a.outcome.get();
  const auto elapsed = std::chrono::steady_clock::now() - started;
  MESSAGE("65,540 chunks received in "
          << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count() << " ms");
#ifndef __SANITIZE_ADDRESS__  // ASan (the sanitizer lane) runs this ~10x slower
  CHECK(elapsed < 10s);
#endif
  CHECK(out.ended);
  CHECK(out.chunks == kChunks);
  CHECK(out.bytes == expected);
}

TEST_CASE("IBB: a wrong seq gets unexpected-request and aborts the stream") {
  IbbFixture f(accepting());
  f.start();
  Accepted a = f.open("q", "8");
  SUBCASE("repeated") {
    f.h.inject(iq_set("d0", ibb_data("q", 0, "ab")));
    f.expect_result("d0");
    f.h.inject(iq_set("d0b", ibb_data("q", 0, "ab")));
  }
  SUBCASE("skipped") {
    f.h.inject(iq_set("d0", ibb_data("q", 0, "ab")));
    f.expect_result("d0");
    f.h.inject(iq_set("d0b", ibb_data("q", 2, "cd")));
  }
  SUBCASE("not starting at 0") {
    f.h.inject(iq_set("d0b", ibb_data("q", 1, "ab")));
  }
  SUBCASE("wrapping too early") {
    f.h.inject(iq_set("d0", ibb_data("q", 0, "ab")));
    f.expect_result("d0");
    f.h.inject(iq_set("d0b", ibb_data("q", 65535, "cd")));
  }
  f.expect_error("d0b", "cancel", "unexpected-request");
  const ReadOutcome& out = a.outcome.get();
  CHECK(out.error == ErrorCondition::unexpected_request);
  CHECK_FALSE(out.ended);
  // The stream is gone for the peer too.
  f.h.inject(iq_set("d1", ibb_data("q", 1, "ef")));
  f.expect_error("d1", "cancel", "item-not-found");
  f.h.inject(iq_set("c", ibb_close("q")));
  f.expect_error("c", "cancel", "item-not-found");
  f.h.expect_nothing();  // no <close/> of ours: the error reply ended it
}

TEST_CASE("IBB: unknown sids and other peers get item-not-found") {
  IbbFixture f(accepting());
  f.start();
  Accepted a = f.open("k", "8");
  f.h.inject(iq_set("u1", ibb_data("nope", 0, "ab")));
  f.expect_error("u1", "cancel", "item-not-found");
  f.h.inject(iq_set("u2", ibb_close("nope")));
  f.expect_error("u2", "cancel", "item-not-found");
  // Someone else cannot feed, or close, a stream whose sid they guessed.
  f.h.inject(iq_set("u3", ibb_data("k", 0, "evil"), "mallory@test/x"));
  CHECK(error_condition(f.next()) == "item-not-found");
  f.h.inject(iq_set("u4", ibb_close("k"), "romeo@test/other"));
  CHECK(error_condition(f.next()) == "item-not-found");
  f.h.inject(iq_set("u5", ibb_data("k", 0, "ab"), kPeer, "nurse@gw.test"));
  CHECK(error_condition(f.next()) == "item-not-found");
  f.h.inject(iq_set("bad", "<data xmlns='http://jabber.org/protocol/ibb' seq='0'>YQ==</data>"));
  f.expect_error("bad", "modify", "bad-request");
  f.h.inject(iq_set("d0", ibb_data("k", 0, "good")));
  f.expect_result("d0");
  f.h.inject(iq_set("c", ibb_close("k")));
  f.expect_result("c");
  CHECK(a.outcome.get().bytes == "good");
}

TEST_CASE("IBB: bad data aborts the stream with the XEP's conditions") {
  IbbOptions options = accepting();
  options.max_stream_bytes = 10;
  IbbFixture f(options);
  f.start();
  Accepted a = f.open("b", "8");
  std::string condition, type = "modify";
  f.h.inject(iq_set("ok", ibb_data("b", 0, "12345678")));
  f.expect_result("ok");
  SUBCASE("invalid base64") {
    condition = "bad-request";
    f.h.inject(iq_set("x", ibb_data("b", "1", "YWJj*A==")));
  }
  SUBCASE("bad padding") {
    condition = "bad-request";
    f.h.inject(iq_set("x", ibb_data("b", "1", "YQ=")));
  }
  SUBCASE("invalid seq") {
    condition = "bad-request";
    f.h.inject(iq_set("x", ibb_data("b", "one", "YQ==")));
  }
  SUBCASE("seq beyond 16 bits") {
    condition = "bad-request";
    f.h.inject(iq_set("x", ibb_data("b", "65537", "YQ==")));
  }
  SUBCASE("chunk larger than block-size") {
    condition = "resource-constraint";
    type = "cancel";
    f.h.inject(iq_set("x", ibb_data("b", 1, "123456789")));
  }
  SUBCASE("stream larger than max_stream_bytes") {
    condition = "not-acceptable";
    type = "cancel";
    f.h.inject(iq_set("x", ibb_data("b", 1, "123")));
  }
  f.expect_error("x", type, condition);
  CHECK(a.outcome.get().error.has_value());
  f.h.inject(iq_set("y", ibb_data("b", 2, "a")));
  f.expect_error("y", "cancel", "item-not-found");
}
