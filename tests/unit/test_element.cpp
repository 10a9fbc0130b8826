// Unit tests for Element (attributes, children, structural comparison), its serialiser and
// the XML escaping rules, and parse_element round trips.
#include "component/element.hpp"

#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "component/xml_escape.hpp"
#include "component/xml_parse.hpp"

namespace legate {
namespace {

constexpr std::string_view kClient = "jabber:client";
constexpr std::string_view kFffd = "\xEF\xBF\xBD";  // U+FFFD

std::string text_escaped(std::string_view s) {
  std::string out = "[";  // checks that append_* append rather than overwrite
  append_escaped_text(out, s);
  return out.substr(1);
}

std::string attr_escaped(std::string_view s) {
  std::string out = "[";
  append_escaped_attr(out, s);
  return out.substr(1);
}

// Every byte sequence below that is not valid XML text; each appears between "a" and "z".
const std::vector<std::string> kInvalid = {
    std::string(1, '\0'),
    "\x01",
    "\x0B",
    "\x0C",
    "\x1F",
    "\xFF",
    "\xFE",
    "\x80",
    "\xBF",
    "\xE6\x97",          // truncated
    "\xC0\x80",          // overlong NUL
    "\xC1\x81",          // overlong 'A'
    "\xE0\x81\x81",      // overlong 'A', three bytes
    "\xF0\x80\x81\x81",  // overlong 'A', four bytes
    "\xED\xA0\x80",      // UTF-16 surrogate
    "\xED\xBF\xBF",      // UTF-16 surrogate
    "\xEF\xBF\xBE",      // U+FFFE
    "\xEF\xBF\xBF",      // U+FFFF
    "\xF4\x90\x80\x80",  // beyond U+10FFFF
    "\xF8\x88\x80\x80\x80",
};

Element sample_message() {
  Element m("message", std::string(kClient));
  m.set_attr("to", "romeo@gw.test").set_attr("type", "chat").set_attr("xml:lang", "en");
  m.add_child("body", std::string(kClient)).set_text("hi & bye");
  m.add_child("active", "http://jabber.org/protocol/chatstates");
  return m;
}

}  // namespace

TEST_CASE("element: attributes get, set, overwrite and remove") {
  Element e("iq", std::string(kClient));
  CHECK(e.is("iq", kClient));
  CHECK_FALSE(e.is("iq", "jabber:server"));
  CHECK_FALSE(e.attr("id").has_value());
  CHECK(e.attr_or("id") == "");
  CHECK(e.attr_or("id", "none") == "none");

  e.set_attr("id", "1").set_attr("type", "get").set_attr("empty", "");
  REQUIRE(e.attr("id").has_value());
  CHECK(*e.attr("id") == "1");
  REQUIRE(e.attr("empty").has_value());  // empty is not missing
  CHECK(e.attr("empty")->empty());
  CHECK(e.attr_or("empty", "fallback") == "");

  e.set_attr("id", "2");  // overwrites in place: no duplicate, order kept
  REQUIRE(e.attributes().size() == 3);
  CHECK(e.attributes()[0] == Attribute{"id", "2"});
  CHECK(e.attributes()[1] == Attribute{"type", "get"});

  CHECK(e.remove_attr("type"));
  CHECK_FALSE(e.remove_attr("type"));
  CHECK_FALSE(e.attr("type").has_value());
  CHECK(e.attributes().size() == 2);
  CHECK_FALSE(e.attr("ID").has_value());  // names are case-sensitive
}

TEST_CASE("element: child lookup, child_text and remove_children") {
  Element m = sample_message();
  m.add_child("body", "urn:other").set_text("other");
  m.add_child("body", std::string(kClient)).set_text("second");

  REQUIRE(m.child("body", kClient) != nullptr);
  CHECK(m.child("body", kClient)->text() == "hi & bye");  // the first match
  CHECK(m.child_text("body", "urn:other") == "other");
  CHECK(m.child("body", "urn:nope") == nullptr);
  CHECK(m.child("subject", kClient) == nullptr);
  CHECK(m.child_text("subject", kClient) == "");
  REQUIRE(m.first_child() != nullptr);
  CHECK(m.first_child()->name() == "body");
  CHECK(Element("iq", "x").first_child() == nullptr);

  m.child("body", kClient)->set_text("changed");  // the non-const overload is writable
  CHECK(m.child_text("body", kClient) == "changed");

  CHECK(m.remove_children("body", kClient) == 2);
  CHECK(m.remove_children("body", kClient) == 0);
  REQUIRE(m.children().size() == 2);
  CHECK(m.children()[0].is("active", "http://jabber.org/protocol/chatstates"));
  CHECK(m.children()[1].is("body", "urn:other"));
}

TEST_CASE("element: xmlns is written only where the namespace changes") {
  CHECK(Element("message", "jabber:client").str() == "<message xmlns='jabber:client'/>");
  CHECK(Element("message", "jabber:client").str("jabber:client") == "<message/>");

  Element a("a", "ns1");
  Element& c = a.add_child("b", "ns1").add_child("c", "ns2");
  c.add_child("d", "ns2").add_child("e", "ns1");
  c.add_child("f", "");
  CHECK(a.str() ==
        "<a xmlns='ns1'><b><c xmlns='ns2'><d><e xmlns='ns1'/></d><f xmlns=''/></c></b></a>");
  CHECK(a.str("ns1") == "<a><b><c xmlns='ns2'><d><e xmlns='ns1'/></d><f xmlns=''/></c></b></a>");

  CHECK(sample_message().str() ==
        "<message xmlns='jabber:client' to='romeo@gw.test' type='chat' xml:lang='en'>"
        "<body>hi &amp; bye</body><active xmlns='http://jabber.org/protocol/chatstates'/>"
        "</message>");

  std::string out = "prefix:";
  Element("x", "y").append_to(out, "y");
  CHECK(out == "prefix:<x/>");
}

TEST_CASE("element: escaping of text and attribute values") {
  CHECK(text_escaped("a & b < c > d") == "a &amp; b &lt; c &gt; d");
  CHECK(text_escaped("'quotes' \"kept\" ]]>") == "'quotes' \"kept\" ]]&gt;");
  CHECK(text_escaped("tab\tand\nnewline") == "tab\tand\nnewline");
  CHECK(text_escaped("cr\r\n") == "cr&#13;\n");  // a raw CR would be normalised away
  CHECK(attr_escaped("a&b<c>d'e\"f") == "a&amp;b&lt;c&gt;d&apos;e&quot;f");
  CHECK(attr_escaped("line\none\ttab\rcr") == "line&#10;one&#9;tab&#13;cr");
  CHECK(text_escaped("") == "");
  CHECK(attr_escaped("&amp;") == "&amp;amp;");  // no double-decoding: escaped as given

  Element e("x", "urn:x");
  e.set_attr("v", "1 < 2 & 'a' \"b\"\n").set_text("x<y & z>w");
  CHECK(e.str() ==
        "<x xmlns='urn:x' v='1 &lt; 2 &amp; &apos;a&apos; &quot;b&quot;&#10;'>"
        "x&lt;y &amp; z&gt;w</x>");
}

TEST_CASE("element: invalid UTF-8 and forbidden characters are replaced, nothing else") {
  const std::string valid =
      "Caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80 \xEE\x80\x80 \xEF\xBF\xBD "
      "\xF4\x8F\xBF\xBF \xC2\x80 \xDF\xBF \xE0\xA0\x80";  // é 日本 😀 U+E000 U+FFFD U+10FFFF ...
  CHECK(is_valid_xml_text(valid));
  CHECK(text_escaped(valid) == valid);
  CHECK(attr_escaped(valid) == valid);

  // A single bad byte becomes exactly one U+FFFD.
  const std::string one = "a" + std::string(kFffd) + "z";
  for (const char* bad : {"\x01", "\x0B", "\x1F", "\xFF", "\x80"}) {
    CAPTURE(static_cast<int>(static_cast<unsigned char>(bad[0])));
    CHECK(text_escaped(std::string("a") + bad + "z") == one);
    CHECK(attr_escaped(std::string("a") + bad + "z") == one);
  }
  CHECK(text_escaped(std::string("a\0z", 3)) == one);

  // A bad sequence becomes one U+FFFD per byte at most; what follows is kept.
  for (const std::string& bad : kInvalid) {
    CAPTURE(bad.size());
    CAPTURE(static_cast<int>(static_cast<unsigned char>(bad[0])));
    for (bool attr : {false, true}) {
      const std::string in = "a" + bad + "\xC3\xA9z";
      const std::string escaped = attr ? attr_escaped(in) : text_escaped(in);
      CHECK(is_valid_xml_text(escaped));
      std::string_view out = escaped;
      REQUIRE(out.substr(0, 1) == "a");
      out.remove_prefix(1);
      std::size_t replacements = 0;
      for (; out.substr(0, kFffd.size()) == kFffd; ++replacements) out.remove_prefix(kFffd.size());
      CHECK(replacements >= 1);
      CHECK(replacements <= bad.size());
      CHECK(out == "\xC3\xA9z");
    }
  }
  // In an element, too.
  Element e("body", "urn:x");
  e.set_text(
       "ok\x01\xFF"
       "ok")
      .set_attr("a", "\x0B");
  CHECK(e.str() == "<body xmlns='urn:x' a='\xEF\xBF\xBD'>ok\xEF\xBF\xBD\xEF\xBF\xBDok</body>");
}

TEST_CASE("element: is_valid_xml_text") {
  struct Row {
    std::string text;
    bool valid;
  };
  const Row rows[] = {
      {"", true},
      {"plain ASCII <&> 'q' \"d\"", true},
      {"\t\n\r", true},
      {"\xC3\xA9\xE6\x97\xA5\xF0\x9F\x98\x80", true},
      {"\xEE\x80\x80\xEF\xBF\xBD\xF4\x8F\xBF\xBF", true},  // U+E000, U+FFFD, U+10FFFF
      {"\xED\x9F\xBF\xEE\x80\x80", true},                  // U+D7FF, U+E000: around surrogates
      {"\x7F", true},                                      // DEL is an XML Char
  };
  for (const auto& row : rows) {
    CAPTURE(row.text);
    CHECK(is_valid_xml_text(row.text) == row.valid);
  }
  for (const std::string& bad : kInvalid) {
    CAPTURE(bad.size());
    CAPTURE(static_cast<int>(static_cast<unsigned char>(bad[0])));
    CHECK_FALSE(is_valid_xml_text(bad));
    CHECK_FALSE(is_valid_xml_text("ok " + bad + " ok"));
  }
}

TEST_CASE("element: parse_element(e.str()) gives back e") {
  std::vector<Element> elements;
  elements.push_back(sample_message());
  elements.push_back(Element("iq", "jabber:component:accept"));
  Element tricky("message", "jabber:component:accept");
  tricky.set_attr("id", "a&b<c>d'e\"f").set_attr("ws", " \n\t\r x ").set_attr("ref", "&#38;&amp;");
  tricky.set_attr("xml:lang", "fr").set_attr("emoji", "\xF0\x9F\x98\x80");
  tricky.add_child("body", "jabber:component:accept")
      .set_text(
          "  x<y & z>w ]]> 'q' \"d\" \r\n\t Caf\xC3\xA9 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80 "
          " ");
  Element& payload = tricky.add_child("data", "urn:example:data");
  payload.add_child("item", "urn:example:data").set_text("&#38;");
  payload.add_child("item", "urn:example:other").add_child("deep", "urn:example:data");
  payload.add_child("none", "");
  elements.push_back(tricky);
  Element mixed("presence", "jabber:component:accept");
  mixed.set_text("text before children");
  mixed.add_child("status", "jabber:component:accept").set_text("away");
  elements.push_back(mixed);

  for (const Element& e : elements) {
    const std::string xml = e.str();
    CAPTURE(xml);
    const Element back = parse_element(xml);
    CHECK(structural_difference(e, back) == "");
    CHECK(back.attributes() == e.attributes());  // exactly, whitespace and order included
    CHECK(back.str() == xml);                    // so text is exact, too
  }

  // Invalid input comes back replaced, and then round-trips.
  Element bad("body", "jabber:component:accept");
  bad.set_text(
         "a\x01"
         "b\xFF"
         "c")
      .set_attr("v", "\xC0\x80");
  const Element back = parse_element(bad.str());
  CHECK(back.text() ==
        "a\xEF\xBF\xBD"
        "b\xEF\xBF\xBD"
        "c");
  CHECK(back.attr_or("v") == "\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST_CASE("element: parse_element namespaces and errors") {
  CHECK(parse_element("<message/>").ns() == "jabber:component:accept");
  CHECK(parse_element("<message/>", "jabber:client").ns() == "jabber:client");
  CHECK(parse_element("<x xmlns='urn:x'><y/></x>").children()[0].ns() == "urn:x");
  CHECK(parse_element("<p:x xmlns:p='urn:p'/>").is("x", "urn:p"));

  const char* bad[] = {
      "",
      "not xml",
      "<a>",
      "<a></b>",
      "<a x='1' x='2'/>",
      "<a x=1/>",
      "<a>&foo;</a>",
      "<a><!-- c --></a>",
      "<?pi x?><a/>",
      "<p:a/>",
      "<a>\xFF</a>",
      "<a x='<'/>",
  };
  for (const char* xml : bad) {
    CAPTURE(std::string(xml));
    CHECK_THROWS_AS(parse_element(xml), std::invalid_argument);
  }
}

TEST_CASE("element: structural_difference") {
  Element a("message", "jabber:client");
  a.set_attr("to", "x").set_attr("from", "y");
  a.add_child("body", "jabber:client").set_text("hello world");
  a.add_child("thread", "jabber:client");
  Element b("message", "jabber:client");
  b.set_attr("from", "y").set_attr("to", "x");  // other order
  b.add_child("body", "jabber:client").set_text("\n  hello world \t\n");
  b.add_child("thread", "jabber:client").set_text(" \r\n");
  CHECK(structural_difference(a, b) == "");
  CHECK(structurally_equal(a, b));

  auto differs = [&](const Element& other) {
    CHECK_FALSE(structurally_equal(a, other));
    CHECK(structural_difference(a, other) != "");
    CHECK(structural_difference(other, a) != "");
  };
  Element c = b;
  c.set_ns("jabber:server");
  differs(c);
  c = b;
  c.set_name("presence");
  differs(c);
  c = b;
  c.set_attr("to", "z");
  differs(c);
  c = b;
  c.remove_attr("to");
  differs(c);
  c = b;
  c.remove_attr("to");
  c.set_attr("too", "x");  // same count, other name
  differs(c);
  c = b;
  c.set_attr("id", "1");
  differs(c);
  c = b;
  c.children()[0].set_text("hello  world");  // inner whitespace matters
  differs(c);
  c = b;
  c.children()[0].set_ns("urn:other");
  differs(c);
  c = b;
  c.children()[0].add_child("x", "urn:x");
  differs(c);
  c = b;
  c.add_child("x", "jabber:client");
  differs(c);
  c = b;
  std::swap(c.children()[0], c.children()[1]);  // same children, other order
  differs(c);
}

}  // namespace legate
