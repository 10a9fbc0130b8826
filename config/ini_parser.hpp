// A small INI reader: `[section]`, `key = value`, `#` and `;` comment lines, whitespace
// trimmed. It knows no schema; it keeps line numbers so errors can name FILE:LINE.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace legate {

struct IniLine {
  int line = 0;
  std::string section;
  std::string key;  // empty: the `[section]` header itself
  std::string value;
};

// The headers and assignments of `text`, in order. Throws ConfigError
// ("FILE:LINE: …") on a line that is none of the above or on a key outside a section.
std::vector<IniLine> parse_ini(std::string_view text, std::string_view file);

// Reads and parses a file; throws ConfigError when it cannot be read.
std::vector<IniLine> read_ini_file(const std::string& path);

}  // namespace legate
