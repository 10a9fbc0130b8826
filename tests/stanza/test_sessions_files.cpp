// Stanza-level tests of the sessions layer around files: a user's In-Band Bytestream to a
// contact reaching the bridge's on_file() (and refused to strangers, when files are off, or
// when the bridge fails), a user's link that cannot be fetched, and a contact's file sent
// in-band to the user's resource when the server has no upload service.
#include <doctest/doctest.h>

#include <algorithm>
#include <future>

#include "component/base64.hpp"
#include "component/ibb_stream.hpp"
#include "component/xml_parse.hpp"
#include "legacy/contact.hpp"
#include "tests/stanza/sessions_fixture.hpp"

using namespace legate;
using namespace legate::test;

namespace {

constexpr std::string_view kIbbXmlns = "xmlns='http://jabber.org/protocol/ibb'";
constexpr std::string_view kErrorsXmlns = "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'";

SessionHooks with_files(bool on = true) {
  SessionHooks hooks = all_hooks();
  hooks.file = on;
  return hooks;
}

// `n` bytes with every byte value, in no simple repeating order.
std::string file_bytes(std::size_t n) {
  std::string bytes(n, '\0');
  for (std::size_t i = 0; i < n; ++i) bytes[i] = static_cast<char>((i * 7919 + i / 256) & 0xFF);
  return bytes;
}

std::string iq_set_from(std::string_view from, std::string_view id, std::string_view payload) {
  return "<iq type='set' id='" + std::string(id) + "' from='" + std::string(from) +
         "' to='bob@gw.test'>" + std::string(payload) + "</iq>";
}
std::string open_payload(std::string_view sid) {
  return "<open " + std::string(kIbbXmlns) + " sid='" + std::string(sid) +
         "' block-size='4096' stanza='iq'/>";
}
std::string data_payload(std::string_view sid, std::size_t seq, std::string_view bytes) {
  return "<data " + std::string(kIbbXmlns) + " sid='" + std::string(sid) + "' seq='" +
         std::to_string(seq) + "'>" + base64_encode(bytes) + "</data>";
}
std::string close_payload(std::string_view sid) {
  return "<close " + std::string(kIbbXmlns) + " sid='" + std::string(sid) + "'/>";
}
// The empty result of iq `id` from bob to `to`.
std::string result_to(std::string_view to, std::string_view id) {
  return "<iq type='result' id='" + std::string(id) + "' from='bob@gw.test' to='" +
         std::string(to) + "'/>";
}

Element next_stanza(GatewayHarness& g) {
  auto got = g.h().server().next(5s);
  REQUIRE_MESSAGE(got.has_value(), "no stanza arrived");
  return std::move(*got);
}

// `got` must equal `expected_xml` once its id is copied over (the gateway picks ids).
void check_with_any_id(const Element& got, std::string_view expected_xml) {
  Element expected = parse_element(expected_xml);
  expected.set_attr("id", got.attr_or("id"));
  const std::string diff = structural_difference(got, expected);
  CHECK_MESSAGE(diff.empty(), "got " << got.str() << "\nexpected " << expected_xml << "\n" << diff);
}

// The user's client answers a request of the gateway with an empty result.
void answer(GatewayHarness& g, const Element& request, std::string_view payload = {}) {
  g.h().inject("<iq type='result' id='" + std::string(request.attr_or("id")) + "' from='" +
               std::string(request.attr_or("to")) + "' to='" +
               std::string(request.attr_or("from")) + "'>" + std::string(payload) + "</iq>");
}

// alice's phone goes online: the gateway then knows a resource of hers.
void phone_online(GatewayHarness& g, SessionScript& script) {
  g.h().inject("<presence from='alice@test/phone' to='gw.test'/>");
  script.wait_for(g.h(), "presence");
  drain(g);
}

// The server answers the gateway's search for an upload service (XEP-0363): disco#items of
// its domain lists nothing, and its own disco#info has no upload feature.
void no_upload_service(GatewayHarness& g) {
  Element items = next_stanza(g);
  check_with_any_id(items,
                    "<iq type='get' from='gw.test' to='test'>"
                    "<query xmlns='http://jabber.org/protocol/disco#items'/></iq>");
  answer(g, items, "<query xmlns='http://jabber.org/protocol/disco#items'/>");
  Element info = next_stanza(g);
  check_with_any_id(info,
                    "<iq type='get' from='gw.test' to='test'>"
                    "<query xmlns='http://jabber.org/protocol/disco#info'/></iq>");
  answer(g, info,
         "<query xmlns='http://jabber.org/protocol/disco#info'>"
         "<identity category='server' type='im'/>"
         "<feature var='http://jabber.org/protocol/disco#info'/></query>");
}

FileSendOutcome outcome_of(std::future<FileSendOutcome>& future) {
  REQUIRE_MESSAGE(future.wait_for(5s) == std::future_status::ready, "send_file did not finish");
  return future.get();
}

}  // namespace

