// --help, generated from the schema.
#include <sstream>

#include "config/config.hpp"

namespace legate {

std::string help_text(std::string_view program, const std::vector<BridgeSetting>& bridge) {
  std::ostringstream out;
  out << "Usage: " << program << " [--config FILE] [--section.key VALUE]...\n\n"
      << "Options:\n"
      << "  -h, --help         print this help and exit\n"
      << "  --version          print the version and exit\n"
      << "  -c, --config FILE  the INI file to read\n"
      << "  --check-config     check the configuration, print \"configuration OK\" and exit\n"
      << "  --sample-config    print a commented sample INI file and exit\n"
      << "  --config-reference print the Markdown reference of every setting and exit\n\n"
      << "Settings: in the INI file as [section] key = VALUE, on the command line as\n"
      << "--section.key VALUE (or --section.key=VALUE), in the environment as\n"
      << "LEGATE_SECTION_KEY. Precedence: defaults < INI file < environment < command line.\n";
  std::string_view section;
  for (const auto& s : make_schema(bridge)) {
    if (s.section() != section) {
      section = s.section();
      out << "\n[" << section << "]\n";
    }
    out << "  --" << s.key << " VALUE  (" << env_name(s.key);
    if (!s.default_value.empty()) out << ", default " << s.default_value;
    out << ")\n";
    const std::string type = describe_type(s);
    for (const auto& line : wrap_text(s.help + (type.empty() ? "" : " " + type), 80))
      out << "      " << line << "\n";
  }
  return out.str();
}

}  // namespace legate
