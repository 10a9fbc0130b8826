// IrcLine: one IRC protocol line (RFC 1459 §2.3.1, with IRCv3 message tags skipped): the
// prefix, the command and its parameters, parsed from what a server sends and formatted
// for what the bridge sends. Plus the splitting of long or multi-line texts into lines that
// fit IRC's 512 bytes once the server adds the sender's prefix.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace irc {

// What IRC allows in one line, CR LF included.
inline constexpr std::size_t kMaxLine = 512;

struct IrcLine {
  std::string prefix;   // "nick!user@host" or a server name; empty when absent
  std::string command;  // upper case, or a three-digit numeric
  std::vector<std::string> params;

  // The nick of a "nick!user@host" prefix (the whole prefix otherwise).
  std::string_view nick() const;
  // Parameter i, or "" when there are fewer.
  std::string_view param(std::size_t i) const;
};

// Parses one line without its CR LF; nullopt when it has no command (letters, or three
// digits). Never throws.
std::optional<IrcLine> parse_irc_line(std::string_view raw);

// "COMMAND a b :trailing\r\n": `middle` must be non-empty words without spaces; `trailing`
// (if any) is always sent with its colon. CR, LF and NUL in any part are replaced by spaces
// so that nothing a user writes can inject a second command.
std::string irc_command(std::string_view command, std::vector<std::string_view> middle,
                        std::optional<std::string_view> trailing = std::nullopt);

// The pieces of `text` for "PRIVMSG target :piece", each at most `max_bytes` long: one per
// line of the text (empty lines dropped), long lines cut at the last space before the limit
// (else at a UTF-8 character boundary).
std::vector<std::string> split_irc_text(std::string_view text, std::size_t max_bytes);

// How many bytes of text a PRIVMSG/NOTICE to `target` may carry so that the line the server
// relays (":nick!user@host PRIVMSG target :text\r\n") stays within 512 bytes; the user and
// host parts are assumed at their usual maxima.
std::size_t irc_text_budget(std::string_view nick, std::string_view target);

// A nick that can be an occupant's resource: 1 to 64 bytes of UTF-8, no control character,
// space or ,*?!@ (RFC 2812 forbids them; a hostile server might send anything).
bool usable_nick(std::string_view nick);

// The channel (or nick) a line is about: the target of PRIVMSG, NOTICE, TOPIC, PART, KICK
// and JOIN, the channel of RPL_TOPIC (332); "" for other lines.
std::string_view channel_of(const IrcLine& line);

// A channel name (#chan, &chan) rather than a nick.
inline bool is_channel(std::string_view target) {
  return !target.empty() && (target.front() == '#' || target.front() == '&');
}

}  // namespace irc
