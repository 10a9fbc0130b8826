// Unit tests for XmlStreamParser: the same events however the bytes are split, and the exact
// stream error for DTDs, entities, comments, PIs, malformed XML, bad UTF-8 and encodings.
// Limits, false positives and reset() are in test_xml_stream_parser_limits.cpp.
#include "component/xml_stream_parser.hpp"

#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "component/xml_parse.hpp"
#include "tests/unit/xml_stream_test_util.hpp"

namespace legate {

using namespace legate::test;

namespace {

// A long status text (> 300 bytes, so libxml2 parses it before seeing '<') with multi-byte
// characters and a CR LF that a split can land between.
std::string long_status() {
  std::string s = "\xC3\xA9";                                                     // é
  for (int i = 0; i < 40; ++i) s += "\xE6\x97\xA5\xE6\x9C\xAC\xF0\x9F\x98\x80 ";  // 日本😀
  return s + "\r\nline two \r\n";
}

const std::string kSample =
    kHeader +
    "\n<message from='juliet@test/balcony' to='romeo@gw.test' type='chat' id='m1' "
    "xml:lang='fr'><body>Caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80 x&lt;y &amp; z "
    "&#38; &#x1F600; &gt; &quot;&apos;</body><thread>t1</thread>"
    "<active xmlns='http://jabber.org/protocol/chatstates'/></message>\n \t\n"
    "<message to='romeo@gw.test' id='a&amp;b' title='x&lt;y' q=\"it's\" dq='say \"hi\"' "
    "gt='a>b' ref='&#38;&#x1F600;\xC3\xA9' nl='a&#10;b&#9;c' tab='a\tb'>"
    "<x:data xmlns:x='urn:example:data' kind='nested'><x:item>one</x:item>"
    "<item xmlns='urn:example:other'>two</item></x:data>"
    "<body><![CDATA[<raw> & 'q' \"d\" \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80 ]]]]></body>"
    "</message>" +
    std::string(400, ' ') +
    "<iq type='get' id='q1' from='u@test/r' to='gw.test'>"
    "<query xmlns='http://jabber.org/protocol/disco#info'/></iq>"
    "<iq type='result' id='q2' to='u@test/r'/>\n"
    "<presence from='u@test/r'><status>" +
    long_status() + "</status></presence>\n" + std::string(kClose);

}  // namespace

TEST_CASE("parser: sample stream gives the expected events") {
  const Outcome out = run_whole(kSample);
  REQUIRE_MESSAGE(out.ok, condition_name(out.failure));
  CHECK(out.events.log == "osssssc");
  REQUIRE(out.events.header);
  const Element& h = *out.events.header;
  CHECK(h.is("stream", "http://etherx.jabber.org/streams"));
  CHECK(h.attr_or("from") == "gw.test");
  CHECK(h.attr_or("id") == "abc");
  CHECK(h.attr_or("xmlns") == "jabber:component:accept");
  REQUIRE(out.events.stanzas.size() == 5);

  const Element& m1 = out.events.stanzas[0];
  CHECK(m1.is("message", "jabber:component:accept"));
  CHECK(m1.attr_or("xml:lang") == "fr");
  CHECK(m1.child_text("body", "jabber:component:accept") ==
        "Caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80 x<y & z & \xF0\x9F\x98\x80 > \"'");
  CHECK(m1.child_text("thread", "jabber:component:accept") == "t1");
  CHECK(m1.child("active", "http://jabber.org/protocol/chatstates") != nullptr);

  const Element& m2 = out.events.stanzas[1];
  CHECK(m2.attr_or("id") == "a&b");
  CHECK(m2.attr_or("title") == "x<y");
  CHECK(m2.attr_or("q") == "it's");
  CHECK(m2.attr_or("dq") == "say \"hi\"");
  CHECK(m2.attr_or("gt") == "a>b");
  CHECK(m2.attr_or("ref") == "&\xF0\x9F\x98\x80\xC3\xA9");
  CHECK(m2.attr_or("nl") == "a\nb\tc");
  CHECK(m2.attr_or("tab") == "a b");  // attribute-value normalisation
  const Element* data = m2.child("data", "urn:example:data");
  REQUIRE(data != nullptr);
  CHECK(data->attr_or("kind") == "nested");
  REQUIRE(data->children().size() == 2);
  CHECK(data->children()[0].is("item", "urn:example:data"));
  CHECK(data->children()[0].text() == "one");
  CHECK(data->children()[1].is("item", "urn:example:other"));
  CHECK(m2.child_text("body", "jabber:component:accept") ==
        "<raw> & 'q' \"d\" \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80 ]]");

  const Element& q1 = out.events.stanzas[2];
  CHECK(q1.is("iq", "jabber:component:accept"));
  REQUIRE(q1.first_child() != nullptr);
  CHECK(q1.first_child()->is("query", "http://jabber.org/protocol/disco#info"));
  CHECK(q1.first_child()->children().empty());
  CHECK(out.events.stanzas[3].children().empty());
  CHECK(out.events.stanzas[3].attr_or("id") == "q2");

  std::string status = long_status();
  for (std::size_t at; (at = status.find("\r\n")) != std::string::npos;) status.erase(at, 1);
  CHECK(out.events.stanzas[4].child_text("status", "jabber:component:accept") == status);
}

TEST_CASE("parser: every split of the sample stream gives identical events") {
  const Outcome whole = run_whole(kSample);
  REQUIRE(whole.ok);
  for (std::size_t at = 0; at <= kSample.size(); ++at) {
    const Outcome split = run_cuts(kSample, {at});
    const std::string diff = event_difference(whole.events, split.events);
    if (!split.ok || !diff.empty()) {
      FAIL_CHECK("split at " << at << ": " << condition_name(split.failure) << " " << diff);
    }
  }
  const Outcome bytewise = run_bytewise(kSample);
  CHECK_MESSAGE(bytewise.ok, condition_name(bytewise.failure));
  CHECK(event_difference(whole.events, bytewise.events) == "");
}

TEST_CASE("parser: DTDs, entities, comments and PIs are restricted-xml") {
  const std::string lol =
      "<!ENTITY lol 'lol'><!ENTITY lol2 '&lol;&lol;&lol;&lol;'>"
      "<!ENTITY lol3 '&lol2;&lol2;&lol2;&lol2;'>";
  const std::string body_ref = "<message><body>&lol3;</body></message>";
  struct Case {
    const char* name;
    std::string bytes;
  };
  const Case cases[] = {
      {"DOCTYPE in the prolog",
       std::string(kXmlDecl) + "<!DOCTYPE stream:stream>" + without_decl("<message/>")},
      {"billion laughs",
       std::string(kXmlDecl) + "<!DOCTYPE stream:stream [" + lol + "]>" + without_decl(body_ref)},
      {"external entity", "<!DOCTYPE s [<!ENTITY xxe SYSTEM 'file:///etc/passwd'>]>" +
                              without_decl("<message><body>&xxe;</body></message>")},
      {"external DTD", "<!DOCTYPE s SYSTEM 'file:///etc/passwd'>" + without_decl("")},
      {"undeclared entity in text", in_stream("<message><body>&foo;</body></message>")},
      {"undeclared entity in an attribute", in_stream("<message id='&foo;'/>")},
      {"PI between stanzas", in_stream("<message/><?evil x?><message/>")},
      {"PI inside a stanza", in_stream("<message><?evil x?></message>")},
      {"PI in the prolog", "<?xml-stylesheet href='x'?>" + without_decl("")},
      {"comment inside a stanza", in_stream("<message><body>a<!-- c -->b</body></message>")},
      {"comment between stanzas", in_stream("<message/><!-- c --><message/>")},
      {"comment in the prolog", "<!-- c -->" + without_decl("<message/>")},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    expect_failure(c.bytes, StreamCondition::restricted_xml);
  }
}

TEST_CASE("parser: malformed XML is not-well-formed") {
  const char* stanzas[] = {
      "<message><body>hi</message>",           // mismatched end tag
      "<message to=romeo@gw.test/>",           // unquoted attribute
      "<message id='1' id='2'/>",              // duplicate attribute
      "<message id='a<b'/>",                   // '<' in an attribute value
      "<foo:message/>",                        // undeclared element prefix
      "<message foo:id='1'/>",                 // undeclared attribute prefix
      "<message><body>\x01</body></message>",  // forbidden control character
      "<message><body>&#1;</body></message>",  // ... as a character reference
      "<message><body>&#xD800;</body></message>",
      "<message><body>&#x110000;</body></message>",
      "<message id='&#xFFFE;'/>",
  };
  for (const char* stanza : stanzas) {
    CAPTURE(stanza);
    expect_failure(in_stream(stanza), StreamCondition::not_well_formed);
  }
}

TEST_CASE("parser: invalid UTF-8 is not-well-formed in text, attributes and CDATA") {
  struct Bad {
    const char* name;
    const char* bytes;
  };
  const Bad sequences[] = {
      {"FF, never valid", "\xFF"},
      {"lone continuation byte 80", "\x80"},
      {"truncated E6 97 then ASCII", "\xE6\x97x"},
      {"overlong NUL C0 80", "\xC0\x80"},
      {"overlong 'A' C1 81", "\xC1\x81"},
      {"overlong '<' C0 BC", "\xC0\xBC"},
      {"overlong 'A' E0 81 81", "\xE0\x81\x81"},
      {"overlong 'A' F0 80 81 81", "\xF0\x80\x81\x81"},
      {"UTF-16 surrogate ED A0 80", "\xED\xA0\x80"},
      {"beyond U+10FFFF F4 90 80 80", "\xF4\x90\x80\x80"},
  };
  for (const auto& [name, bad] : sequences) {
    INFO(std::string(name));
    const std::string text = std::string("ok ") + bad + " ok";
    {
      INFO("in text");
      expect_failure(in_stream("<message><body>" + text + "</body></message>"),
                     StreamCondition::not_well_formed);
    }
    {
      INFO("in an attribute");
      expect_failure(in_stream("<message id='" + text + "'/>"), StreamCondition::not_well_formed);
    }
    {
      INFO("in CDATA");
      expect_failure(in_stream("<message><body><![CDATA[" + text + "]]></body></message>"),
                     StreamCondition::not_well_formed);
    }
  }
}

TEST_CASE("parser: encodings other than UTF-8 are unsupported-encoding") {
  const std::string rest = without_decl("<message><body>caf\xE9</body></message>");
  expect_failure("<?xml version='1.0' encoding='ISO-8859-1'?>" + rest,
                 StreamCondition::unsupported_encoding);
  expect_failure("<?xml version='1.0' encoding='x-no-such-encoding'?>" + rest,
                 StreamCondition::unsupported_encoding);
  std::string utf16 = "\xFF\xFE";  // UTF-16LE byte order mark, then the header in UTF-16LE
  for (char c : in_stream("<message/>")) utf16 += std::string{c, '\0'};
  expect_failure(utf16, StreamCondition::unsupported_encoding);
  // Declaring UTF-8 explicitly is fine, in either spelling.
  expect_success("<?xml version='1.0' encoding='UTF-8'?>" + without_decl("<message/>"));
  expect_success("<?xml version='1.0' encoding='utf-8'?>" + without_decl("<message/>"));
}

// Found by the fuzzer: a namespace name that is not a valid URI is still well-formed XML
// and must not end the stream (any user could otherwise drop the gateway's stream).
TEST_CASE("parser: namespace names that are not URIs, and '&' in them") {
  const std::string stream = kHeader +
                             "<message to='gw.test'><x xmlns='urn:a b'/><y xmlns='rel/ative'/>"
                             "<z xmlns='urn:a&amp;b'/></message>";
  for (const auto& outcome : {run_whole(stream), run_bytewise(stream)}) {
    REQUIRE(outcome.ok);
    REQUIRE(outcome.events.stanzas.size() == 1);
    const Element& m = outcome.events.stanzas[0];
    REQUIRE(m.children().size() == 3);
    CHECK(m.children()[0].ns() == "urn:a b");
    CHECK(m.children()[1].ns() == "rel/ative");
    CHECK(m.children()[2].ns() == "urn:a&b");
    CHECK(parse_element(m.str()).children()[2].ns() == "urn:a&b");
  }
  CHECK(parse_element("<a/>", "urn:it's").ns() == "urn:it's");
}

}  // namespace legate
