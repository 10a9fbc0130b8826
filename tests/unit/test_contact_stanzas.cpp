// Outbound contact stanzas, vCard, caps and hashes: each builder against hand-written XML
// (compared structurally: attribute order and whitespace do not matter).
#include <doctest/doctest.h>

#include <chrono>

#include "component/base64.hpp"
#include "component/digest.hpp"
#include "component/xml_parse.hpp"
#include "legacy/contact_stanzas.hpp"

using namespace legate;
using namespace std::chrono;

namespace {

constexpr std::string_view kContact = "juliet@gw.example";
constexpr std::string_view kUser = "romeo@montague.example/phone";

// The difference between a built element and the expected XML ("" when equal).
std::string diff(const Element& actual, std::string_view expected_xml) {
  return structural_difference(actual, parse_element(expected_xml));
}

system_clock::time_point nov25_10h() {
  return sys_days(year(2026) / November / 25) + hours(10);
}

}  // namespace

TEST_CASE("stanzas: plain text message carries the id and an active chat state") {
  CHECK(
      diff(text_message(kContact, kUser, "m1", "hello & <bye>", std::nullopt, std::nullopt, false),
           "<message from='juliet@gw.example' to='romeo@montague.example/phone' type='chat' "
           "id='m1'><body>hello &amp; &lt;bye&gt;</body>"
           "<active xmlns='http://jabber.org/protocol/chatstates'/></message>") == "");
}

TEST_CASE("stanzas: text message with delay, reply, markable and receipt request") {
  const ReplyTo to_contact{"legacy-7", "xmpp-7", true};
  CHECK(diff(text_message(kContact, kUser, "m2", "yes", nov25_10h(), to_contact, true),
             "<message from='juliet@gw.example' to='romeo@montague.example/phone' type='chat' "
             "id='m2'><body>yes</body>"
             "<delay xmlns='urn:xmpp:delay' stamp='2026-11-25T10:00:00Z'/>"
             "<reply xmlns='urn:xmpp:reply:0' to='juliet@gw.example' id='xmpp-7'/>"
             "<active xmlns='http://jabber.org/protocol/chatstates'/>"
             "<markable xmlns='urn:xmpp:chat-markers:0'/>"
             "<request xmlns='urn:xmpp:receipts'/></message>") == "");
  // Quoting the user's own message: the author is the user's bare JID.
  const ReplyTo to_user{"legacy-8", "xmpp-8", false};
  Element m = text_message(kContact, kUser, "m3", "ok", std::nullopt, to_user, false);
  const Element* reply = m.child("reply", kReplyNs);
  REQUIRE(reply != nullptr);
  CHECK(reply->attr_or("to") == "romeo@montague.example");
  CHECK(reply->attr_or("id") == "xmpp-8");
  // Unknown XMPP id of the quoted message: no reply element at all.
  const ReplyTo unknown{"legacy-9", "", true};
  CHECK(text_message(kContact, kUser, "m4", "ok", std::nullopt, unknown, false)
            .child("reply", kReplyNs) == nullptr);
  // Sub-second precision is dropped, the stamp stays UTC.
  Element late = text_message(kContact, kUser, "m5", "x", nov25_10h() + milliseconds(999),
                              std::nullopt, false);
  CHECK(late.child("delay", kDelayNs)->attr_or("stamp") == "2026-11-25T10:00:00Z");
}

TEST_CASE("stanzas: correction, retraction and reactions") {
  CHECK(diff(correction_message(kContact, kUser, "c1", "m1", "fixed"),
             "<message from='juliet@gw.example' to='romeo@montague.example/phone' type='chat' "
             "id='c1'><body>fixed</body>"
             "<replace xmlns='urn:xmpp:message-correct:0' id='m1'/></message>") == "");
  CHECK(diff(retraction_message(kContact, kUser, "r1", "m1"),
             "<message from='juliet@gw.example' to='romeo@montague.example/phone' type='chat' "
             "id='r1'><retract xmlns='urn:xmpp:message-retract:1' id='m1'/>"
             "<fallback xmlns='urn:xmpp:fallback:0' for='urn:xmpp:message-retract:1'/>"
             "<body>This person attempted to retract a previous message, but it's unsupported "
             "by your client.</body><store xmlns='urn:xmpp:hints'/></message>") == "");
  CHECK(diff(reactions_message(kContact, kUser, "e1", "m1", {"👍", "❤️", "👍", ""}),
             "<message from='juliet@gw.example' to='romeo@montague.example/phone' type='chat' "
             "id='e1'><reactions xmlns='urn:xmpp:reactions:0' id='m1'>"
             "<reaction>👍</reaction><reaction>❤️</reaction></reactions>"
             "<store xmlns='urn:xmpp:hints'/></message>") == "");
  // No emojis: the contact removed its reactions.
  CHECK(diff(reactions_message(kContact, kUser, "e2", "m1", {}),
             "<message from='juliet@gw.example' to='romeo@montague.example/phone' type='chat' "
             "id='e2'><reactions xmlns='urn:xmpp:reactions:0' id='m1'/>"
             "<store xmlns='urn:xmpp:hints'/></message>") == "");
}

