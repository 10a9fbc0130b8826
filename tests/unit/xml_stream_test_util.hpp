// Helpers shared by the XmlStreamParser tests: a recording StreamEvents, feeding bytes in
// any split, and checks of the events and of the failure.
#pragma once

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "component/xml_stream_parser.hpp"

namespace legate::test {

inline constexpr std::string_view kXmlDecl = "<?xml version='1.0'?>";
inline constexpr std::string_view kStreamOpen =
    "<stream:stream xmlns='jabber:component:accept' "
    "xmlns:stream='http://etherx.jabber.org/streams' from='gw.test' id='abc'>";
inline constexpr std::string_view kClose = "</stream:stream>";
inline const std::string kHeader = std::string(kXmlDecl) + std::string(kStreamOpen);

struct Recorder : StreamEvents {
  std::optional<Element> header;
  std::vector<Element> stanzas;
  std::vector<Element> refused;  // the heads of refused stanzas
  std::vector<StanzaRefusal> refusals;
  std::string log;  // "o" per open, "s" per stanza, "r" per refused stanza, "c" per close
  void on_stream_open(const Element& h) override {
    header = h;
    log += 'o';
  }
  void on_stanza(Element& s) override {
    stanzas.push_back(std::move(s));
    log += 's';
  }
  void on_refused_stanza(const Element& head, const StanzaRefusal& why) override {
    refused.push_back(head);
    refusals.push_back(why);
    log += 'r';
  }
  void on_stream_close() override { log += 'c'; }
};

struct Outcome {
  Recorder events;
  bool ok = true;                           // every feed() returned true
  bool true_after_failure = false;          // some feed() returned true after a false one
  std::optional<StreamFailure> failure;     // failure() at the end
  std::optional<StreamFailure> after_more;  // failure() after one more feed of valid bytes
  bool more_accepted = false;
};

// Feeds `bytes` cut at `cuts` (ascending offsets); after a failure, one more valid stanza.
inline Outcome run_cuts(std::string_view bytes, const std::vector<std::size_t>& cuts,
                        ParserLimits limits = {}) {
  Outcome out;
  XmlStreamParser parser(out.events, limits);
  std::size_t pos = 0;
  auto feed = [&](std::string_view piece) {
    const bool ok = parser.feed(piece);
    if (ok && (!out.ok || parser.failure())) out.true_after_failure = true;
    if (!ok) out.ok = false;
  };
  for (std::size_t cut : cuts) {
    feed(bytes.substr(pos, cut - pos));
    pos = cut;
  }
  feed(bytes.substr(pos));
  out.failure = parser.failure();
  if (!out.ok) {
    out.more_accepted = parser.feed("<presence/>");
    out.after_more = parser.failure();
  }
  return out;
}

inline Outcome run_whole(std::string_view bytes, ParserLimits limits = {}) {
  return run_cuts(bytes, {}, limits);
}

inline Outcome run_bytewise(std::string_view bytes, ParserLimits limits = {}) {
  std::vector<std::size_t> cuts;
  for (std::size_t i = 1; i < bytes.size(); ++i) cuts.push_back(i);
  return run_cuts(bytes, cuts, limits);
}

// structural_difference plus exact text and attribute order, recursively.
inline std::string exact_difference(const Element& a, const Element& b) {
  if (auto diff = structural_difference(a, b); !diff.empty()) return diff;
  if (a.attributes() != b.attributes()) return "<" + std::string(a.name()) + "> attributes";
  if (a.text() != b.text()) return "<" + std::string(a.name()) + "> text '" + a.text() + "'";
  for (std::size_t i = 0; i < a.children().size(); ++i) {
    if (auto diff = exact_difference(a.children()[i], b.children()[i]); !diff.empty()) return diff;
  }
  return {};
}

inline std::string event_difference(const Recorder& a, const Recorder& b) {
  if (a.log != b.log) return "event order " + a.log + " != " + b.log;
  if (a.header.has_value() != b.header.has_value()) return "header presence";
  if (a.header) {
    if (auto diff = exact_difference(*a.header, *b.header); !diff.empty()) return "header " + diff;
  }
  for (std::size_t i = 0; i < a.refused.size(); ++i) {
    if (auto diff = exact_difference(a.refused[i], b.refused[i]); !diff.empty())
      return "refused " + std::to_string(i) + ": " + diff;
    if (a.refusals[i].text != b.refusals[i].text) return "refusal " + a.refusals[i].text;
  }
  for (std::size_t i = 0; i < a.stanzas.size(); ++i) {
    if (auto diff = exact_difference(a.stanzas[i], b.stanzas[i]); !diff.empty())
      return "stanza " + std::to_string(i) + ": " + diff;
  }
  return {};
}

inline std::string condition_name(const std::optional<StreamFailure>& f) {
  return f ? std::string(to_string(f->condition)) + " (" + f->text + ")" : "(no failure)";
}

inline void check_fails(const Outcome& out, StreamCondition expected) {
  CHECK_FALSE(out.ok);
  CHECK_MESSAGE(out.failure.has_value(), "no failure for this input");
  if (!out.failure) return;
  CHECK_MESSAGE(out.failure->condition == expected, condition_name(out.failure));
  CHECK_FALSE(out.true_after_failure);
  CHECK_FALSE(out.more_accepted);
  CHECK(condition_name(out.after_more) == condition_name(out.failure));
}

// The failure must be the same fed whole and (up to 64 KiB) one byte at a time.
inline void expect_failure(std::string_view bytes, StreamCondition expected,
                           ParserLimits limits = {}) {
  {
    INFO("fed whole");
    check_fails(run_whole(bytes, limits), expected);
  }
  if (bytes.size() <= 64 * 1024) {
    INFO("fed byte by byte");
    check_fails(run_bytewise(bytes, limits), expected);
  }
}

inline void expect_success(std::string_view bytes, ParserLimits limits = {}) {
  const Outcome out = run_whole(bytes, limits);
  CHECK_MESSAGE(out.ok, condition_name(out.failure));
  CHECK_FALSE(out.failure.has_value());
}

// The stream goes on and `log` is its events, the same fed whole and (up to 64 KiB) byte by
// byte; returns the whole run's outcome.
inline Outcome expect_events(std::string_view bytes, std::string_view log,
                             ParserLimits limits = {}) {
  const Outcome whole = run_whole(bytes, limits);
  CHECK_MESSAGE(whole.ok, condition_name(whole.failure));
  CHECK(whole.events.log == log);
  if (bytes.size() <= 64 * 1024) {
    INFO("fed byte by byte");
    const Outcome bytewise = run_bytewise(bytes, limits);
    CHECK_MESSAGE(bytewise.ok, condition_name(bytewise.failure));
    CHECK(event_difference(whole.events, bytewise.events) == "");
  }
  return whole;
}

// The stanzas in a complete stream, with and without the XML declaration.
inline std::string in_stream(std::string_view stanzas) {
  return kHeader + std::string(stanzas) + std::string(kClose);
}
inline std::string without_decl(std::string_view stanzas) {
  return std::string(kStreamOpen) + std::string(stanzas) + std::string(kClose);
}

}  // namespace legate::test
