// StanzaRefusals: error reply, counter and rate-limited log line for a refused stanza.
#include "component/stanza_refusals.hpp"

#include <spdlog/spdlog.h>

#include "component/stanza.hpp"
#include "component/stanza_error.hpp"

namespace legate {

std::optional<Element> StanzaRefusals::refuse(const Element& head, const StanzaRefusal& why,
                                              Metrics* metrics, Clock::time_point now) {
  if (metrics) {
    metrics
        ->counter("legate_stanzas_refused_total",
                  "Stanzas refused for a per-stanza limit (the sender got policy-violation)",
                  {{"limit", std::string(limit_name(why.limit))}})
        .inc();
  }
  const std::string_view from = head.attr_or("from");
  if (may_log(now)) {
    spdlog::warn("refused a {} from {} to {}: {}", head.name(),
                 from.empty() ? std::string_view("?") : from, head.attr_or("to"), why.text);
  }
  const std::string_view type = head.attr_or("type");
  const bool is_stanza =
      head.name() == "message" || head.name() == "presence" || head.name() == "iq";
  // Never answer an error (no loops) or an iq result; nobody to answer without from/to.
  if (!is_stanza || type == "error" || type == "result" || from.empty() ||
      head.attr_or("to").empty())
    return std::nullopt;
  if (head.name() == "iq" && type != "get" && type != "set") return std::nullopt;
  return error_reply(head,
                     StanzaError(ErrorCondition::policy_violation, ErrorType::modify, why.text));
}

bool StanzaRefusals::may_log(Clock::time_point now) {
  if (now - window_start_ >= kLogWindow) {
    if (suppressed_ > 0) {
      spdlog::warn("{} more refused stanzas were not logged in the last minute", suppressed_);
    }
    window_start_ = now;
    logged_in_window_ = 0;
    suppressed_ = 0;
  }
  if (logged_in_window_ < kLogLinesPerWindow) {
    ++logged_in_window_;
    return true;
  }
  ++suppressed_;
  return false;
}

}  // namespace legate
