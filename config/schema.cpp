// The core settings and the checks every value goes through.
#include "config/schema.hpp"

#include <type_traits>

#include "config/config.hpp"

#include <charconv>
#include <regex>
#include <set>
#include <sstream>

namespace legate {

std::string_view Setting::section() const {
  const std::string_view k = key;
  return k.substr(0, k.find('.'));
}

std::string_view Setting::name() const {
  const std::string_view k = key;
  const auto dot = k.find('.');
  return dot == std::string_view::npos ? std::string_view{} : k.substr(dot + 1);
}

namespace {

void assign(std::string& field, std::string_view value) {
  field = value;
}

template <class Integer>
requires std::is_integral_v<Integer>
void assign(Integer& field, std::string_view value) {
  // Checked against the declaration (type and range) before it is bound.
  std::from_chars(value.data(), value.data() + value.size(), field);
}

// The binding of a core key: the Config field its checked value goes to.
template <class Section, class Field>
std::function<void(Config&, std::string_view)> into(Section Config::*section,
                                                    Field Section::*field) {
  return [section, field](Config& config, std::string_view value) {
    assign(config.*section.*field, value);
  };
}

}  // namespace

const std::vector<Setting>& core_settings() {
  using T = SettingType;
  static const std::vector<Setting> settings{
      {.key = "component.jid",
       .help = "The gateway's JID: the Component name in the XMPP server's configuration.",
       .example = "{bridge}.localhost",
       .required = true,
       .bind = into(&Config::component, &Config::Component::jid)},
      {.key = "component.secret",
       .help = "The shared secret of that Component entry (component_secret in Prosody).",
       .example = "change-me",
       .required = true,
       .bind = into(&Config::component, &Config::Component::secret)},
      {.key = "component.host",
       .default_value = "127.0.0.1",
       .help = "Where the XMPP server listens for components: host name or address.",
       .bind = into(&Config::component, &Config::Component::host)},
      {.key = "component.port",
       .default_value = "5347",
       .help = "The server's component port (Prosody: component_ports).",
       .type = T::integer,
       .min = 1,
       .max = 65535,
       .bind = into(&Config::component, &Config::Component::port)},
      // Per-stanza limits: a stanza over one is refused alone (its sender gets a
      // policy-violation error); defaults and why in component/xml_stream_parser.hpp.
      {.key = "component.max_stanza_size",
       .default_value = "4096",
       .help = "The largest stanza, in KiB, as the server relays it; a larger one is refused "
               "(its sender gets an error), the stream stays up. Prosody and ejabberd accept "
               "client stanzas up to 256 KiB and server-to-server ones up to 512 KiB by "
               "default, and re-escaping can make them up to 6 times larger on the way here.",
       .type = T::integer,
       .min = 16,
       .max = 262144,
       .bind = into(&Config::component, &Config::Component::max_stanza_kib)},
      {.key = "component.max_stanza_depth",
       .default_value = "32",
       .help = "The deepest element nesting in one stanza; a deeper stanza is refused.",
       .type = T::integer,
       .min = 8,
       .max = 1000,
       .bind = into(&Config::component, &Config::Component::max_stanza_depth)},
      {.key = "component.max_attributes",
       .default_value = "64",
       .help = "The most attributes (and namespace declarations) on one element; a stanza "
               "with more is refused.",
       .type = T::integer,
       .min = 8,
       .max = 100000,
       .bind = into(&Config::component, &Config::Component::max_attributes)},
      {.key = "component.max_attribute_size",
       .default_value = "64",
       .help = "The largest attribute value, in KiB; a stanza with a larger one is refused.",
       .type = T::integer,
       .min = 1,
       .max = 262144,
       .bind = into(&Config::component, &Config::Component::max_attribute_kib)},
      {.key = "component.max_stream_size",
       .default_value = "16",
       .help = "In MiB: one stanza larger than this is no user's content but a broken server, "
               "and closes the stream (the component reconnects). Must be above "
               "max_stanza_size.",
       .type = T::integer,
       .min = 1,
       .max = 4096,
       .bind = into(&Config::component, &Config::Component::max_stream_mib)},
      {.key = "gateway.admins",
       .help = "Admin JIDs; admins are told of new users.",
       .type = T::list,
       .example = "admin@localhost",
       .bind = into(&Config::gateway, &Config::Gateway::admins)},
      {.key = "gateway.allowed_jids",
       .help = "Who may register: a regular expression on bare JIDs. Default: the accounts of "
               "the server's own domain (the gateway JID minus its first label).",
       .example = "[^@]+@localhost",
       .bind = into(&Config::gateway, &Config::Gateway::allowed_jids)},
      {.key = "gateway.upload_service",
       .help = "The XEP-0363 upload service for contacts' files and QR codes. Default: found "
               "by disco on the server's domain.",
       .example = "upload.localhost",
       .bind = into(&Config::gateway, &Config::Gateway::upload_service)},
      {.key = "gateway.max_file_size",
       .default_value = "100",
       .help = "The largest file, in MiB, a user may send to a contact (fetched from their "
               "link or received in-band for the bridge).",
       .type = T::integer,
       .min = 1,
       .max = 4096,
       .bind = into(&Config::gateway, &Config::Gateway::max_file_mib)},
      {.key = "gateway.file_timeout",
       .default_value = "300",
       .help = "Seconds a user's file may take to be fetched from its link.",
       .type = T::integer,
       .min = 5,
       .max = 86400,
       .bind = into(&Config::gateway, &Config::Gateway::file_timeout_s)},
      {.key = "gateway.carbons_fallback",
       .default_value = "off",
       .help = "What the user did in the legacy network's own app is shown in their XMPP "
               "clients as sent by them where their server grants the gateway XEP-0356 "
               "message permission. Elsewhere: off (not shown) or prefix (shown as the "
               "contact's messages, prefixed \"You (elsewhere): \").",
       .type = T::choice,
       .choices = {"off", "prefix"},
       .bind = into(&Config::gateway, &Config::Gateway::carbons_fallback)},
      {.key = "storage.path",
       .help = "The SQLite database. Default: $STATE_DIRECTORY, else "
               "~/.local/share/legate/<jid>.sqlite",
       .example = "/var/lib/legate/{bridge}.localhost.sqlite",
       .bind = into(&Config::storage, &Config::Storage::path)},
      {.key = "storage.message_ids_days",
       .default_value = "90",
       .help = "Days the XMPP id <-> legacy id map of each message is kept (corrections, "
               "reactions and replies to older messages then go unmatched); 0 keeps it "
               "forever.",
       .type = T::integer,
       .min = 0,
       .max = 36500,
       .bind = into(&Config::storage, &Config::Storage::message_ids_days)},
      {.key = "groups.archive_days",
       .default_value = "90",
       .help = "Days the rooms' history (XEP-0313) is kept; it is also how far back replies, "
               "reactions and corrections in groups find their message. 0 keeps it forever.",
       .type = T::integer,
       .min = 0,
       .max = 36500,
       .bind = into(&Config::groups, &Config::Groups::archive_days)},
      {.key = "groups.archive_max_per_room",
       .default_value = "10000",
       .help = "The most messages kept per room and user (the oldest go first); 0: no limit.",
       .type = T::integer,
       .min = 0,
       .max = 100000000,
       .bind = into(&Config::groups, &Config::Groups::archive_max_per_room)},
      {.key = "groups.backfill_timeout",
       .default_value = "10",
       .help = "Seconds the first history query of a room waits for the legacy network's "
               "history (it then goes on in the background).",
       .type = T::integer,
       .min = 0,
       .max = 600,
       .bind = into(&Config::groups, &Config::Groups::backfill_timeout_s)},
      {.key = "log.level",
       .default_value = "info",
       .help = "The log level.",
       .type = T::choice,
       .choices = {"trace", "debug", "info", "warn", "error", "critical", "off"},
       .bind = into(&Config::log, &Config::Log::level)},
      {.key = "log.file",
       .help = "The log file. Default: standard error (for journald).",
       .example = "/var/log/legate/{bridge}.log",
       .bind = into(&Config::log, &Config::Log::file)},
      {.key = "http.listen",
       .help = "Where the HTTP listener for /health and /metrics listens, as host:port. "
               "Default: no listener.",
       .pattern = "(.+:[0-9]{1,5})?",
       .example = "127.0.0.1:9100",
       .bind = into(&Config::http, &Config::Http::listen)},
  };
  return settings;
}

std::vector<Setting> make_schema(const std::vector<Setting>& bridge) {
  std::vector<Setting> schema = core_settings();
  // Copies: the views would dangle once push_back below reallocates the schema.
  std::set<std::string, std::less<>> core_sections;
  for (const auto& s : schema) core_sections.insert(std::string(s.section()));
  for (const auto& s : bridge) {
    if (s.section().empty() || s.name().empty())
      throw ConfigError("bridge setting '" + s.key + "' is not section.name");
    if (core_sections.count(s.section()))
      throw ConfigError("bridge setting '" + s.key + "' is in a core section");
    if (find_setting(schema, s.key))
      throw ConfigError("bridge setting '" + s.key + "' is declared twice");
    if (s.bind)
      throw ConfigError("bridge setting '" + s.key + "' binds to Config (core keys only)");
    schema.push_back(s);
    if (s.default_value.empty()) continue;
    try {  // booleans are normalised; a bad default is the declaration's error
      schema.back().default_value = check_value(s, s.default_value);
    } catch (const ConfigError& e) {
      throw ConfigError("bridge setting '" + s.key + "': default " + e.what());
    }
  }
  return schema;
}

const Setting* find_setting(const std::vector<Setting>& schema, std::string_view key) {
  for (const auto& s : schema)
    if (s.key == key) return &s;
  return nullptr;
}

namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string range_text(const Setting& s) {
  return (s.min ? std::to_string(*s.min) : "") + ".." + (s.max ? std::to_string(*s.max) : "");
}

}  // namespace

