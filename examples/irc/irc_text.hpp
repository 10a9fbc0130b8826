// What IRC puts inside message texts: mIRC formatting codes (bold, colours…), turned into
// plain readable text for XMPP, and CTCP requests (\x01ACTION waves\x01, VERSION…).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace irc {

// The text without formatting codes: bold \x02, colour \x03[fg[,bg]], hex colour \x04,
// reset \x0f, monospace \x11, reverse \x16, italic \x1d, strike \x1e, underline \x1f.
// Other control characters but tab become nothing; invalid UTF-8 becomes U+FFFD.
std::string plain_irc_text(std::string_view text);

// Whether `text` is all well-formed UTF-8.
bool valid_utf8(std::string_view text);

struct Ctcp {
  std::string command;  // upper case: ACTION, VERSION, PING…
  std::string argument;
};
// A CTCP message (\x01COMMAND argument\x01, the closing \x01 optional); nullopt otherwise.
std::optional<Ctcp> parse_ctcp(std::string_view text);
std::string ctcp(std::string_view command, std::string_view argument = {});

}  // namespace irc
