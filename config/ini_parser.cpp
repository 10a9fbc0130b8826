// The INI reader.
#include "config/ini_parser.hpp"
#include "component/text.hpp"

#include <fstream>
#include <sstream>

#include "config/schema.hpp"

namespace legate {
namespace {}  // namespace

std::vector<IniLine> parse_ini(std::string_view text, std::string_view file) {
  std::vector<IniLine> lines;
  std::string section;
  int number = 0;
  for (std::size_t pos = 0; pos < text.size();) {
    ++number;
    const auto end = text.find('\n', pos);
    const std::string_view raw = text.substr(pos, end == std::string_view::npos ? end : end - pos);
    pos = end == std::string_view::npos ? text.size() : end + 1;
    const std::string_view line = trim(raw);
    const std::string where = std::string(file) + ":" + std::to_string(number) + ": ";
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      if (line.back() != ']' || trim(line.substr(1, line.size() - 2)).empty())
        throw ConfigError(where + "malformed section header " + std::string(line));
      section = trim(line.substr(1, line.size() - 2));
      lines.push_back({number, section, {}, {}});
    } else {
      const auto eq = line.find('=');
      if (eq == std::string_view::npos || trim(line.substr(0, eq)).empty())
        throw ConfigError(where + "expected 'key = value', '[section]' or a comment, not '" +
                          std::string(line) + "'");
      const std::string key(trim(line.substr(0, eq)));
      if (section.empty()) throw ConfigError(where + key + ": key outside any [section]");
      lines.push_back({number, section, key, std::string(trim(line.substr(eq + 1)))});
    }
  }
  return lines;
}

std::vector<IniLine> read_ini_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot read the config file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ConfigError(path + ": cannot read the config file");
  return parse_ini(text.str(), path);
}

}  // namespace legate
