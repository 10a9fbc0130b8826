// The configuration reference in Markdown, generated from the schema (docs/configuration.md).
#include "config/config.hpp"
#include "config/schema.hpp"

namespace legate {
namespace {

std::string cell(std::string text) {
  std::string out;
  for (char c : text) out += c == '|' ? std::string("\\|") : std::string(1, c);
  return out.empty() ? "—" : out;
}

std::string type_name(const Setting& s) {
  switch (s.type) {
    case SettingType::string:
      return "text";
    case SettingType::boolean:
      return "boolean";
    case SettingType::list:
      return "list";
    case SettingType::integer: {
      std::string range = "integer";
      if (s.min || s.max) {
        range += " " + (s.min ? std::to_string(*s.min) : std::string()) + ".." +
                 (s.max ? std::to_string(*s.max) : std::string());
      }
      return range;
    }
    case SettingType::choice: {
      std::string all;
      for (const auto& c : s.choices) all += (all.empty() ? "" : ", ") + c;
      return "one of " + all;
    }
  }
  return "text";
}

}  // namespace

std::string markdown_reference(std::string_view program, const std::vector<BridgeSetting>& bridge) {
  std::string out = "# Configuration reference\n\n";
  out += "Generated from the configuration schema (`config/schema.cpp`";
  out += bridge.empty() ? "" : " and the bridge's own declarations";
  out += ") for `" + std::string(program) +
         "`; a test keeps it current. Every key is set in the INI file (`[section] key = "
         "value`), by the environment variable shown, or on the command line as "
         "`--section.key VALUE`; later sources win: defaults < file < environment < command "
         "line. Unknown keys and bad values are refused at start (exit code 2).\n";
  std::string section;
  for (const Setting& s : make_schema(bridge)) {
    if (s.section() != section) {
      section = std::string(s.section());
      out += "\n## [" + section + "]\n\n| key | type | default | environment | meaning |\n";
      out += "| --- | --- | --- | --- | --- |\n";
    }
    std::string type = type_name(s);
    if (s.required) type += ", required";
    out += "| `" + std::string(s.name()) + "` | " + cell(type) + " | " +
           cell(s.default_value.empty() ? "" : "`" + s.default_value + "`") + " | `" +
           env_name(s.key) + "` | " + cell(s.help) + " |\n";
  }
  return out;
}

}  // namespace legate