TEST_CASE("files: a user's in-band bytestream to a contact reaches on_file whole") {
  auto script = two_contacts();
  GatewayHarness g(with_sessions(script, with_files()));
  register_and_log_in(g);
  phone_online(g, *script);
  const std::string sid = "0123456789abcdef-and-more";
  const std::string bytes = file_bytes(10000);  // 4096 + 4096 + 1808
  g.h().inject(iq_set_from(kAlice, "o1", open_payload(sid)));
  g.h().expect(result_to(kAlice, "o1"));
  for (std::size_t seq = 0; seq * 4096 < bytes.size(); ++seq) {
    const std::string id = "d" + std::to_string(seq);
    g.h().inject(iq_set_from(kAlice, id, data_payload(sid, seq, bytes.substr(seq * 4096, 4096))));
    g.h().expect(result_to(kAlice, id));
  }
  g.h().inject(iq_set_from(kAlice, "c1", close_payload(sid)));
  g.h().expect(result_to(kAlice, "c1"));
  SessionCall call = script->wait_for(g.h(), "file");
  CHECK(call.user == kAliceBare);
  CHECK(call.contact == "bob");
  CHECK(call.file_name == "file-0123456789abcdef");
  CHECK(call.text.size() == bytes.size());
  const bool same = call.text == bytes;  // not CHECK(a == b): 10 KB of binary in the log
  CHECK_MESSAGE(same, "on_file read other bytes than those sent");
  g.h().expect_nothing();  // no error, no message
  CHECK(script->count(g.h(), "file") == 1);
}

TEST_CASE("files: in-band bytestreams are refused to strangers and when files are off") {
  auto script = two_contacts();
  SUBCASE("a JID that is not a registered user") {
    GatewayHarness g(with_sessions(script, with_files()));
    register_and_log_in(g);
    g.h().inject(iq_set_from("stranger@test/x", "o1", open_payload("s1")));
    g.h().expect(
        "<iq type='error' id='o1' from='bob@gw.test' to='stranger@test/x'>"
        "<error type='cancel'><not-acceptable " +
        std::string(kErrorsXmlns) + "/></error></iq>");
    // The refused stream does not exist: its data is refused too.
    g.h().inject(iq_set_from("stranger@test/x", "d1", data_payload("s1", 0, "x")));
    CHECK(is_error(next_stanza(g), ErrorCondition::item_not_found));
    g.h().expect_nothing();
    CHECK(script->count(g.h(), "file") == 0);
  }
  SUBCASE("the session has no on_file") {
    GatewayHarness g(with_sessions(script, with_files(false)));
    register_and_log_in(g);
    phone_online(g, *script);
    g.h().inject(iq_set_from(kAlice, "o1", open_payload("s1")));
    g.h().expect(
        "<iq type='error' id='o1' from='bob@gw.test' to='alice@test/phone'>"
        "<error type='cancel'><not-acceptable " +
        std::string(kErrorsXmlns) + "/></error></iq>");
    g.h().expect_nothing();
    CHECK(script->count(g.h(), "file") == 0);
  }
}

TEST_CASE("files: a bridge failing on an in-band file closes the stream and tells the user") {
  auto script = two_contacts();
  script->errors["file"] = ErrorCondition::not_acceptable;
  GatewayHarness g(with_sessions(script, with_files()));
  register_and_log_in(g);
  phone_online(g, *script);
  g.h().inject(iq_set_from(kAlice, "o1", open_payload("s1")));
  g.h().expect(result_to(kAlice, "o1"));
  Element close = next_stanza(g);
  check_with_any_id(close, "<iq type='set' from='bob@gw.test' to='alice@test/phone'>" +
                               close_payload("s1") + "</iq>");
  answer(g, close);
  Element told = next_stanza(g);
  check_with_any_id(told,
                    "<message type='chat' from='bob@gw.test' to='alice@test'>"
                    "<body>[your file could not be passed on: not-acceptable: scripted refusal "
                    "of file]</body>"
                    "<active xmlns='http://jabber.org/protocol/chatstates'/>"
                    "<markable xmlns='urn:xmpp:chat-markers:0'/>"
                    "<request xmlns='urn:xmpp:receipts'/></message>");
  SessionCall call = script->wait_for(g.h(), "file");
  CHECK(call.contact == "bob");
  CHECK(call.file_name == "file-s1");
  // The stream is gone: the client's data is refused.
  g.h().inject(iq_set_from(kAlice, "d0", data_payload("s1", 0, "late")));
  CHECK(is_error(next_stanza(g), ErrorCondition::item_not_found));
  g.h().expect_nothing();
}

