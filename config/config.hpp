// Config: the daemon's settings, declared once in the schema (config/schema.hpp) and read
// from, in increasing precedence: the defaults, an INI file (--config), the environment
// (LEGATE_SECTION_KEY) and the command line (--section.key VALUE).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "schema.hpp"

namespace legate {

// The values, typed. Defaults, ranges and which key fills which field are declared once,
// in the schema (config/schema.cpp: each core key's `bind`); nothing here repeats them.
struct Config {
  struct Component {
    std::string jid;
    std::string secret;
    std::string host;
    std::uint16_t port = 0;
    unsigned long max_stanza_kib = 0;
    unsigned long max_stanza_depth = 0;
    unsigned long max_attributes = 0;
    unsigned long max_attribute_kib = 0;
    unsigned long max_stream_mib = 0;
  } component;
  struct Gateway {
    std::string admins;          // JIDs, separated by commas or spaces
    std::string allowed_jids;    // regular expression on bare JIDs; empty: the server's users
    std::string upload_service;  // XEP-0363 service JID; empty: discovered
    unsigned long max_file_mib = 0;
    unsigned long file_timeout_s = 0;
    std::string carbons_fallback;  // off or prefix
  } gateway;
  struct Storage {
    std::string path;                    // empty: a file named after the JID in the data directory
    unsigned long message_ids_days = 0;  // 0: forever
  } storage;
  struct Groups {
    unsigned long archive_days = 0;          // 0: forever
    unsigned long archive_max_per_room = 0;  // 0: no limit
    unsigned long backfill_timeout_s = 0;
  } groups;
  struct Log {
    std::string level;
    std::string file;  // empty: standard error
  } log;
  struct Http {
    std::string listen;  // "host:port"; empty: no HTTP listener
  } http;
  std::map<std::string, std::string, std::less<>> bridge;  // "section.key" -> value
  std::string path;                                        // the INI file read, if any
  bool check_only = false;  // --check-config: validate, then exit 0 without connecting
};

// A setting a bridge declares for its own INI section, e.g. {"echo.code", "123456", "…"}.
using BridgeSetting = Setting;

// What to do instead of running: print this text and exit with this code
// (0 for --help/--version/--sample-config, 2 for a configuration error).
struct ConfigExit {
  int code;
  std::string message;
};

// Environment variables by name; load_config reads the process environment without one.
using Environment = std::map<std::string, std::string, std::less<>>;

// Parses the command line, the --config file it names and the environment. `program` and
// `version` appear in --help, --version and error messages, which name where the bad
// value came from: "legate-echo: echo.ini:12: [component] port: 99999 is out of range
// 1..65535", "legate-echo: --log.level: 'loud' is not one of …".
std::variant<Config, ConfigExit> load_config(int argc, const char* const* argv,
                                             std::string_view program, std::string_view version,
                                             const std::vector<BridgeSetting>& bridge = {},
                                             const Environment* environment = nullptr);

// --help: the options and every setting of the schema (core + bridge), with its flag,
// environment variable, type and default.
std::string help_text(std::string_view program, const std::vector<BridgeSetting>& bridge = {});

// --sample-config: a commented INI file with every setting of the schema; config/echo.ini
// is this for legate-echo.
std::string sample_ini(std::string_view program, const std::vector<BridgeSetting>& bridge = {});
// The Markdown reference of every key (docs/configuration.md).
std::string markdown_reference(std::string_view program,
                               const std::vector<BridgeSetting>& bridge = {});

}  // namespace legate
