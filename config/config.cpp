// Config loading with Boost.ProgramOptions: one option table serves the INI file and the
// command line; the command line wins.
#include "config/config.hpp"

#include <boost/program_options.hpp>
#include <fstream>
#include <sstream>

namespace legate {
namespace po = boost::program_options;

namespace {

constexpr const char* kLevels[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};

po::options_description file_options(Config& c) {
  po::options_description d("Settings (INI file keys, also accepted as --section.key)");
  auto add = d.add_options();
  add("component.jid", po::value(&c.component.jid), "the gateway's JID (required)");
  add("component.secret", po::value(&c.component.secret), "shared secret (required)");
  add("component.host", po::value(&c.component.host)->default_value(c.component.host),
      "XMPP server host");
  add("component.port", po::value(&c.component.port)->default_value(c.component.port),
      "XMPP server component port");
  add("gateway.admins", po::value(&c.gateway.admins), "admin JIDs, comma-separated");
  add("gateway.allowed_jids", po::value(&c.gateway.allowed_jids),
      "regular expression for the bare JIDs that may register (default: the server's users)");
  add("gateway.upload_service", po::value(&c.gateway.upload_service),
      "XEP-0363 upload service JID (default: discovered)");
  add("storage.path", po::value(&c.storage.path),
      "SQLite database file (default: in the data directory)");
  add("log.level", po::value(&c.log.level)->default_value(c.log.level),
      "trace, debug, info, warn, error, critical or off");
  return d;
}

ConfigExit error(std::string_view program, const std::string& what) {
  return ConfigExit{2, std::string(program) + ": configuration error: " + what + "\n"};
}

}  // namespace

std::variant<Config, ConfigExit> load_config(int argc, const char* const* argv,
                                             std::string_view program, std::string_view version,
                                             const std::vector<BridgeSetting>& bridge) {
  Config config;
  po::options_description generic("Options");
  generic.add_options()("help,h", "print this help and exit")(
      "version", "print the version and exit")("config,c", po::value(&config.path),
                                               "INI file to read");
  po::options_description settings = file_options(config);
  for (const auto& setting : bridge) {
    settings.add_options()(setting.key.c_str(),
                           po::value<std::string>()->default_value(setting.default_value),
                           setting.help.c_str());
  }
  po::options_description all;
  all.add(generic).add(settings);

  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, all), vm);
    if (vm.count("help")) {
      std::ostringstream out;
      out << "Usage: " << program << " [--config FILE] [--section.key VALUE]...\n" << all << "\n";
      return ConfigExit{0, out.str()};
    }
    if (vm.count("version"))
      return ConfigExit{0, std::string(program) + " " + std::string(version) + "\n"};
    if (vm.count("config")) {
      const std::string path = vm["config"].as<std::string>();
      std::ifstream file(path);
      if (!file) return error(program, "cannot read config file " + path);
      // Values stored first win, so the command line (stored above) overrides the file.
      po::store(po::parse_config_file(file, settings, /*allow_unregistered=*/false), vm);
    }
    po::notify(vm);
  } catch (const po::error& e) {
    return error(program, e.what());
  }
  for (const char* key : {"component.jid", "component.secret"}) {
    if (!vm.count(key) || vm[key].as<std::string>().empty())
      return error(program, std::string("missing required setting ") + key +
                                " (INI [component] section or --" + key + ")");
  }
  for (const auto& setting : bridge) config.bridge[setting.key] = vm[setting.key].as<std::string>();
  bool level_ok = false;
  for (const char* level : kLevels) level_ok = level_ok || config.log.level == level;
  if (!level_ok) return error(program, "log.level '" + config.log.level + "' is not a log level");
  return config;
}

}  // namespace legate
