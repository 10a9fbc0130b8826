// Config loading: the command line is parsed first (for --config, --help and friends), then
// defaults, INI file, environment and command line are applied in that order, each value
// checked against the schema where it is read so that a refusal names its origin.
#include "config/config.hpp"

#include <cstdlib>
#include <optional>
#include <set>

#include "config/ini_parser.hpp"

namespace legate {
namespace {

using Values = std::map<std::string, std::string, std::less<>>;

struct CommandLine {
  bool help = false, version = false, sample = false, reference = false, check = false;
  std::optional<std::string> config_path;
  std::vector<std::pair<const Setting*, std::string>> settings;  // in order: the last wins
};

CommandLine parse_command_line(int argc, const char* const* argv,
                               const std::vector<Setting>& schema) {
  CommandLine cl;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      cl.help = true;
    } else if (arg == "--version") {
      cl.version = true;
    } else if (arg == "--sample-config") {
      cl.sample = true;
    } else if (arg == "--config-reference") {
      cl.reference = true;
    } else if (arg == "--check-config") {
      cl.check = true;
    } else if (arg.starts_with("--") && arg.size() > 2) {
      std::string name(arg.substr(2));
      std::optional<std::string> value;
      if (const auto eq = name.find('='); eq != std::string::npos) {
        value = name.substr(eq + 1);
        name.resize(eq);
      }
      const Setting* setting = name == "config" ? nullptr : find_setting(schema, name);
      if (name != "config" && !setting)
        throw ConfigError("--" + name + ": unknown option (see --help)");
      if (!value) {
        if (i + 1 >= argc || std::string_view(argv[i + 1]).starts_with("--"))
          throw ConfigError("--" + name + ": missing value");
        value = argv[++i];
      }
      if (setting) {
        try {
          cl.settings.emplace_back(setting, check_value(*setting, *value));
        } catch (const ConfigError& e) {
          throw ConfigError("--" + name + ": " + e.what());
        }
      } else {
        cl.config_path = *value;
      }
    } else if (arg == "-c") {
      if (i + 1 >= argc) throw ConfigError("-c: missing value");
      cl.config_path = argv[++i];
    } else {
      throw ConfigError("'" + std::string(arg) +
                        "': unexpected argument (settings are --section.key VALUE)");
    }
  }
  return cl;
}

void apply_ini(const std::string& path, const std::vector<Setting>& schema, Values& values) {
  std::set<std::string_view> sections;
  for (const auto& s : schema) sections.insert(s.section());
  std::map<std::string, int, std::less<>> seen;  // key -> line
  for (const auto& line : read_ini_file(path)) {
    const std::string where = path + ":" + std::to_string(line.line) + ": [" + line.section + "]";
    if (line.key.empty()) {
      if (!sections.count(line.section)) throw ConfigError(where + ": unknown section");
      continue;
    }
    const std::string key = line.section + "." + line.key;
    const Setting* setting = find_setting(schema, key);
    if (!setting) {
      throw ConfigError(where + " " + line.key +
                        (sections.count(line.section) ? ": unknown key" : ": unknown section"));
    }
    if (const auto [it, fresh] = seen.emplace(key, line.line); !fresh)
      throw ConfigError(where + " " + line.key + ": set twice (first on line " +
                        std::to_string(it->second) + ")");
    try {
      values[key] = check_value(*setting, line.value);
    } catch (const ConfigError& e) {
      throw ConfigError(where + " " + line.key + ": " + e.what());
    }
  }
}

void apply_environment(const Environment* environment, const std::vector<Setting>& schema,
                       Values& values) {
  for (const auto& setting : schema) {
    const std::string name = env_name(setting.key);
    const char* value = nullptr;
    if (environment) {
      if (const auto it = environment->find(name); it != environment->end())
        value = it->second.c_str();
    } else {
      value = std::getenv(name.c_str());
    }
    if (!value) continue;
    try {
      values[setting.key] = check_value(setting, value);
    } catch (const ConfigError& e) {
      throw ConfigError("environment " + name + ": " + e.what());
    }
  }
}

Config to_config(const std::vector<Setting>& schema, Values& values) {
  Config c;
  for (const auto& setting : schema) {
    if (setting.bind)
      setting.bind(c, values[setting.key]);
    else
      c.bridge[setting.key] = values[setting.key];
  }
  if (c.component.max_stream_mib * 1024 <= c.component.max_stanza_kib) {
    throw ConfigError("component.max_stream_size (" + std::to_string(c.component.max_stream_mib) +
                      " MiB) must be above component.max_stanza_size (" +
                      std::to_string(c.component.max_stanza_kib) + " KiB)");
  }
  return c;
}

}  // namespace

std::variant<Config, ConfigExit> load_config(int argc, const char* const* argv,
                                             std::string_view program, std::string_view version,
                                             const std::vector<BridgeSetting>& bridge,
                                             const Environment* environment) {
  try {
    const std::vector<Setting> schema = make_schema(bridge);
    const CommandLine cl = parse_command_line(argc, argv, schema);
    if (cl.help) return ConfigExit{0, help_text(program, bridge)};
    if (cl.version) return ConfigExit{0, std::string(program) + " " + std::string(version) + "\n"};
    if (cl.sample) return ConfigExit{0, sample_ini(program, bridge)};
    if (cl.reference) return ConfigExit{0, markdown_reference(program, bridge)};

    Values values;
    for (const auto& setting : schema) values[setting.key] = setting.default_value;
    if (cl.config_path) apply_ini(*cl.config_path, schema, values);
    apply_environment(environment, schema, values);
    for (const auto& [setting, value] : cl.settings) values[setting->key] = value;

    for (const auto& s : schema) {
      if (s.required && values[s.key].empty())
        throw ConfigError("missing required setting " + s.key + " ([" + std::string(s.section()) +
                          "] " + std::string(s.name()) + " in the INI file, --" + s.key + " or " +
                          env_name(s.key) + ")");
    }
    Config config = to_config(schema, values);
    config.path = cl.config_path.value_or("");
    config.check_only = cl.check;
    return config;
  } catch (const ConfigError& e) {
    return ConfigExit{2, std::string(program) + ": " + e.what() + "\n"};
  }
}

}  // namespace legate
