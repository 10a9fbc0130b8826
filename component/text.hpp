// Small text helpers used across the layers: whitespace trimming, ASCII case, hex.
#pragma once

#include <string>
#include <string_view>

namespace legate {

// `s` without leading and trailing whitespace (space, tab, CR, LF, FF, VT).
std::string_view trim(std::string_view s);
// ASCII lower case (keywords, yes/no answers, header names); other bytes unchanged.
std::string lower(std::string_view s);
// Equal ignoring ASCII case.
bool iequals(std::string_view a, std::string_view b);
// Lower-case hexadecimal of bytes ("\x01\xab" -> "01ab").
std::string hex(std::string_view bytes);

}  // namespace legate
