// Isupport: PREFIX, CHANMODES and CASEMAPPING of RPL_ISUPPORT.
#include "irc_isupport.hpp"

#include "irc_line.hpp"

namespace irc {
namespace {

// A mode letter: what servers use (a server sending anything else is not believed).
bool mode_letters(std::string_view s) {
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return false;
  return true;
}

}  // namespace

void Isupport::parse(const IrcLine& line) {
  // params: our nick, the tokens, then the trailing text.
  for (std::size_t i = 1; i + 1 < line.params.size(); ++i) {
    const std::string_view token = line.params[i];
    if (token.starts_with("PREFIX=(")) {
      const std::string_view value = token.substr(8);
      const std::size_t close = value.find(')');
      if (close == std::string_view::npos) continue;
      const std::string_view modes = value.substr(0, close);
      const std::string_view chars = value.substr(close + 1);
      if (modes.size() != chars.size() || !mode_letters(modes)) continue;
      prefix_modes_ = modes;
      prefix_chars_ = chars;
    } else if (token.starts_with("CHANMODES=")) {
      std::string_view value = token.substr(10);
      std::string groups[3];
      bool well_formed = true;  // at least four groups, of letters
      for (auto& group : groups) {
        const std::size_t comma = value.find(',');
        well_formed =
            well_formed && comma != std::string_view::npos && mode_letters(value.substr(0, comma));
        if (!well_formed) break;
        group = value.substr(0, comma);
        value.remove_prefix(comma + 1);
      }
      if (!well_formed) continue;
      list_modes_ = std::move(groups[0]);
      param_modes_ = std::move(groups[1]);
      set_param_modes_ = std::move(groups[2]);
    } else if (token.starts_with("CASEMAPPING=")) {
      if (auto mapping = parse_case_mapping(token.substr(12))) case_mapping_ = mapping;
    }
  }
}

char Isupport::mode_of_prefix(char prefix) const {
  const std::size_t at = prefix_chars_.find(prefix);
  return at == npos ? 0 : prefix_modes_[at];
}

bool Isupport::takes_param(char mode, bool set) const {
  if (prefix_modes_.find(mode) != npos || list_modes_.find(mode) != npos ||
      param_modes_.find(mode) != npos)
    return true;
  return set && set_param_modes_.find(mode) != npos;
}

}  // namespace irc
