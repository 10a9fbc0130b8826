// IrcLine: parsing, formatting and splitting of IRC lines.
#include "irc_line.hpp"

#include <algorithm>

namespace irc {
namespace {

constexpr std::string_view kEmpty;

std::string_view next_word(std::string_view& rest) {
  const std::size_t end = rest.find(' ');
  std::string_view word = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  return word;
}

void append_clean(std::string& out, std::string_view part) {
  for (char c : part) out += (c == '\r' || c == '\n' || c == '\0') ? ' ' : c;
}

// The byte index where a UTF-8 string may be cut at or before `at` (not in a character).
std::size_t char_boundary(std::string_view s, std::size_t at) {
  while (at > 0 && at < s.size() && (static_cast<unsigned char>(s[at]) & 0xC0) == 0x80) --at;
  return at;
}

// RFC 1459 §2.3.1: a command is letters, or three digits.
bool valid_command(std::string_view command) {
  if (command.size() == 3 &&
      std::all_of(command.begin(), command.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return true;
  return !command.empty() && command.size() <= 32 &&
         std::all_of(command.begin(), command.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); });
}

}  // namespace

std::string_view IrcLine::nick() const {
  std::string_view p = prefix;
  return p.substr(0, p.find('!'));
}

std::string_view channel_of(const IrcLine& line) {
  const std::string& c = line.command;
  if (c == "PRIVMSG" || c == "NOTICE" || c == "TOPIC" || c == "PART" || c == "KICK" || c == "JOIN")
    return line.param(0);
  return c == "332" ? line.param(1) : std::string_view();
}

std::string_view IrcLine::param(std::size_t i) const {
  return i < params.size() ? std::string_view(params[i]) : kEmpty;
}

std::optional<IrcLine> parse_irc_line(std::string_view raw) {
  while (!raw.empty() && (raw.back() == '\r' || raw.back() == '\n')) raw.remove_suffix(1);
  if (!raw.empty() && raw.front() == '@') next_word(raw);  // IRCv3 tags: not used
  IrcLine line;
  if (!raw.empty() && raw.front() == ':') {
    raw.remove_prefix(1);
    line.prefix = std::string(next_word(raw));
  }
  std::string_view command = next_word(raw);
  if (!valid_command(command)) return std::nullopt;
  line.command.reserve(command.size());
  for (char c : command)
    line.command += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  while (!raw.empty()) {
    if (raw.front() == ':') {
      line.params.emplace_back(raw.substr(1));
      break;
    }
    line.params.emplace_back(next_word(raw));
  }
  return line;
}

std::string irc_command(std::string_view command, std::vector<std::string_view> middle,
                        std::optional<std::string_view> trailing) {
  std::string out;
  append_clean(out, command);
  for (std::string_view word : middle) {
    out += ' ';
    for (char c : word) out += (c == ' ' || c == '\r' || c == '\n' || c == '\0') ? '_' : c;
  }
  if (trailing) {
    out += " :";
    append_clean(out, *trailing);
  }
  if (out.size() > kMaxLine - 2) out.resize(char_boundary(out, kMaxLine - 2));
  out += "\r\n";
  return out;
}

std::vector<std::string> split_irc_text(std::string_view text, std::size_t max_bytes) {
  std::vector<std::string> pieces;
  if (max_bytes < 8) max_bytes = 8;
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    while (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    while (line.size() > max_bytes) {
      std::size_t cut = line.rfind(' ', max_bytes);
      if (cut == std::string_view::npos || cut < max_bytes / 2)
        cut = char_boundary(line, max_bytes);
      pieces.emplace_back(line.substr(0, cut));
      line.remove_prefix(cut);
      if (!line.empty() && line.front() == ' ') line.remove_prefix(1);
    }
    if (!line.empty()) pieces.emplace_back(line);
  }
  return pieces;
}

std::size_t irc_text_budget(std::string_view nick, std::string_view target) {
  // ":" nick "!" user(≤10) "@" host(≤63) " PRIVMSG " target " :" text "\r\n"
  const std::size_t overhead = 1 + nick.size() + 1 + 10 + 1 + 63 + 9 + target.size() + 2 + 2;
  return overhead >= kMaxLine ? 0 : kMaxLine - overhead;
}

bool usable_nick(std::string_view nick) {
  if (nick.empty() || nick.size() > 64) return false;
  for (std::size_t i = 0; i < nick.size(); ++i) {
    const auto c = static_cast<unsigned char>(nick[i]);
    if (c < 0x21 || c == 0x7f ||
        std::string_view(",*?!@").find(static_cast<char>(c)) != std::string_view::npos)
      return false;
    if (c >= 0x80) {  // a whole UTF-8 sequence
      const std::size_t n = (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
      if (n == 0 || i + n > nick.size()) return false;
      for (std::size_t k = 1; k < n; ++k)
        if ((static_cast<unsigned char>(nick[i + k]) & 0xC0) != 0x80) return false;
      i += n - 1;
    }
  }
  return true;
}

}  // namespace irc
