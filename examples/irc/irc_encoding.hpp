// Recoder: the text of IRC servers whose users do not all write UTF-8. Lines that are not
// UTF-8 are read in the server's fallback encoding (ISO-8859-1 by default, what old clients
// send), and lines can be sent in another encoding than UTF-8; through glibc's iconv.
#pragma once

#include <iconv.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace irc {

class Recoder {
 public:
  // Converts from `from` to `to` (iconv names: "UTF-8", "ISO-8859-1", "WINDOWS-1252"…);
  // throws std::invalid_argument when iconv does not know one of them.
  Recoder(const std::string& from, const std::string& to);
  // The converted text; nullopt when it has a sequence invalid in `from` or a character
  // `to` cannot write.
  std::optional<std::string> convert(std::string_view text);

 private:
  struct Close {
    void operator()(void* cd) const;
  };
  std::unique_ptr<void, Close> cd_;
};

// Whether iconv converts between UTF-8 and `name` (an ASCII-compatible encoding: IRC's
// commands must stay readable), e.g. for a form field.
bool usable_encoding(const std::string& name);

// A line as read from the server, in UTF-8: as it is when it is UTF-8, else converted from
// `fallback` (when that fails too, it is left for the U+FFFD of plain_irc_text).
std::string utf8_line(std::string line, Recoder* fallback);

}  // namespace irc
