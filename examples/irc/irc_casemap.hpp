// CaseMapping: how an IRC server folds the case of nicks and channel names (RPL_ISUPPORT's
// CASEMAPPING), so that keys and comparisons match what the server takes for the same name.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace irc {

enum class CaseMapping {
  ascii,           // A-Z only (ngIRCd, InspIRCd 4, servers announcing rfc7613 or rfc3454)
  rfc1459,         // also []\^ ↔ {}|~ (the RFCs' rule: what a server that says nothing uses)
  strict_rfc1459,  // also []\ ↔ {}|
};

// The CASEMAPPING token's value: nullopt for one this bridge does not know (the caller keeps
// what it had). rfc7613 and rfc3454 fold Unicode too; for ASCII names they are `ascii`.
std::optional<CaseMapping> parse_case_mapping(std::string_view value);
std::string_view to_string(CaseMapping mapping);

// `s` folded the way `mapping` says (`[` → `{` …); bytes outside ASCII stay as they are.
std::string irc_lower(std::string_view s, CaseMapping mapping = CaseMapping::rfc1459);

}  // namespace irc
