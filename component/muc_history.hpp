// MucHistory: what a XEP-0045 join asks of the discussion history sent on entering (§7.2.14,
// <history maxchars maxstanzas seconds since/> in the join's <x/>), read into a value. Old
// clients rely on it; modern ones ask for none (maxchars='0' or maxstanzas='0') and use MAM.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "element.hpp"

namespace legate {

inline constexpr std::string_view kMucNs = "http://jabber.org/protocol/muc";

struct MucHistory {
  std::optional<std::size_t> max_stanzas{};
  std::optional<std::size_t> max_chars{};  // of the complete stanzas, as sent
  std::optional<std::int64_t> since_ms{};  // unix ms: `since`, or now - `seconds` (the later)

  // The join asks for nothing (a zero limit).
  bool none() const { return max_stanzas == 0 || max_chars == 0; }
};

// Reads the <history/> of a join's <x xmlns='http://jabber.org/protocol/muc'/> (nullptr: no
// such child, the room's default). Malformed attributes are ignored, as if absent: a join
// never fails for its history request. `now_ms` turns `seconds` into a time.
MucHistory parse_muc_history(const Element* x, std::int64_t now_ms);

}  // namespace legate
