// Config: the daemon's settings from an INI file plus command-line overrides of the same
// keys (`[component] jid` in the file is `--component.jid` on the command line).
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <variant>

namespace legate {

struct Config {
  struct {
    std::string jid;
    std::string secret;
    std::string host = "127.0.0.1";
    std::uint16_t port = 5347;
  } component;
  struct {
    std::string level = "info";
  } log;
  std::string path;  // the INI file read, if any
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
                                             std::string_view program, std::string_view version);

}  // namespace legate
