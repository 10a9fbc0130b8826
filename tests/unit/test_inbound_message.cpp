// classify_message: every kind, the priority between them, XEP-0461 fallback stripping in
// code points, the pre-0.4 retraction form, and what is ignored (errors, groupchat, no ids).
#include <doctest/doctest.h>

#include "component/xml_parse.hpp"
#include "legacy/contact_stanzas.hpp"

using namespace legate;
using Kind = InboundMessage::Kind;

namespace {

InboundMessage classify(std::string_view xml) {
  return classify_message(parse_element(xml));
}

}  // namespace

TEST_CASE("stanzas: inbound text, origin-id, receipt request and chat state") {
  InboundMessage m = classify(
      "<message type='chat' id='s1' from='romeo@montague.example/phone' to='juliet@gw.example'>"
      "<body>hello</body><request xmlns='urn:xmpp:receipts'/>"
      "<active xmlns='http://jabber.org/protocol/chatstates'/>"
      "<origin-id xmlns='urn:xmpp:sid:0' id='o1'/></message>");
  CHECK(m.kind == Kind::text);
  CHECK(m.id == "o1");
  CHECK(m.body == "hello");
  CHECK(m.wants_receipt);
  CHECK(m.chat_state == ChatState::active);
  CHECK(m.target_id.empty());
  CHECK_FALSE(m.reply_to_id.has_value());
  CHECK_FALSE(m.reply_to_jid.has_value());

  // No origin-id (or an empty one): the stanza id; no type means normal, accepted too.
  m = classify(
      "<message id='s2'><body>hi</body><origin-id xmlns='urn:xmpp:sid:0' id=''/>"
      "</message>");
  CHECK(m.kind == Kind::text);
  CHECK(m.id == "s2");
  CHECK_FALSE(m.wants_receipt);
  CHECK_FALSE(m.chat_state.has_value());
  // A text without any id is still delivered (there is just nothing to refer to it by).
  m = classify("<message type='chat'><body>anonymous</body></message>");
  CHECK(m.kind == Kind::text);
  CHECK(m.id.empty());
  // An empty body is no text.
  CHECK(classify("<message type='chat' id='s3'><body/></message>").kind == Kind::none);
}

TEST_CASE("stanzas: inbound chat state alone") {
  const std::pair<std::string_view, ChatState> states[] = {
      {"active", ChatState::active}, {"composing", ChatState::composing},
      {"paused", ChatState::paused}, {"inactive", ChatState::inactive},
      {"gone", ChatState::gone},
  };
  for (const auto& [name, state] : states) {
    CAPTURE(name);
    InboundMessage m = classify("<message type='chat' id='c'><" + std::string(name) +
                                " xmlns='http://jabber.org/protocol/chatstates'/></message>");
    CHECK(m.kind == Kind::chat_state);
    CHECK(m.chat_state == state);
  }
  // Nothing recognisable at all.
  CHECK(classify("<message type='chat' id='x'><thread>t</thread></message>").kind == Kind::none);
}

TEST_CASE("stanzas: inbound correction, retraction, reaction, displayed") {
  InboundMessage m = classify(
      "<message type='chat' id='c1'><body>fixed</body>"
      "<replace xmlns='urn:xmpp:message-correct:0' id='m1'/></message>");
  CHECK(m.kind == Kind::correction);
  CHECK(m.id == "c1");
  CHECK(m.target_id == "m1");
  CHECK(m.body == "fixed");

  m = classify(
      "<message type='chat' id='r1'><retract xmlns='urn:xmpp:message-retract:1' id='m1'/>"
      "<fallback xmlns='urn:xmpp:fallback:0' for='urn:xmpp:message-retract:1'/>"
      "<body>/me retracted a message</body><store xmlns='urn:xmpp:hints'/></message>");
  CHECK(m.kind == Kind::retraction);
  CHECK(m.target_id == "m1");

  m = classify(
      "<message type='chat' id='r2'><apply-to xmlns='urn:xmpp:fasten:0' id='m2'>"
      "<retract xmlns='urn:xmpp:message-retract:0'/></apply-to>"
      "<body>old client fallback</body></message>");
  CHECK(m.kind == Kind::retraction);
  CHECK(m.target_id == "m2");
  // A fastening of something other than a retraction is not one.
  CHECK(classify("<message type='chat' id='r3'><apply-to xmlns='urn:xmpp:fasten:0' id='m2'>"
                 "<other xmlns='urn:example'/></apply-to></message>")
            .kind == Kind::none);

  m = classify(
      "<message type='chat' id='e1'><reactions xmlns='urn:xmpp:reactions:0' id='m1'>"
      "<reaction>👍</reaction><reaction>❤️</reaction><reaction>👍</reaction><reaction/>"
      "</reactions><store xmlns='urn:xmpp:hints'/></message>");
  CHECK(m.kind == Kind::reaction);
  CHECK(m.target_id == "m1");
  CHECK(m.emojis == std::vector<std::string>{"👍", "❤️"});
  // An empty set removes the user's reactions.
  m = classify(
      "<message type='chat' id='e2'><reactions xmlns='urn:xmpp:reactions:0' id='m1'/>"
      "</message>");
  CHECK(m.kind == Kind::reaction);
  CHECK(m.emojis.empty());

  m = classify(
      "<message type='chat' id='d1'>"
      "<displayed xmlns='urn:xmpp:chat-markers:0' id='m9'/></message>");
  CHECK(m.kind == Kind::displayed);
  CHECK(m.target_id == "m9");
}

