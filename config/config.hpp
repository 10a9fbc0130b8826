// Config: the daemon's settings from an INI file plus command-line overrides of the same
// keys (`[component] jid` in the file is `--component.jid` on the command line).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace legate {

struct Config {
  struct {
    std::string jid;
    std::string secret;
    std::string host = "127.0.0.1";
    std::uint16_t port = 5347;
  } component;
  struct {
    std::string admins;          // JIDs, separated by commas or spaces
    std::string allowed_jids;    // regular expression on bare JIDs; empty: the server's users
    std::string upload_service;  // XEP-0363 service JID; empty: discovered
  } gateway;
  struct {
    std::string path;  // empty: a file named after the JID in the data directory
  } storage;
  struct {
    std::string level = "info";
  } log;
  std::map<std::string, std::string, std::less<>> bridge;  // "section.key" -> value
  std::string path;                                        // the INI file read, if any
};

// A setting a bridge declares for its own INI section, e.g. {"echo.code", "123456", "…"}.
struct BridgeSetting {
  std::string key;
  std::string default_value;
  std::string help;
};

// What to do instead of running: print this text and exit with this code
// (0 for --help/--version, 2 for a configuration error).
struct ConfigExit {
  int code;
  std::string message;
};

// Parses the command line (and the --config file it names). `program` and `version`
// appear in --help and --version.
std::variant<Config, ConfigExit> load_config(int argc, const char* const* argv,
                                             std::string_view program, std::string_view version,
                                             const std::vector<BridgeSetting>& bridge = {});

}  // namespace legate
