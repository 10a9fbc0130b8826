// MucHistory: the <history/> of a XEP-0045 join.
#include "muc_history.hpp"

#include <charconv>
#include <string_view>

#include "mam_query.hpp"  // parse_datetime_ms

namespace legate {
namespace {

std::optional<std::size_t> count_of(const Element& history, std::string_view name) {
  auto text = history.attr(name);
  if (!text || text->empty()) return std::nullopt;
  std::size_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec == std::errc::result_out_of_range) return SIZE_MAX;  // "all of it"
  if (ec != std::errc() || end != text->data() + text->size()) return std::nullopt;
  return value;
}

}  // namespace

MucHistory parse_muc_history(const Element* x, std::int64_t now_ms) {
  MucHistory out;
  const Element* history = x ? x->child("history", kMucNs) : nullptr;
  if (!history) return out;
  out.max_stanzas = count_of(*history, "maxstanzas");
  out.max_chars = count_of(*history, "maxchars");
  if (auto seconds = count_of(*history, "seconds"))
    out.since_ms = *seconds >= static_cast<std::size_t>(now_ms / 1000)
                       ? 0
                       : now_ms - static_cast<std::int64_t>(*seconds) * 1000;
  if (auto since = history->attr("since")) {
    if (auto when = parse_datetime_ms(*since); when && (!out.since_ms || *when > *out.since_ms))
      out.since_ms = when;
  }
  return out;
}

}  // namespace legate
