// XEP-0047 stanza tests, receiving side over time: flow control of iq acks, message
// transport (consumed by IBB, never seen as chat), idle timeout, reader abort, lost link.
#include <atomic>
#include <set>
#include <thread>

#include "tests/stanza/ibb_fixture.hpp"

using namespace legate;
using namespace legate::test;

TEST_CASE("IBB: acks wait while the reader's buffer is full") {
  IbbOptions options = accepting();
  options.window = 2;
  IbbFixture f(options, /*auto_read=*/false);
  f.start();
  Accepted a = f.open("f", "4");
  f.h.inject(iq_set("d0", ibb_data("f", 0, "c0")));
  f.expect_result("d0");
  f.h.inject(iq_set("d1", ibb_data("f", 1, "c1")));
  f.expect_result("d1");
  // Two chunks buffered, none read: the third is queued but not acked.
  f.h.inject(iq_set("d2", ibb_data("f", 2, "c2")));
  f.h.expect_nothing(300ms);
  CHECK(f.read_one(a.stream) == "c0");
  f.expect_result("d2");
  // A sender that does not wait for acks gets them one read at a time, in order.
  f.h.inject(iq_set("d3", ibb_data("f", 3, "c3")) + iq_set("d4", ibb_data("f", 4, "c4")));
  f.h.expect_nothing(300ms);
  CHECK(f.read_one(a.stream) == "c1");
  f.expect_result("d3");
  f.h.expect_nothing(200ms);
  CHECK(f.read_one(a.stream) == "c2");
  f.expect_result("d4");
  // A close releases the waiting ack: the chunk is buffered and will be read.
  f.h.inject(iq_set("d5", ibb_data("f", 5, "c5")) + iq_set("c", ibb_close("f")));
  std::set<std::string> ids;
  for (int i = 0; i < 2; ++i) {
    Element reply = f.next();
    CHECK(reply.attr_or("type") == "result");
    ids.insert(std::string(reply.attr_or("id")));
  }
  CHECK(ids == std::set<std::string>{"c", "d5"});
  CHECK(f.read_one(a.stream) == "c3");
  CHECK(f.read_one(a.stream) == "c4");
  CHECK(f.read_one(a.stream) == "c5");
  CHECK(f.read_one(a.stream) == "<end>");
  CHECK(f.read_one(a.stream) == "<end>");
}

TEST_CASE("IBB: a sender outrunning the buffer gets resource-constraint") {
  IbbOptions options = accepting();
  options.window = 1;
  options.max_buffered_bytes = 8;
  IbbFixture f(options, /*auto_read=*/false);
  f.start();
  Accepted a = f.open("p", "4");
  f.h.inject(iq_set("d0", ibb_data("p", 0, "aaaa")));
  f.expect_result("d0");
  f.h.inject(iq_set("d1", ibb_data("p", 1, "bbbb")) + iq_set("d2", ibb_data("p", 2, "cccc")));
  // d2 overflows and aborts the stream; d1's waiting ack then fails the same way.
  std::set<std::string> ids;
  for (int i = 0; i < 2; ++i) {
    Element reply = f.next();
    CHECK(reply.attr_or("type") == "error");
    CHECK(error_condition(reply) == "resource-constraint");
    ids.insert(std::string(reply.attr_or("id")));
  }
  CHECK(ids == std::set<std::string>{"d1", "d2"});
  CHECK(f.read_one(a.stream) == "<error:resource-constraint>");
}

TEST_CASE("IBB: data sent as messages is consumed by IBB, never by the message handler") {
  IbbFixture f(accepting());
  std::atomic<int> chat{0};
  f.h.component().router().on_message([&chat](Element&) { ++chat; });
  f.start();
  // Waits until the component processed everything injected before (one iq round trip).
  auto sync = [&f, n = 0]() mutable {
    const std::string id = "sync" + std::to_string(++n);
    f.h.inject("<iq type='get' id='" + id + "' from='" + std::string(kPeer) +
               "' to='gw.test'><ping xmlns='urn:xmpp:ping'/></iq>");
    f.h.expect("<iq type='result' id='" + id + "' from='gw.test' to='" + std::string(kPeer) +
               "'/>");
  };
  Accepted a = f.open("m", "8", "message");
  f.h.inject(message_with("m0", ibb_data("m", 0, "hello, ")));
  f.h.inject(message_with("m1", ibb_data("m", 1, "world")));
  sync();  // no acks for messages: the next stanza is the ping's result
  f.h.inject(iq_set("c", ibb_close("m")));
  f.expect_result("c");
  const ReadOutcome& out = a.outcome.get();
  CHECK(out.bytes == "hello, world");
  CHECK(out.ended);
  CHECK(chat == 0);

  // Refusals are message errors; the errors of others are never answered.
  f.h.inject(message_with("u", ibb_data("nope", 0, "x")));
  f.expect_error("u", "cancel", "item-not-found", "message");
  Accepted b = f.open("m2", "8", "message");
  f.h.inject(message_with("b0", ibb_data("m2", 0, "ok")));
  f.h.inject(message_with("b1", ibb_data("m2", 5, "late")));
  f.expect_error("b1", "cancel", "unexpected-request", "message");
  CHECK(b.outcome.get().error == ErrorCondition::unexpected_request);
  f.h.inject(message_with("e", ibb_data("m2", 1, "x"), "error"));
  sync();
  CHECK(chat == 0);
  // Other messages still reach the handler.
  f.h.inject(message_with("chat", "<body>hi</body>", "chat"));
  sync();
  CHECK(chat == 1);
}

