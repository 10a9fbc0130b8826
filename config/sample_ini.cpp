// The commented sample INI file, generated from the schema (--sample-config).
#include <sstream>

#include "config/config.hpp"

namespace legate {
namespace {

std::string expand(std::string text, std::string_view bridge) {
  constexpr std::string_view token = "{bridge}";
  for (auto at = text.find(token); at != std::string::npos; at = text.find(token, at))
    text.replace(at, token.size(), bridge);
  return text;
}

}  // namespace

std::string sample_ini(std::string_view program, const std::vector<BridgeSetting>& bridge) {
  const std::string_view bridge_name = bridge.empty() ? "gateway" : bridge.front().section();
  std::ostringstream out;
  out << "# Sample configuration of " << program << ", generated from its settings schema by\n"
      << "# `" << program << " --sample-config`: edit the schema, not this file.\n"
      << "# Every key can also be given on the command line as --section.key VALUE or in the\n"
      << "# environment as LEGATE_SECTION_KEY. Precedence: defaults < this file < environment\n"
      << "# < command line. Unknown sections or keys and bad values are refused.\n";
  std::string_view section;
  for (const auto& s : make_schema(bridge)) {
    if (s.section() != section) {
      section = s.section();
      out << "\n[" << section << "]\n";
    }
    const std::string type = describe_type(s);
    for (const auto& line : wrap_text(s.help + (type.empty() ? "" : " " + type), 88))
      out << "# " << line << "\n";
    // Required keys get their example as a value; optional ones show it commented out.
    if (!s.default_value.empty())
      out << s.name() << " = " << s.default_value << "\n";
    else if (s.required)
      out << s.name() << " = " << expand(s.example, bridge_name) << "\n";
    else
      out << "#" << s.name() << " = " << expand(s.example, bridge_name) << "\n";
  }
  return out.str();
}

}  // namespace legate
