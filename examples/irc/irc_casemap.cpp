// CaseMapping: CASEMAPPING's values and the folding of each.
#include "irc_casemap.hpp"

namespace irc {

std::optional<CaseMapping> parse_case_mapping(std::string_view value) {
  if (value == "ascii" || value == "rfc7613" || value == "rfc3454") return CaseMapping::ascii;
  if (value == "rfc1459") return CaseMapping::rfc1459;
  if (value == "strict-rfc1459") return CaseMapping::strict_rfc1459;
  return std::nullopt;
}

std::string_view to_string(CaseMapping mapping) {
  switch (mapping) {
    case CaseMapping::ascii:
      return "ascii";
    case CaseMapping::strict_rfc1459:
      return "strict-rfc1459";
    case CaseMapping::rfc1459:
      break;
  }
  return "rfc1459";
}

std::string irc_lower(std::string_view s, CaseMapping mapping) {
  std::string out(s);
  const bool brackets = mapping != CaseMapping::ascii;
  const bool tilde = mapping == CaseMapping::rfc1459;
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
    else if (brackets && c == '[')
      c = '{';
    else if (brackets && c == ']')
      c = '}';
    else if (brackets && c == '\\')
      c = '|';
    else if (tilde && c == '~')  // ~ and ^ are one letter: stored keys use ^
      c = '^';
  }
  return out;
}

}  // namespace irc
