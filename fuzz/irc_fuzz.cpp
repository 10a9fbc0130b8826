// libFuzzer target for what legate-irc reads from IRC servers, all untrusted: line parsing,
// ISUPPORT, CTCP, formatting codes, encodings, and the lines and pieces it writes back.
// Besides sanitizer findings it aborts when one of these breaks:
//   - a parsed line formats back (irc_command) into one line of at most 512 bytes (no CR, LF
//     or NUL but its final CR LF) that, unless it had to be cut, parses to the same command
//     and parameters;
//   - plain_irc_text gives valid UTF-8 without control characters (tab aside);
//   - a non-UTF-8 line read through the ISO-8859-1 fallback is valid UTF-8;
//   - split_irc_text's pieces fit the budget, are not empty, and each makes one line.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "examples/irc/irc_encoding.hpp"
#include "examples/irc/irc_isupport.hpp"
#include "examples/irc/irc_line.hpp"
#include "examples/irc/irc_text.hpp"

namespace {

// Which invariant broke, for the report.
void require(bool ok, int line = __builtin_LINE()) {
  if (ok) return;
  std::fprintf(stderr, "irc_fuzz.cpp:%d: invariant broken\n", line);
  std::abort();
}

bool one_line(std::string_view formatted) {
  if (!formatted.ends_with("\r\n")) return false;
  formatted.remove_suffix(2);
  return formatted.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

void check_round_trip(const irc::IrcLine& line) {
  std::vector<std::string_view> middle;
  for (std::size_t i = 0; i + 1 < line.params.size(); ++i) middle.push_back(line.params[i]);
  const std::optional<std::string_view> trailing =
      line.params.empty() ? std::nullopt : std::optional<std::string_view>(line.params.back());
  const std::string formatted = irc::irc_command(line.command, middle, trailing);
  require(one_line(formatted) && formatted.size() <= irc::kMaxLine);
  std::size_t whole = line.command.size() + (trailing ? 2 : 0);
  for (const std::string& param : line.params) whole += 1 + param.size();
  if (whole > irc::kMaxLine - 2) return;  // cut to 512 bytes: not the same line any more
  auto again = irc::parse_irc_line(std::string_view(formatted).substr(0, formatted.size() - 2));
  require(again.has_value());
  require(again->command == line.command);
  require(again->params == line.params);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  static irc::Recoder latin1("ISO-8859-1", "UTF-8");
  const std::string line = irc::utf8_line(std::string(raw), &latin1);
  require(irc::valid_utf8(line));

  if (auto parsed = irc::parse_irc_line(line)) {
    require(!parsed->command.empty());
    (void)parsed->nick();
    (void)irc::usable_nick(parsed->nick());
    if (line.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos)
      check_round_trip(*parsed);
    irc::Isupport isupport;
    isupport.parse(*parsed);
    for (char c : parsed->param(1)) {
      (void)isupport.mode_of_prefix(c);
      (void)isupport.takes_param(c, true);
    }
    (void)irc::parse_ctcp(parsed->param(1));
  }

  const std::string plain = irc::plain_irc_text(raw);
  require(irc::valid_utf8(plain));
  for (unsigned char c : plain) require(c >= 0x20 || c == '\t');

  // split_irc_text's least budget is 8 bytes (a 4-byte character always fits).
  const std::size_t budget = size == 0 ? 8 : 8 + data[0] % 64;
  for (const std::string& piece : irc::split_irc_text(line, budget)) {
    require(!piece.empty() && piece.size() <= budget);
    require(piece.find('\n') == std::string::npos);
    require(one_line(irc::irc_command("PRIVMSG", {"#c"}, piece)));
  }
  return 0;
}
