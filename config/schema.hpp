// Settings schema: one declaration per configuration key (section, name, type, default,
// range, pattern or accepted values, help text). The INI parser, the command-line flags,
// the environment variables, --help and the sample INI file all come from it.
#pragma once

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace legate {

struct Config;

enum class SettingType { string, integer, boolean, choice, list };

// One key. Bridges declare theirs the same way (BridgeSetting), e.g.
// {"echo.code", "123456", "the two-factor code"} or, typed,
// {.key = "echo.delay", .default_value = "2", .help = "…", .type = SettingType::integer}.
struct Setting {
  std::string key = {};            // "section.name"
  std::string default_value = {};  // as written in the INI file; empty: none
  std::string help = {};
  SettingType type = SettingType::string;
  std::vector<std::string> choices = {};  // choice: the accepted values
  std::optional<long long> min = {};      // integer: the accepted range
  std::optional<long long> max = {};
  std::string pattern = {};  // string: an ECMAScript regular expression the value matches
  // The sample INI's value for a key without a default ("{bridge}" stands for the bridge's
  // section name, or "gateway"); the sample leaves optional keys with an example commented.
  std::string example = {};
  bool required = false;  // must be set to a non-empty value
  // Core keys: stores the checked value in its Config field (see into() in schema.cpp).
  // Bridge keys have none: their values are read with BaseGateway::setting<T>().
  std::function<void(Config&, std::string_view)> bind = {};

  std::string_view section() const;  // before the first dot
  std::string_view name() const;     // after it
};

// A refused value or declaration; the message names where (file:line, flag, variable).
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The framework's own keys: [component], [gateway], [storage], [log], [http].
const std::vector<Setting>& core_settings();

// The core keys followed by a bridge's; throws ConfigError on a malformed or duplicate key.
std::vector<Setting> make_schema(const std::vector<Setting>& bridge);

// The key's declaration, or nullptr.
const Setting* find_setting(const std::vector<Setting>& schema, std::string_view key);

// Checks a value against its declaration; returns it normalised (booleans become
// "true"/"false") or throws ConfigError with e.g. "99999 is out of range 1..65535".
std::string check_value(const Setting& setting, std::string_view value);

// LEGATE_SECTION_NAME: uppercased, dots and dashes turned into underscores.
std::string env_name(std::string_view key);

// What the type accepts, for --help and the sample, e.g. "An integer, 1..65535."
std::string describe_type(const Setting& setting);

// Splits text into lines of at most `width` characters, breaking at spaces.
std::vector<std::string> wrap_text(std::string_view text, std::size_t width);

}  // namespace legate
