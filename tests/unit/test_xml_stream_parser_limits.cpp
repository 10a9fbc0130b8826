// Unit tests for XmlStreamParser's limits: per-stanza ones (bytes, depth, attributes,
// attribute size) refuse one stanza and the stream goes on; the stream limit ends it. Exact
// boundaries, no false positives from large-in-total traffic, and reset().
#include "component/xml_stream_parser.hpp"

#include <doctest/doctest.h>

#include <string>

#include "tests/unit/xml_stream_test_util.hpp"

namespace legate {

using namespace legate::test;

TEST_CASE("parser: a stanza over the byte limit is refused alone, the stream goes on") {
  const ParserLimits limits{4096, 32, 64};
  const std::string big(20000, 'x');
  const Outcome out = expect_events(in_stream("<message id='m1' from='a@b/r' to='c@gw'><body>" +
                                              big + "</body></message>" + "<presence id='after'/>"),
                                    "orsc", limits);
  REQUIRE(out.events.refused.size() == 1);
  const Element& head = out.events.refused[0];
  CHECK(head.name() == "message");
  CHECK(head.attr_or("id") == "m1");
  CHECK(head.attr_or("from") == "a@b/r");
  CHECK(head.attr_or("to") == "c@gw");
  CHECK(head.children().empty());  // nothing of the body is kept
  CHECK(head.text().empty());
  CHECK(out.events.refusals[0].limit == StanzaRefusal::Limit::size);
  CHECK(out.events.refusals[0].text == "stanza larger than 4096 bytes");
  CHECK(out.events.stanzas[0].attr_or("id") == "after");

  // A complete stanza is measured too, even when it arrives in one small feed: exactly
  // max_stanza_bytes bytes pass, one more are refused, whole and byte by byte.
  auto message_of = [](std::size_t bytes) {
    const std::string open = "<message><body>", close = "</body></message>";
    return open + std::string(bytes - open.size() - close.size(), 'z') + close;
  };
  expect_events(in_stream("<presence/>" + message_of(4096)), "ossc", limits);
  expect_events(in_stream("<presence/>" + message_of(4097) + "<presence/>"), "osrsc", limits);
  expect_events(in_stream(message_of(4096)), "osc", limits);
  expect_events(in_stream(message_of(4097)), "orc", limits);

  // A start tag over the limit (one huge attribute list) is refused when it ends.
  std::string tag = "<message id='t1'";
  for (int i = 0; tag.size() < 6000; ++i) tag += " a" + std::to_string(i) + "='v'";
  const ParserLimits many_attributes{4096, 32, 100000};
  const Outcome tagged = expect_events(in_stream(tag + "/><presence/>"), "orsc", many_attributes);
  REQUIRE(tagged.events.refused.size() == 1);
  CHECK(tagged.events.refused[0].attr_or("id") == "t1");
  CHECK(tagged.events.refusals[0].limit == StanzaRefusal::Limit::size);
}

TEST_CASE("parser: beyond max_stream_bytes, one stanza closes the stream") {
  ParserLimits limits{4096, 32, 64};
  limits.max_stream_bytes = 16 * 1024;
  const std::string big(20000, 'x');
  expect_failure(in_stream("<message><body>" + big + "</body></message>"),
                 StreamCondition::policy_violation, limits);
  // A start tag that never ends.
  expect_failure(kHeader + "<message id='" + big, StreamCondition::policy_violation, limits);
  // The exact boundary: max_stream_bytes bytes of an unfinished stanza are accepted (it is
  // being refused), one more are not.
  const std::string start = kHeader + "<presence/>";
  const std::string partial = "<message><body>" + big;
  const Outcome at_limit = run_cuts(start + partial.substr(0, 16384), {start.size()}, limits);
  CHECK_MESSAGE(at_limit.ok, condition_name(at_limit.failure));
  check_fails(run_cuts(start + partial.substr(0, 16385), {start.size()}, limits),
              StreamCondition::policy_violation);
  const Outcome after_header =
      run_cuts(kHeader + partial.substr(0, 16384), {kHeader.size()}, limits);
  CHECK_MESSAGE(after_header.ok, condition_name(after_header.failure));
  check_fails(run_cuts(kHeader + partial.substr(0, 16385), {kHeader.size()}, limits),
              StreamCondition::policy_violation);
}

TEST_CASE("parser: nesting deeper than max_depth is refused, the stream goes on") {
  // max_depth counts the stanza element itself: max_depth levels pass, one more is refused.
  auto nested = [](std::size_t levels) {
    std::string open = "<message id='deep'>", close = "</message>";
    for (std::size_t i = 1; i < levels; ++i) open += "<a>", close = "</a>" + close;
    return open + "text" + close;
  };
  for (std::size_t max_depth : {std::size_t{1}, std::size_t{8}, std::size_t{32}}) {
    CAPTURE(max_depth);
    const ParserLimits limits{4096, max_depth, 64};
    const Outcome ok = expect_events(in_stream(nested(max_depth)), "osc", limits);
    REQUIRE(ok.events.stanzas.size() == 1);
    std::size_t levels = 1;
    for (const Element* e = &ok.events.stanzas[0]; !e->children().empty(); e = e->first_child())
      ++levels;
    CHECK(levels == max_depth);
    const Outcome deep =
        expect_events(in_stream(nested(max_depth + 1) + "<presence/>"), "orsc", limits);
    REQUIRE(deep.events.refusals.size() == 1);
    CHECK(deep.events.refusals[0].limit == StanzaRefusal::Limit::depth);
    CHECK(deep.events.refused[0].attr_or("id") == "deep");
  }
  // Far beyond libxml2's own limit (256 levels without XML_PARSE_HUGE): still one stanza
  // refused, never a stream error. 5,000 levels is what Prosody relays from a client.
  for (std::size_t levels : {std::size_t{40}, std::size_t{300}, std::size_t{5000}}) {
    CAPTURE(levels);
    const Outcome out = run_whole(in_stream(nested(levels) + "<presence/>"));
    CHECK_MESSAGE(out.ok, condition_name(out.failure));
    CHECK(out.events.log == "orsc");
  }
}

TEST_CASE("parser: more than max_attributes attributes is refused, the stream goes on") {
  auto with_attributes = [](std::size_t n, std::string_view xmlns = "") {
    std::string s = "<message from='a@b/r' to='c@gw' id='x' type='chat'" + std::string(xmlns);
    for (std::size_t i = 4; i < n; ++i) s += " a" + std::to_string(i) + "='v'";
    return s + "/>";
  };
  const ParserLimits limits{4096, 32, 8};
  const Outcome ok = expect_events(in_stream(with_attributes(8)), "osc", limits);
  REQUIRE(ok.events.stanzas.size() == 1);
  CHECK(ok.events.stanzas[0].attributes().size() == 8);
  const Outcome over = expect_events(in_stream(with_attributes(9)), "orc", limits);
  REQUIRE(over.events.refused.size() == 1);
  CHECK(over.events.refusals[0].limit == StanzaRefusal::Limit::attributes);
  // The head keeps what an error reply needs, and only that.
  const Element& head = over.events.refused[0];
  CHECK(head.attributes().size() == 4);
  CHECK(head.attr_or("from") == "a@b/r");
  CHECK(head.attr_or("type") == "chat");
  // Namespace declarations count: 7 attributes and 2 declarations are 9.
  expect_events(in_stream(with_attributes(7, " xmlns:p='urn:p' xmlns:q='urn:q'")), "orc", limits);
  // On a child element.
  expect_events(in_stream("<message><x a='1' b='2' c='3' d='4' e='5' f='6' g='7' h='8' i='9'/>"
                          "</message>"),
                "orc", limits);
  // The default limit, 64; and 10,000 (as a server relays them) is refused, not fatal.
  expect_events(in_stream(with_attributes(64)), "osc");
  expect_events(in_stream(with_attributes(65)), "orc");
  const Outcome many = run_whole(in_stream(with_attributes(10000) + "<presence/>"));
  CHECK_MESSAGE(many.ok, condition_name(many.failure));
  CHECK(many.events.log == "orsc");
}

TEST_CASE("parser: an attribute value over max_attribute_bytes is refused") {
  ParserLimits limits{16384, 32, 64};
  limits.max_attribute_bytes = 1024;
  const std::string at(1024, 'v'), over(1025, 'v');
  expect_events(in_stream("<message id='" + at + "'/>"), "osc", limits);
  const Outcome out =
      expect_events(in_stream("<message to='c@gw' id='" + over + "'/><presence/>"), "orsc", limits);
  REQUIRE(out.events.refused.size() == 1);
  CHECK(out.events.refusals[0].limit == StanzaRefusal::Limit::attribute_size);
  CHECK(out.events.refused[0].attr_or("to") == "c@gw");
  CHECK_FALSE(out.events.refused[0].attr("id"));  // too large to keep
  expect_events(in_stream("<message><x y='" + over + "'/></message>"), "orc", limits);
}

TEST_CASE("parser: refused stanzas in a row, interleaved with good ones, keep their order") {
  const ParserLimits limits{4096, 8, 8};
  const std::string deep =
      "<message id='d'><a><a><a><a><a><a><a><a/></a></a></a></a></a></a>"
      "</a></message>";
  const std::string big = "<message id='b'><body>" + std::string(5000, 'q') + "</body></message>";
  const std::string wide = "<iq id='w' type='get' a='1' b='2' c='3' d='4' e='5' f='6' g='7'/>";
  std::string stream, log = "o";
  for (int i = 0; i < 20; ++i) {
    stream += "<message id='g" + std::to_string(i) + "'/>" + deep + big + wide;
    log += "srrr";
  }
  const Outcome out = expect_events(in_stream(stream), log + "c", limits);
  REQUIRE(out.events.stanzas.size() == 20);
  CHECK(out.events.stanzas[19].attr_or("id") == "g19");
  REQUIRE(out.events.refused.size() == 60);
  CHECK(out.events.refused[3].attr_or("id") == "d");
  CHECK(out.events.refused[4].attr_or("id") == "b");
  CHECK(out.events.refused[5].attr_or("id") == "w");
}

TEST_CASE("parser: the stream header over a limit still ends the stream") {
  const ParserLimits limits{4096, 32, 4};
  expect_failure(
      "<stream:stream xmlns='jabber:component:accept' "
      "xmlns:stream='http://etherx.jabber.org/streams' from='gw.test' id='abc' a='1' b='2'>",
      StreamCondition::policy_violation, limits);
}

TEST_CASE("parser: no false positives from traffic that is large only in total") {
  const ParserLimits limits{4096, 32, 64};
  std::string many;
  while (many.size() < 10 * 4096) many += "<message to='a@b'><body>hello there</body></message>\n";
  const std::string stream = in_stream(many);
  const Outcome whole = run_whole(stream, limits);
  CHECK_MESSAGE(whole.ok, condition_name(whole.failure));
  const Outcome bytewise = run_bytewise(stream, limits);
  CHECK_MESSAGE(bytewise.ok, condition_name(bytewise.failure));
  CHECK(event_difference(whole.events, bytewise.events) == "");

  // Megabytes of whitespace keepalives between stanzas, in one feed (with the default limits
  // and a 4 KiB one), as a feed of their own, and as many one-byte feeds.
  const std::string spaces(4 * 1024 * 1024, ' ');
  const std::string keepalives = in_stream("<message/>" + spaces + "<message/>\n\t\r\n" + spaces);
  {
    INFO("4 MiB of whitespace, default limits");
    expect_success(keepalives);
  }
  {
    INFO("4 MiB of whitespace, 4 KiB stanza limit");
    expect_success(keepalives, limits);
  }
  {
    INFO("5000 spaces in a feed of their own, 4 KiB stanza limit");
    const std::string stream = in_stream("<message/>" + std::string(5000, ' ') + "<message/>");
    const std::size_t gap = kHeader.size() + 10;
    const Outcome out = run_cuts(stream, {gap, gap + 5000}, limits);
    CHECK_MESSAGE(out.ok, condition_name(out.failure));
  }
  {
    Recorder events;
    XmlStreamParser parser(events, limits);
    CHECK(parser.feed(kHeader + "<message/>"));
    bool ok = true;
    for (int i = 0; i < 200000 && ok; ++i) ok = parser.feed(i % 2 ? " " : "\n");
    CHECK_MESSAGE(ok, condition_name(parser.failure()));
    CHECK(parser.feed("<message/>" + std::string(kClose)));
    CHECK(events.log == "ossc");
  }

  // A stanza just under the limit, whole and byte by byte.
  const std::string prefix = "<message><body>", suffix = "</body></message>";
  const std::string under =
      "<presence/>" + prefix + std::string(4000 - prefix.size() - suffix.size(), 'y') + suffix;
  expect_success(in_stream(under), limits);
  const Outcome under_bytewise = run_bytewise(in_stream(under), limits);
  CHECK_MESSAGE(under_bytewise.ok, condition_name(under_bytewise.failure));
  CHECK(under_bytewise.events.log == "ossc");
}

TEST_CASE("parser: reset() starts a fresh stream, after a failure or mid-stream") {
  Recorder events;
  XmlStreamParser parser(events);
  CHECK_FALSE(parser.feed(in_stream("<message><!-- no --></message>")));
  REQUIRE(parser.failure());
  CHECK_FALSE(parser.feed(in_stream("<message/>")));
  parser.reset();
  CHECK_FALSE(parser.failure().has_value());
  CHECK(parser.feed(in_stream("<message id='1'/>")));
  CHECK(events.log == "oosc");  // the failed stream had opened
  REQUIRE(events.stanzas.size() == 1);
  CHECK(events.stanzas[0].attr_or("id") == "1");

  // After a clean close, and again half-way through a stanza: each new stream has a header.
  parser.reset();
  CHECK(parser.feed(kHeader + "<message><body>unfin"));
  parser.reset();
  CHECK(parser.feed(kHeader + "<message id='2'/>"));
  CHECK(events.log == "ooscoos");
  CHECK(events.stanzas.back().attr_or("id") == "2");
}

}  // namespace legate