std::string check_value(const Setting& s, std::string_view value) {
  const std::string quoted = "'" + std::string(value) + "'";
  switch (s.type) {
    case SettingType::string:
      if (!s.pattern.empty() && !std::regex_match(std::string(value), std::regex(s.pattern)))
        throw ConfigError(quoted + " does not match the pattern " + s.pattern);
      return std::string(value);
    case SettingType::list:
      return std::string(value);
    case SettingType::integer: {
      long long number = 0;
      const auto* end = value.data() + value.size();
      const auto [ptr, ec] = std::from_chars(value.data(), end, number);
      if (value.empty() || ec == std::errc::invalid_argument || ptr != end)
        throw ConfigError(quoted + " is not an integer");
      if (ec == std::errc::result_out_of_range || (s.min && number < *s.min) ||
          (s.max && number > *s.max))
        throw ConfigError(std::string(value) + " is out of range " + range_text(s));
      return std::string(value);
    }
    case SettingType::boolean:
      for (const char* yes : {"true", "yes", "on", "1"})
        if (value == yes) return "true";
      for (const char* no : {"false", "no", "off", "0"})
        if (value == no) return "false";
      throw ConfigError(quoted + " is not true or false");
    case SettingType::choice:
      for (const auto& choice : s.choices)
        if (value == choice) return choice;
      throw ConfigError(quoted + " is not one of " + join(s.choices));
  }
  return std::string(value);
}

std::string env_name(std::string_view key) {
  std::string name = "LEGATE_";
  for (char c : key) {
    if (c == '.' || c == '-') c = '_';
    name += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  return name;
}

std::string describe_type(const Setting& s) {
  std::string text;
  switch (s.type) {
    case SettingType::string:  // a pattern is for checking: the help says it in words
      break;
    case SettingType::list:
      text = "A list, separated by commas or spaces.";
      break;
    case SettingType::integer:
      text = "An integer";
      if (s.min || s.max) text += ", " + range_text(s);
      text += ".";
      break;
    case SettingType::boolean:
      text = "true or false.";
      break;
    case SettingType::choice:
      text = "One of: " + join(s.choices) + ".";
      break;
  }
  if (s.required) text += text.empty() ? "Required." : " Required.";
  return text;
}

std::vector<std::string> wrap_text(std::string_view text, std::size_t width) {
  std::vector<std::string> lines;
  std::istringstream words{std::string(text)};
  std::string line;
  for (std::string word; words >> word;) {
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      lines.push_back(line);
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

}  // namespace legate