TEST_CASE("stanzas: chat states, receipts and displayed markers") {
  const std::pair<ChatState, std::string_view> states[] = {
      {ChatState::active, "active"}, {ChatState::composing, "composing"},
      {ChatState::paused, "paused"}, {ChatState::inactive, "inactive"},
      {ChatState::gone, "gone"},
  };
  for (const auto& [state, name] : states) {
    CAPTURE(name);
    CHECK(diff(chat_state_message(kContact, kUser, state),
               "<message from='juliet@gw.example' to='romeo@montague.example/phone' "
               "type='chat'><" +
                   std::string(name) +
                   " xmlns='http://jabber.org/protocol/chatstates'/>"
                   "<no-store xmlns='urn:xmpp:hints'/></message>") == "");
  }
  CHECK(diff(receipt_message(kContact, kUser, "u1"),
             "<message from='juliet@gw.example' to='romeo@montague.example/phone' type='chat'>"
             "<received xmlns='urn:xmpp:receipts' id='u1'/></message>") == "");
  CHECK(diff(displayed_message(kContact, kUser, "u2"),
             "<message from='juliet@gw.example' to='romeo@montague.example/phone' type='chat'>"
             "<displayed xmlns='urn:xmpp:chat-markers:0' id='u2'/></message>") == "");
}

TEST_CASE("stanzas: contact presences") {
  ContactPresence online{PresenceShow::online, "", std::nullopt};
  CHECK(diff(contact_presence(kContact, "romeo@montague.example", online, "", "", ""),
             "<presence from='juliet@gw.example' to='romeo@montague.example'>"
             "<x xmlns='vcard-temp:x:update'><photo/></x></presence>") == "");
  // Online with a last-seen time: no idle (the contact is active now); caps when given.
  online.last_seen = nov25_10h();
  CHECK(diff(contact_presence(kContact, "romeo@montague.example", online, "abc123",
                              "https://legate.example", "ver=="),
             "<presence from='juliet@gw.example' to='romeo@montague.example'>"
             "<x xmlns='vcard-temp:x:update'><photo>abc123</photo></x>"
             "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' "
             "node='https://legate.example' ver='ver=='/></presence>") == "");

  const std::pair<PresenceShow, std::string_view> shows[] = {
      {PresenceShow::away, "away"},
      {PresenceShow::busy, "dnd"},
      {PresenceShow::extended_away, "xa"},
  };
  for (const auto& [show, wire] : shows) {
    CAPTURE(wire);
    const ContactPresence p{show, "in a meeting", nov25_10h()};
    CHECK(diff(contact_presence(kContact, kUser, p, "", "n", "v"),
               "<presence from='juliet@gw.example' to='romeo@montague.example/phone'><show>" +
                   std::string(wire) +
                   "</show><status>in a meeting</status>"
                   "<idle xmlns='urn:xmpp:idle:1' since='2026-11-25T10:00:00Z'/>"
                   "<x xmlns='vcard-temp:x:update'><photo/></x>"
                   "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='n' ver='v'/>"
                   "</presence>") == "");
  }

  // Offline: unavailable, last seen as idle, avatar hash kept, no caps.
  const ContactPresence offline{PresenceShow::offline, "gone fishing", nov25_10h()};
  CHECK(diff(contact_presence(kContact, kUser, offline, "abc123", "n", "v"),
             "<presence from='juliet@gw.example' to='romeo@montague.example/phone' "
             "type='unavailable'><status>gone fishing</status>"
             "<idle xmlns='urn:xmpp:idle:1' since='2026-11-25T10:00:00Z'/>"
             "<x xmlns='vcard-temp:x:update'><photo>abc123</photo></x></presence>") == "");
  CHECK(diff(contact_presence(kContact, kUser, ContactPresence{}, "", "", ""),
             "<presence from='juliet@gw.example' to='romeo@montague.example/phone' "
             "type='unavailable'><x xmlns='vcard-temp:x:update'><photo/></x></presence>") == "");
}

TEST_CASE("stanzas: subscription request with and without nick") {
  CHECK(diff(subscription_request(kContact, "romeo@montague.example", "Juliet"),
             "<presence from='juliet@gw.example' to='romeo@montague.example' type='subscribe'>"
             "<nick xmlns='http://jabber.org/protocol/nick'>Juliet</nick></presence>") == "");
  CHECK(diff(subscription_request(kContact, "romeo@montague.example", ""),
             "<presence from='juliet@gw.example' to='romeo@montague.example' "
             "type='subscribe'/>") == "");
}

