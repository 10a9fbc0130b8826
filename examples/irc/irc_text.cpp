// IRC message texts: formatting codes out, CTCP in and out.
#include "irc_text.hpp"

namespace irc {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Skips up to `max` characters of `text` from `i` satisfying `ok`.
std::size_t skip(std::string_view text, std::size_t i, std::size_t max, bool (*ok)(char)) {
  for (std::size_t n = 0; n < max && i < text.size() && ok(text[i]); ++n) ++i;
  return i;
}

// After \x03 (digits) or \x04 (hex): "fg" and optionally ",bg".
std::size_t skip_colour(std::string_view text, std::size_t i, std::size_t width, bool (*ok)(char)) {
  const std::size_t after_fg = skip(text, i, width, ok);
  if (after_fg == i) return i;
  if (after_fg + 1 < text.size() && text[after_fg] == ',' && ok(text[after_fg + 1]))
    return skip(text, after_fg + 1, width, ok);
  return after_fg;
}

// Length of the valid UTF-8 sequence at `i`, 0 if invalid.
std::size_t utf8_length(std::string_view s, std::size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  const std::size_t n = b < 0x80         ? 1
                        : (b >> 5) == 6  ? 2
                        : (b >> 4) == 14 ? 3
                        : (b >> 3) == 30 ? 4
                                         : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  if (n == 2 && b < 0xC2) return 0;  // overlong
  return n;
}

}  // namespace

bool valid_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = utf8_length(text, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string plain_irc_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '\x03') {
      i = skip_colour(text, i + 1, 2, is_digit);
    } else if (c == '\x04') {
      i = skip_colour(text, i + 1, 6, is_hex);
    } else if (static_cast<unsigned char>(c) < 0x20 && c != '\t') {
      ++i;  // the other formatting codes and control characters
    } else if (std::size_t n = utf8_length(text, i); n > 0) {
      out.append(text.substr(i, n));
      i += n;
    } else {
      out += "\xEF\xBF\xBD";  // U+FFFD: the network's text was not UTF-8
      ++i;
    }
  }
  return out;
}

std::optional<Ctcp> parse_ctcp(std::string_view text) {
  if (text.size() < 2 || text.front() != '\x01') return std::nullopt;
  text.remove_prefix(1);
  if (!text.empty() && text.back() == '\x01') text.remove_suffix(1);
  const std::size_t space = text.find(' ');
  Ctcp out;
  for (char c : text.substr(0, space))
    out.command += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  if (space != std::string_view::npos) out.argument = std::string(text.substr(space + 1));
  if (out.command.empty()) return std::nullopt;
  return out;
}

std::string ctcp(std::string_view command, std::string_view argument) {
  std::string out = "\x01" + std::string(command);
  if (!argument.empty()) out += " " + std::string(argument);
  out += '\x01';
  return out;
}

}  // namespace irc
