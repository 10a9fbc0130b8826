// StanzaRefusals: what the component does with a stanza the parser refused for a
// per-stanza limit: a policy-violation error to its sender (from the addressee), a counter
// per limit in /metrics, and a log line naming the sender (at most a few per minute).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "element.hpp"
#include "metrics.hpp"
#include "xml_stream_parser.hpp"

namespace legate {

class StanzaRefusals {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr int kLogLinesPerWindow = 10;
  static constexpr std::chrono::seconds kLogWindow{60};

  // The error reply for `head`, if its sender should get one (not for errors, iq results,
  // or a stanza without from/to); counts and logs it. `metrics` may be nullptr.
  std::optional<Element> refuse(const Element& head, const StanzaRefusal& why, Metrics* metrics,
                                Clock::time_point now = Clock::now());

 private:
  bool may_log(Clock::time_point now);

  Clock::time_point window_start_{};
  int logged_in_window_ = 0;
  std::uint64_t suppressed_ = 0;
};

}  // namespace legate
