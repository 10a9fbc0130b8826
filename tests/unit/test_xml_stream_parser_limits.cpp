// Unit tests for XmlStreamParser's limits (stanza bytes, depth, attributes) with their exact
// boundaries, no false positives from large-in-total traffic, and reset().
#include "component/xml_stream_parser.hpp"

#include <doctest/doctest.h>

#include <string>

#include "tests/unit/xml_stream_test_util.hpp"

namespace legate {

using namespace legate::test;

TEST_CASE("parser: stanzas over the byte limit are a policy-violation") {
  const ParserLimits limits{4096, 32, 64};
  const std::string big(20000, 'x');
  expect_failure(in_stream("<message><body>" + big + "</body></message>"),
                 StreamCondition::policy_violation, limits);
  // A start tag that never ends.
  expect_failure(kHeader + "<message id='" + big, StreamCondition::policy_violation, limits);

  // The exact boundary: after a complete stanza, max_stanza_bytes bytes of an unfinished one
  // are accepted, one more are not.
  const std::string start = kHeader + "<presence/>";
  const std::string partial = "<message><body>" + big;
  const Outcome at_limit = run_cuts(start + partial.substr(0, 4096), {start.size()}, limits);
  CHECK_MESSAGE(at_limit.ok, condition_name(at_limit.failure));
  check_fails(run_cuts(start + partial.substr(0, 4097), {start.size()}, limits),
              StreamCondition::policy_violation);
  // A complete stanza is measured too, even when it arrives in one small feed: exactly
  // max_stanza_bytes bytes pass, one more fail, whole and byte by byte.
  auto message_of = [](std::size_t bytes) {
    const std::string open = "<message><body>", close = "</body></message>";
    return open + std::string(bytes - open.size() - close.size(), 'z') + close;
  };
  expect_success(in_stream("<presence/>" + message_of(4096)), limits);
  CHECK(run_bytewise(in_stream("<presence/>" + message_of(4096)), limits).ok);
  expect_failure(in_stream("<presence/>" + message_of(4097)), StreamCondition::policy_violation,
                 limits);
  expect_failure(in_stream("<presence/>" + message_of(10000)), StreamCondition::policy_violation,
                 limits);
  // The same directly after the stream header.
  expect_success(in_stream(message_of(4096)), limits);
  const Outcome after_header =
      run_cuts(kHeader + partial.substr(0, 4096), {kHeader.size()}, limits);
  CHECK_MESSAGE(after_header.ok, condition_name(after_header.failure));
  check_fails(run_cuts(kHeader + partial.substr(0, 4097), {kHeader.size()}, limits),
              StreamCondition::policy_violation);
}

TEST_CASE("parser: nesting deeper than max_depth is a policy-violation") {
  // max_depth counts the stanza element itself: max_depth levels pass, one more fails.
  for (std::size_t max_depth : {std::size_t{1}, std::size_t{8}, std::size_t{32}}) {
    CAPTURE(max_depth);
    const ParserLimits limits{4096, max_depth, 64};
    auto nested = [](std::size_t levels) {
      std::string open = "<message>", close = "</message>";
      for (std::size_t i = 1; i < levels; ++i) open += "<a>", close = "</a>" + close;
      return open + "text" + close;
    };
    const Outcome ok = run_whole(in_stream(nested(max_depth)), limits);
    CHECK_MESSAGE(ok.ok, condition_name(ok.failure));
    REQUIRE(ok.events.stanzas.size() == 1);
    std::size_t levels = 1;
    for (const Element* e = &ok.events.stanzas[0]; !e->children().empty(); e = e->first_child())
      ++levels;
    CHECK(levels == max_depth);
    expect_failure(in_stream(nested(max_depth + 1)), StreamCondition::policy_violation, limits);
  }
}

TEST_CASE("parser: more than max_attributes attributes is a policy-violation") {
  auto with_attributes = [](std::size_t n) {
    std::string s = "<message xmlns:p='urn:p'";  // namespace declarations do not count
    for (std::size_t i = 0; i < n; ++i) s += " a" + std::to_string(i) + "='v'";
    return s + "/>";
  };
  const ParserLimits limits{4096, 32, 8};
  const Outcome ok = run_whole(in_stream(with_attributes(8)), limits);
  CHECK_MESSAGE(ok.ok, condition_name(ok.failure));
  REQUIRE(ok.events.stanzas.size() == 1);
  CHECK(ok.events.stanzas[0].attributes().size() == 8);
  expect_failure(in_stream(with_attributes(9)), StreamCondition::policy_violation, limits);
  // The default limit, 64.
  expect_success(in_stream(with_attributes(64)));
  expect_failure(in_stream(with_attributes(65)), StreamCondition::policy_violation);
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