TEST_CASE("files: a user's link that cannot be fetched is refused") {
  auto script = two_contacts();
  const std::string oob =
      "<x xmlns='jabber:x:oob'><url>http://127.0.0.1:1/nothing</url></x>";  // port 1: refused
  SUBCASE("with files: not-acceptable, the fetch failed") {
    GatewayHarness g(with_sessions(script, with_files()));
    register_and_log_in(g);
    alice_sends(g, kBob, "f1", oob);
    Element reply = next_stanza(g);
    CAPTURE(reply.str());
    const Element* error = reply.child("error", kComponentNs);
    REQUIRE(error);
    const std::string text(error->child_text("text", kStanzaErrorsNs));
    CHECK(text.find("could not fetch the file") != std::string::npos);
    // The rest of the reply, exactly (the text, already checked, copied over).
    Element expected = parse_element(
        "<message type='error' id='f1' from='bob@gw.test' to='alice@test/phone'>"
        "<error type='modify'><not-acceptable " +
        std::string(kErrorsXmlns) + "/></error></message>");
    expected.child("error", kComponentNs)
        ->add_child("text", std::string(kStanzaErrorsNs))
        .set_text(text);
    const std::string diff = structural_difference(reply, expected);
    CHECK_MESSAGE(diff.empty(), diff);
    g.h().expect_nothing();
    CHECK(script->count(g.h(), "file") == 0);
  }
  SUBCASE("without files: feature-not-implemented") {
    GatewayHarness g(with_sessions(script, with_files(false)));
    register_and_log_in(g);
    alice_sends(g, kBob, "f1", oob);
    g.h().expect(
        "<message type='error' id='f1' from='bob@gw.test' to='alice@test/phone'>"
        "<error type='cancel'><feature-not-implemented " +
        std::string(kErrorsXmlns) + "/><text " + std::string(kErrorsXmlns) +
        ">sending files is not supported by this gateway</text></error></message>");
    CHECK(script->count(g.h(), "file") == 0);
  }
}

TEST_CASE("files: without an upload service a contact's file goes in-band to the user") {
  auto script = two_contacts();
  GatewayHarness g(with_sessions(script, with_files()));
  register_and_log_in(g);
  phone_online(g, *script);
  const std::string bytes = file_bytes(10000);
  auto sent = script->send_file(g.h(), kAlice, "bob", OutgoingFile::from_bytes("notes.bin", bytes));
  no_upload_service(g);

  // First a word from the contact, naming the stream to come.
  Element told = next_stanza(g);
  const std::string body(told.child_text("body", kComponentNs));
  const std::string prefix = "[notes.bin (10 KB) follows as an in-band bytestream, sid ";
  const bool announced = body.starts_with(prefix) && body.ends_with("]");
  REQUIRE_MESSAGE(announced, body);
  const std::string sid = body.substr(prefix.size(), body.size() - prefix.size() - 1);
  CHECK(sid.size() == 32);  // 128 bits, hex
  check_with_any_id(told, "<message type='chat' from='bob@gw.test' to='alice@test'><body>" + body +
                              "</body><active xmlns='http://jabber.org/protocol/chatstates'/>"
                              "<markable xmlns='urn:xmpp:chat-markers:0'/>"
                              "<request xmlns='urn:xmpp:receipts'/></message>");

  // Then the stream, to the resource that is online; the test is alice's client.
  Element open = next_stanza(g);
  check_with_any_id(open, "<iq type='set' from='bob@gw.test' to='alice@test/phone'>" +
                              open_payload(sid) + "</iq>");
  answer(g, open);
  std::string received;
  for (unsigned seq = 0;; ++seq) {
    Element iq = next_stanza(g);
    CAPTURE(iq.str());
    if (iq.child("close", kIbbNs)) {
      check_with_any_id(iq, "<iq type='set' from='bob@gw.test' to='alice@test/phone'>" +
                                close_payload(sid) + "</iq>");
      answer(g, iq);
      break;
    }
    REQUIRE(seq < 3);
    const Element* data = iq.child("data", kIbbNs);
    REQUIRE(data);
    auto chunk = base64_decode(data->text());
    REQUIRE(chunk);
    CHECK(chunk->size() == std::min<std::size_t>(4096, bytes.size() - received.size()));
    check_with_any_id(iq, "<iq type='set' from='bob@gw.test' to='alice@test/phone'>" +
                              data_payload(sid, seq, *chunk) + "</iq>");
    received += *chunk;
    answer(g, iq);
  }
  CHECK(received.size() == bytes.size());
  const bool same = received == bytes;
  CHECK_MESSAGE(same, "the in-band bytes differ from the file");
  FileSendOutcome outcome = outcome_of(sent);
  CHECK_MESSAGE(outcome.id == sid, outcome.what);
  g.h().expect_nothing();
}

TEST_CASE("files: without an upload service nor a resource online a contact's file fails") {
  auto script = two_contacts();
  GatewayHarness g(with_sessions(script, with_files()));
  register_and_log_in(g);  // no presence from alice: no resource to stream to
  auto sent = script->send_file(g.h(), kAlice, "bob", OutgoingFile::from_bytes("a.txt", "hello"));
  no_upload_service(g);
  FileSendOutcome outcome = outcome_of(sent);
  CHECK_FALSE(outcome.id);
  CHECK_MESSAGE(outcome.error == ErrorCondition::recipient_unavailable, outcome.what);
  g.h().expect_nothing();  // no message, no stream
}
