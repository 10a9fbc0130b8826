// legate-fuzz-stream: libFuzzer target for legate::XmlStreamParser (see fuzz/README.md).
// Input layout: bytes 0-1 (big-endian) choose where the rest is split into two feed()
// calls; the rest is the stream as the server would send it. Besides the sanitizers, it
// checks these invariants and aborts when one breaks:
//  - feed() returns false exactly when failure() is set, and keeps returning false after;
//  - splitting the bytes differently changes nothing: one feed() of the whole input gives
//    the same events, stanzas and failure as the two-piece feed (except that one of them
//    may still be waiting for the end of a construct the other has found broken);
//  - every stanza serialises to XML that parse_element() accepts and that is structurally
//    equal to the stanza (round trip);
//  - reset() gives a fresh parser: the same input fed again gives the same events.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "component/element.hpp"
#include "component/xml_parse.hpp"
#include "component/xml_stream_parser.hpp"

namespace {

using legate::Element;

// Everything observable about one parse, to compare parses of the same bytes.
struct Recorder : legate::StreamEvents {
  std::vector<std::string> events;  // "open <header>", "stanza <xml>", "close"
  std::vector<Element> stanzas;
  void on_stream_open(const Element& header) override { events.push_back("open " + header.str()); }
  void on_stanza(Element& stanza) override {
    events.push_back("stanza " + stanza.str());
    stanzas.push_back(std::move(stanza));
  }
  void on_refused_stanza(const Element& head, const legate::StanzaRefusal& why) override {
    events.push_back("refused " + head.str() + " " + std::string(legate::limit_name(why.limit)));
  }
  void on_stream_close() override { events.push_back("close"); }
};

struct Outcome {
  std::vector<std::string> events;
  std::optional<legate::StreamCondition> failure;
};

[[noreturn]] void broken(const char* invariant, const std::string& detail) {
  std::fprintf(stderr, "\n*** invariant broken: %s\n%s\n", invariant, detail.c_str());
  std::fflush(stderr);
  std::abort();
}

// Feeds `pieces` in order, checking the feed()/failure() contract after each.
void feed_all(legate::XmlStreamParser& parser, const std::vector<std::string_view>& pieces) {
  bool failed = false;
  for (std::string_view piece : pieces) {
    const bool ok = parser.feed(piece);
    if (ok == parser.failure().has_value())
      broken("feed() returns false exactly when failure() is set",
             ok ? "feed() returned true with a failure set" : "feed() false without failure");
    if (failed && ok) broken("feed() stays false after a failure", "it returned true again");
    failed = !ok;
  }
  if (failed && parser.feed("<x/>")) broken("feed() stays false after a failure", "later feed");
}

Outcome outcome_of(const Recorder& recorder, const legate::XmlStreamParser& parser) {
  Outcome out{recorder.events, std::nullopt};
  if (parser.failure()) out.failure = parser.failure()->condition;
  return out;
}

std::string describe(const Outcome& o) {
  std::string s = o.failure ? "failed: " + std::string(legate::to_string(*o.failure)) : "ok";
  s += ", " + std::to_string(o.events.size()) + " events";
  for (const auto& e : o.events) s += "\n  " + e.substr(0, 200);
  return s;
}

void compare(const char* invariant, const Outcome& a, const Outcome& b) {
  if (a.events != b.events || a.failure != b.failure)
    broken(invariant, "first:  " + describe(a) + "\nsecond: " + describe(b));
}

// Different chunking may find an error sooner: libxml2 checks an incomplete construct at
// once in one run while the other still waits for its end (and it may report the start of
// a broken start tag just before failing). So: same events when neither or both failed
// (and then the same condition); when only one failed, the other, still waiting for
// bytes, must have delivered a prefix of its events.
// Input both malformed and restricted (a broken DOCTYPE) is named by whichever check
// libxml2 reaches first, which depends on the chunking: both refuse it as bad XML.
bool same_condition(const std::optional<legate::StreamCondition>& a,
                    const std::optional<legate::StreamCondition>& b) {
  using C = legate::StreamCondition;
  auto bad_xml = [](C c) { return c == C::not_well_formed || c == C::restricted_xml; };
  return a == b || (a && b && bad_xml(*a) && bad_xml(*b));
}

void compare_chunkings(const Outcome& split, const Outcome& whole) {
  const bool same_failure = split.failure.has_value() == whole.failure.has_value();
  const Outcome& behind = split.failure ? whole : split;
  const Outcome& ahead = split.failure ? split : whole;
  const bool prefix = behind.events.size() <= ahead.events.size() &&
                      std::equal(behind.events.begin(), behind.events.end(), ahead.events.begin());
  if (same_failure ? (split.events != whole.events || !same_condition(split.failure, whole.failure))
                   : !prefix)
    broken("the split point does not change the parse",
           "split: " + describe(split) + "\nwhole: " + describe(whole));
}

void check_round_trip(const Element& stanza) {
  const std::string xml = stanza.str();
  Element again;
  try {
    // str() declares any non-empty namespace itself; "" needs an empty default.
    again = legate::parse_element(xml, stanza.ns().empty() ? "" : "jabber:component:accept");
  } catch (const std::exception& e) {
    broken("a parsed stanza serialises to XML parse_element() accepts", xml + "\n" + e.what());
  }
  const std::string diff = legate::structural_difference(stanza, again);
  if (!diff.empty())
    broken("serialise + parse_element() gives back an equal stanza",
           xml + "\n-> " + again.str() + "\n" + diff);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t selector = (std::size_t{data[0]} << 8) | data[1];
  const std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);
  const std::size_t split = selector % (input.size() + 1);

  Recorder two;
  legate::XmlStreamParser parser(two);
  feed_all(parser, {input.substr(0, split), input.substr(split)});
  const Outcome split_outcome = outcome_of(two, parser);

  Recorder one;
  legate::XmlStreamParser whole(one);
  feed_all(whole, {input});
  const Outcome whole_outcome = outcome_of(one, whole);
  compare_chunkings(split_outcome, whole_outcome);

  Recorder again;
  legate::XmlStreamParser reused(again);
  reused.feed(
      "<stream:stream xmlns='jabber:component:accept' "
      "xmlns:stream='http://etherx.jabber.org/streams'><iq type='get' id='1'/>");
  reused.reset();
  again.events.clear();
  again.stanzas.clear();
  feed_all(reused, {input});
  compare("reset() gives a fresh parser", outcome_of(again, reused), whole_outcome);

  for (const Element& stanza : two.stanzas) check_round_trip(stanza);
  // LEGATE_FUZZ_VERBOSE=1 ./legate-fuzz-stream FILE shows what an input parses to.
  static const bool verbose = std::getenv("LEGATE_FUZZ_VERBOSE") != nullptr;
  if (verbose) std::fprintf(stderr, "split at %zu: %s\n", split, describe(split_outcome).c_str());
  return 0;
}