TEST_CASE("stanzas: inbound priority between kinds") {
  // Retraction beats correction beats reaction beats displayed beats text.
  CHECK(classify("<message type='chat' id='p'><body>b</body>"
                 "<replace xmlns='urn:xmpp:message-correct:0' id='m1'/>"
                 "<retract xmlns='urn:xmpp:message-retract:1' id='m2'/></message>")
            .kind == Kind::retraction);
  CHECK(classify("<message type='chat' id='p'><body>b</body>"
                 "<reactions xmlns='urn:xmpp:reactions:0' id='m1'/>"
                 "<replace xmlns='urn:xmpp:message-correct:0' id='m2'/></message>")
            .kind == Kind::correction);
  CHECK(classify("<message type='chat' id='p'><body>b</body>"
                 "<displayed xmlns='urn:xmpp:chat-markers:0' id='m2'/>"
                 "<reactions xmlns='urn:xmpp:reactions:0' id='m1'/></message>")
            .kind == Kind::reaction);
  CHECK(classify("<message type='chat' id='p'><body>b</body>"
                 "<displayed xmlns='urn:xmpp:chat-markers:0' id='m2'/></message>")
            .kind == Kind::displayed);
  // A replace without a body is no correction: here it leaves a chat state.
  InboundMessage m = classify(
      "<message type='chat' id='p'>"
      "<replace xmlns='urn:xmpp:message-correct:0' id='m2'/>"
      "<composing xmlns='http://jabber.org/protocol/chatstates'/>"
      "</message>");
  CHECK(m.kind == Kind::chat_state);
  CHECK(m.chat_state == ChatState::composing);
}

TEST_CASE("stanzas: inbound reply strips the quoted fallback in code points") {
  // "> 日本語\n" is 6 code points but 12 bytes: byte offsets would eat "reply ".
  InboundMessage m = classify(
      "<message type='chat' id='q1'><body>&gt; 日本語\nreply text 🎉</body>"
      "<reply xmlns='urn:xmpp:reply:0' to='juliet@gw.example' id='m5'/>"
      "<fallback xmlns='urn:xmpp:fallback:0' for='urn:xmpp:reply:0'>"
      "<body start='0' end='6'/></fallback></message>");
  CHECK(m.kind == Kind::text);
  CHECK(m.body == "reply text 🎉");
  CHECK(m.reply_to_id == "m5");
  CHECK(m.reply_to_jid == "juliet@gw.example");

  // A range in the middle, after a 4-byte character.
  m = classify(
      "<message type='chat' id='q2'><body>ab🎉&gt; q\ncd</body>"
      "<reply xmlns='urn:xmpp:reply:0' id='m6'/>"
      "<fallback xmlns='urn:xmpp:fallback:0' for='urn:xmpp:reply:0'>"
      "<body start='3' end='7'/></fallback></message>");
  CHECK(m.body == "ab🎉cd");
  CHECK(m.reply_to_id == "m6");
  CHECK_FALSE(m.reply_to_jid.has_value());

  // Also in a correction of a reply.
  m = classify(
      "<message type='chat' id='q3'><body>&gt; é\nfixed</body>"
      "<replace xmlns='urn:xmpp:message-correct:0' id='q1'/>"
      "<reply xmlns='urn:xmpp:reply:0' id='m5'/>"
      "<fallback xmlns='urn:xmpp:fallback:0' for='urn:xmpp:reply:0'>"
      "<body start='0' end='4'/></fallback></message>");
  CHECK(m.kind == Kind::correction);
  CHECK(m.body == "fixed");

  // Out-of-range, reversed or malformed ranges and other fallbacks leave the body alone.
  for (std::string_view range : {"start='0' end='99'", "start='4' end='2'", "start='x' end='2'",
                                 "start='0'", "start='-1' end='2'"}) {
    CAPTURE(range);
    m = classify(
        "<message type='chat' id='q4'><body>&gt; a\nb</body>"
        "<fallback xmlns='urn:xmpp:fallback:0' for='urn:xmpp:reply:0'><body " +
        std::string(range) + "/></fallback></message>");
    CHECK(m.body == "> a\nb");
  }
  m = classify(
      "<message type='chat' id='q5'><body>&gt; a\nb</body>"
      "<fallback xmlns='urn:xmpp:fallback:0' for='urn:example'>"
      "<body start='0' end='4'/></fallback></message>");
  CHECK(m.body == "> a\nb");
}

TEST_CASE("stanzas: inbound error, groupchat and missing ids are ignored") {
  CHECK(classify("<message type='error' id='x'><body>hi</body></message>").kind == Kind::none);
  CHECK(classify("<message type='groupchat' id='x'><body>hi</body></message>").kind == Kind::none);
  CHECK(classify("<presence id='x'><body>hi</body></presence>").kind == Kind::none);
  // A reference without its id must not degrade into a text (the retraction fallback body
  // would reach the contact).
  for (std::string_view payload :
       {"<retract xmlns='urn:xmpp:message-retract:1'/>",
        "<apply-to xmlns='urn:xmpp:fasten:0'><retract xmlns='urn:xmpp:message-retract:0'/>"
        "</apply-to>",
        "<replace xmlns='urn:xmpp:message-correct:0' id=''/>",
        "<reactions xmlns='urn:xmpp:reactions:0'><reaction>👍</reaction></reactions>",
        "<displayed xmlns='urn:xmpp:chat-markers:0'/>"}) {
    CAPTURE(payload);
    InboundMessage m = classify("<message type='chat' id='x'><body>text</body>" +
                                std::string(payload) + "</message>");
    CHECK(m.kind == Kind::none);
    CHECK(m.body.empty());
  }
}