TEST_CASE("stanzas: vCard payload") {
  CHECK(diff(vcard("Juliet", "é秘密", "image/png"),
             "<vCard xmlns='vcard-temp'><NICKNAME>Juliet</NICKNAME><FN>Juliet</FN>"
             "<PHOTO><TYPE>image/png</TYPE><BINVAL>w6nnp5jlr4Y=</BINVAL></PHOTO></vCard>") == "");
  CHECK(diff(vcard("", "", ""), "<vCard xmlns='vcard-temp'/>") == "");
  CHECK(diff(vcard("Juliet", "", "image/png"),
             "<vCard xmlns='vcard-temp'><NICKNAME>Juliet</NICKNAME><FN>Juliet</FN>"
             "</vCard>") == "");
}

TEST_CASE("stanzas: base64 and sha1 vectors") {
  // RFC 4648 §10.
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
  CHECK(base64_encode("foob") == "Zm9vYg==");
  CHECK(base64_encode("fooba") == "Zm9vYmE=");
  CHECK(base64_encode("foobar") == "Zm9vYmFy");
  CHECK(base64_encode(std::string_view("\0\1\2\3\4\5\6\7\10\11", 10)) == "AAECAwQFBgcICQ==");
  // Longer than one internal chunk, not a multiple of 3 (checked against Python's base64).
  std::string big(100001, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 7 + 3) % 256);
  const std::string encoded = base64_encode(big);
  CHECK(encoded.size() == 133336);
  CHECK(encoded.find('\n') == std::string::npos);
  CHECK(sha1_hex(encoded) == "e5807c1db873dfea612ebb7b6ca5f8d7c4472c58");
  // FIPS 180 and the empty string.
  CHECK(sha1_hex("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d");
  CHECK(sha1_hex("") == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  CHECK(sha1_hex("é秘密") == "548740b0466f774a72eb78a22a4fbe5bcd16baba");
}

TEST_CASE("stanzas: XEP-0115 simple example ver") {
  const std::vector<std::string> features = {
      "http://jabber.org/protocol/disco#info", "http://jabber.org/protocol/muc",
      "http://jabber.org/protocol/caps", "http://jabber.org/protocol/disco#items"};
  CHECK(caps_ver({{"client", "pc", "Exodus 0.9.1"}}, features) == "QgayPKawpkPSDYmwT/WM94uAlu0=");
  // Input order and duplicates do not change the ver.
  std::vector<std::string> shuffled(features.rbegin(), features.rend());
  shuffled.push_back("http://jabber.org/protocol/muc");
  CHECK(caps_ver({{"client", "pc", "Exodus 0.9.1"}}, shuffled) == "QgayPKawpkPSDYmwT/WM94uAlu0=");
  const std::vector<Identity> two = {{"gateway", "smtp", "b"}, {"client", "pc", "a"}};
  const std::vector<Identity> two_reversed = {two[1], two[0]};
  CHECK(caps_ver(two, features) == caps_ver(two_reversed, features));
}

TEST_CASE("stanzas: contact features, disco#info and caps") {
  const Features none;
  CHECK(contact_features(none) == std::vector<std::string>{"http://jabber.org/protocol/caps",
                                                           "http://jabber.org/protocol/disco#info",
                                                           "urn:xmpp:receipts", "vcard-temp"});
  CHECK(diff(contact_disco_info(none, ""),
             "<query xmlns='http://jabber.org/protocol/disco#info'>"
             "<identity category='client' type='pc'/>"
             "<feature var='http://jabber.org/protocol/caps'/>"
             "<feature var='http://jabber.org/protocol/disco#info'/>"
             "<feature var='urn:xmpp:receipts'/><feature var='vcard-temp'/></query>") == "");
  // Checked against an independent Python implementation of §5.1.
  CHECK(contact_caps_ver(none, "") == "nObVzL10/85cyXwgqEbZmjhAQFQ=");

  Features all;
  all.corrections = all.retractions = all.reactions = all.markers = all.chat_states = all.replies =
      all.real_receipts = true;
  CHECK(diff(contact_disco_info(all, "Juliet"),
             "<query xmlns='http://jabber.org/protocol/disco#info'>"
             "<identity category='client' type='pc' name='Juliet'/>"
             "<feature var='http://jabber.org/protocol/caps'/>"
             "<feature var='http://jabber.org/protocol/chatstates'/>"
             "<feature var='http://jabber.org/protocol/disco#info'/>"
             "<feature var='urn:xmpp:chat-markers:0'/>"
             "<feature var='urn:xmpp:message-correct:0'/>"
             "<feature var='urn:xmpp:message-retract:1'/>"
             "<feature var='urn:xmpp:reactions:0'/><feature var='urn:xmpp:receipts'/>"
             "<feature var='urn:xmpp:reply:0'/><feature var='vcard-temp'/></query>") == "");
  CHECK(contact_caps_ver(all, "Juliet") == "pqGRm0TwHcl3BlhZ1oc9q470DOI=");
  CHECK(contact_caps_ver(all, "Juliet") ==
        caps_ver({{"client", "pc", "Juliet"}}, contact_features(all)));

  Features one;
  one.reactions = true;
  CHECK(contact_features(one).size() == 5);
}