TEST_CASE("IBB: an idle stream is dropped; the reader errs and the peer gets a close") {
  IbbOptions options = accepting();
  options.idle_timeout = 300ms;
  IbbFixture f(options);
  f.start();
  Accepted a = f.open("i", "8");
  // Activity keeps it open well past one idle period.
  for (unsigned seq = 0; seq < 4; ++seq) {
    std::this_thread::sleep_for(150ms);
    const std::string id = "d" + std::to_string(seq);
    f.h.inject(iq_set(id, ibb_data("i", seq, "x")));
    f.expect_result(id);
  }
  const auto quiet_since = std::chrono::steady_clock::now();
  f.expect_with_any_id(
      "<iq type='set' from='juliet@gw.test' to='romeo@test/orchard'>"
      "<close xmlns='http://jabber.org/protocol/ibb' sid='i'/></iq>");
  CHECK(std::chrono::steady_clock::now() - quiet_since >= 250ms);
  const ReadOutcome& out = a.outcome.get();
  CHECK(out.error == ErrorCondition::remote_server_timeout);
  CHECK(out.bytes == "xxxx");
  f.h.inject(iq_set("d4", ibb_data("i", 4, "x")));
  f.expect_error("d4", "cancel", "item-not-found");
}

TEST_CASE("IBB: the reader can abort; the peer gets a close") {
  IbbFixture f(accepting(), /*auto_read=*/false);
  f.start();
  Accepted a = f.open("r", "8");
  f.h.inject(iq_set("d0", ibb_data("r", 0, "abc")));
  f.expect_result("d0");
  f.h.on_component_thread([&] { a.stream->abort(ErrorCondition::not_acceptable, "disk full"); });
  f.expect_with_any_id(
      "<iq type='set' from='juliet@gw.test' to='romeo@test/orchard'>"
      "<close xmlns='http://jabber.org/protocol/ibb' sid='r'/></iq>");
  CHECK(f.read_one(a.stream) == "<error:not-acceptable>");
  CHECK_FALSE(a.stream->is_open());
  f.h.inject(iq_set("d1", ibb_data("r", 1, "def")));
  f.expect_error("d1", "cancel", "item-not-found");
}

TEST_CASE("IBB: losing the server connection aborts received streams") {
  IbbFixture f(accepting());
  f.start();
  Accepted a = f.open("l", "8");
  f.h.inject(iq_set("d0", ibb_data("l", 0, "abc")));
  f.expect_result("d0");
  f.h.server().drop_connection();
  REQUIRE(a.outcome.wait_for(2s) == std::future_status::ready);
  CHECK(a.outcome.get().error == ErrorCondition::remote_server_timeout);
  REQUIRE(f.h.server().accept_component());
  f.open("l", "8");  // the sid is free again
}

TEST_CASE("IBB: once InBandBytestreams is gone, its stanzas get service-unavailable") {
  IbbFixture f(accepting());
  f.start();
  Accepted a = f.open("g", "8");
  f.h.on_component_thread([&] { f.ibb.reset(); });
  REQUIRE(a.outcome.wait_for(2s) == std::future_status::ready);
  CHECK(a.outcome.get().error == ErrorCondition::service_unavailable);
  f.h.inject(iq_set("o", ibb_open("g2")));
  f.expect_error("o", "cancel", "service-unavailable");
  f.h.inject(iq_set("d", ibb_data("g", 0, "x")));
  f.expect_error("d", "cancel", "service-unavailable");
  f.h.inject(message_with("m", ibb_data("g", 0, "x")));
  f.expect_error("m", "cancel", "service-unavailable", "message");
  f.h.inject(iq_set("c", ibb_close("g")));
  f.expect_error("c", "cancel", "service-unavailable");
}
