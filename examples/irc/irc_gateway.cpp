// IrcGateway: registration form and its checks.
#include "irc_gateway.hpp"

#include "irc_commands.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

namespace irc {
namespace {

using legate::ErrorCondition;
using legate::StanzaError;

// RFC 2812 §2.3.1 nicks, with the usual 30-character limit of today's servers.
bool valid_nick(std::string_view nick) {
  if (nick.empty() || nick.size() > 30) return false;
  const auto special = [](char c) {
    return std::string_view("[]\\`_^{|}").find(c) != std::string_view::npos;
  };
  const auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!letter(nick[0]) && !special(nick[0])) return false;
  for (char c : nick)
    if (!letter(c) && !special(c) && !(c >= '0' && c <= '9') && c != '-') return false;
  return true;
}

bool valid_host(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  for (char c : host)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == ':'))
      return false;
  return true;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace

legate::GatewayInfo IrcGateway::info() const {
  legate::GatewayInfo info;
  info.name = "Legate IRC";
  info.type = "irc";
  info.group_service = "irc";  // as biboumi: clients find the channels' service
  info.registration_type = legate::RegistrationType::form;
  info.instructions =
      "Name an IRC server and your nick. Join channels as #channel%server@this-gateway; "
      "write to people as nick%server@this-gateway.";
  info.registration_fields = server_fields();
  info.welcome_message = "Welcome to Legate IRC! Join #channel%server@ this gateway.";
  info.preference_fields = {
      legate::FormField::boolean(
          "persistent",
          "Stay in channels when every client of yours leaves them (their messages are archived "
          "meanwhile)",
          false),
      legate::FormField::boolean(
          "record_history",
          "Keep the channels' messages (history for your clients: MAM, and on joining)", true)};
  return info;
}

std::vector<legate::FormField> server_fields() {
  return {
      legate::FormField::text("server", "IRC server (host name)", true),
      legate::FormField::text("port", "Ports, tried in order (6667, or 6697 with TLS)", false),
      legate::FormField::boolean("tls", "Use TLS", false),
      legate::FormField::boolean("verify", "Check the server's certificate", true),
      legate::FormField::text("nick", "Nick", true),
      legate::FormField::private_text("password", "Server password (if any)", false),
      legate::FormField::text("sasl_account", "SASL account (default: the nick)", false),
      legate::FormField::private_text("sasl_password", "SASL password (if any)", false),
      legate::FormField::text("throttle",
                              "Milliseconds between lines after a burst of 10 "
                              "(0: no throttle; default 1000)",
                              false),
  };
}

std::vector<std::uint16_t> ports_of(std::string_view text, bool tls) {
  if (text.find_first_not_of(" ,") == std::string_view::npos)
    return {tls ? std::uint16_t(6697) : std::uint16_t(6667)};
  std::vector<std::uint16_t> ports;
  while (!text.empty()) {
    const std::size_t end_of_word = std::min(text.find_first_of(" ,"), text.size());
    const std::string_view word = text.substr(0, end_of_word);
    text.remove_prefix(std::min(end_of_word + 1, text.size()));
    if (word.empty()) continue;
    unsigned value = 0;
    auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), value);
    if (ec != std::errc() || end != word.data() + word.size() || value == 0 || value > 65535 ||
        ports.size() == kMaxPorts)
      throw StanzaError(ErrorCondition::not_acceptable,
                        "the ports must be up to 8 numbers up to 65535, e.g. 6697, 7000");
    ports.push_back(static_cast<std::uint16_t>(value));
  }
  return ports;
}

std::size_t history_length_of(std::string_view text, std::size_t fallback) {
  if (text.empty()) return fallback;
  std::size_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value > 100)
    throw StanzaError(ErrorCondition::not_acceptable,
                      "the history length must be a number from 0 to 100");
  return value;
}

std::string encoding_of(std::string_view name, std::string_view fallback) {
  if (name.empty()) return std::string(fallback);
  std::string upper(name);
  for (char& c : upper)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  if (upper.find('/') != std::string::npos || !usable_encoding(upper))
    throw StanzaError(ErrorCondition::not_acceptable, "unknown encoding " + std::string(name) +
                                                          " (e.g. UTF-8, ISO-8859-15, CP1252)");
  return upper;
}

std::string ports_text(const std::vector<std::uint16_t>& ports) {
  std::string text;
  for (std::uint16_t port : ports) text += (text.empty() ? "" : ", ") + std::to_string(port);
  return text;
}

IrcServer server_of(const legate::Form& form) {
  IrcServer server;
  server.host = lower(form.value("server"));
  if (!valid_host(server.host))
    throw StanzaError(ErrorCondition::not_acceptable, "the server must be a host name");
  server.tls = form.value("tls") == "true" || form.value("tls") == "1";
  const std::string_view verify = form.value("verify");
  server.verify_certificate = !(verify == "false" || verify == "0");
  server.ports = ports_of(form.value("port"), server.tls);
  server.nick = std::string(form.value("nick"));
  if (!valid_nick(server.nick))
    throw StanzaError(ErrorCondition::not_acceptable,
                      "the nick must be up to 30 letters, digits or []\\`_^{|}-, not starting "
                      "with a digit or -");
  server.password = std::string(form.value("password"));
  server.sasl_account = std::string(form.value("sasl_account"));
  server.sasl_password = std::string(form.value("sasl_password"));
  if (server.sasl_account.size() > 64 ||
      server.sasl_account.find_first_of(std::string_view(" \0\r\n", 4)) != std::string::npos)
    throw StanzaError(ErrorCondition::not_acceptable, "the SASL account is one word");
  if (std::string_view throttle = form.value("throttle"); !throttle.empty()) {
    unsigned ms = 0;
    auto [end, ec] = std::from_chars(throttle.data(), throttle.data() + throttle.size(), ms);
    if (ec != std::errc() || end != throttle.data() + throttle.size() || ms > 60000)
      throw StanzaError(ErrorCondition::not_acceptable,
                        "the throttle must be a number of milliseconds up to 60000");
    server.interval = std::chrono::milliseconds(ms);
  }
  return server;
}

std::vector<legate::BridgeSetting> IrcGateway::declared_settings() const {
  using legate::SettingType;
  return {
      {.key = "irc.servers",
       .default_value = "",
       .help = "The IRC servers users may name, separated by commas (host names as users "
               "type them, e.g. irc.libera.chat); empty: any, including addresses of your "
               "own network, which a user could then reach through the gateway."},
      {.key = "irc.min_throttle",
       .default_value = "0",
       .help = "The fewest milliseconds between two lines to a server after a burst of 10, "
               "whatever a user sets (so that no user gets the gateway's address banned for "
               "flooding).",
       .type = SettingType::integer,
       .min = 0,
       .max = 60000},
  };
}

void IrcGateway::check_allowed(IrcServer& server) const {
  const std::string_view list = setting("irc.servers");
  if (!list.empty()) {
    bool listed = false;
    std::size_t start = 0;
    while (start <= list.size() && !listed) {
      const std::size_t comma = std::min(list.find(',', start), list.size());
      std::string_view entry = list.substr(start, comma - start);
      while (!entry.empty() && entry.front() == ' ') entry.remove_prefix(1);
      while (!entry.empty() && entry.back() == ' ') entry.remove_suffix(1);
      listed = lower(entry) == server.host;
      start = comma + 1;
    }
    if (!listed)
      throw StanzaError(ErrorCondition::not_allowed,
                        server.host + " is not one of this gateway's IRC servers");
  }
  const auto floor = std::chrono::milliseconds(setting<int>("irc.min_throttle"));
  if (server.interval < floor) server.interval = floor;
}

std::vector<legate::Command> IrcGateway::commands() {
  return irc_commands();
}

legate::asio::awaitable<legate::Json> IrcGateway::validate(const legate::Jid& user,
                                                           const legate::Form& form) {
  IrcServer server = server_of(form);
  check_allowed(server);
  spdlog::info("{}: IRC server {} (ports {}) as {}", user.str(), server.host,
               ports_text(server.ports), server.nick);
  // A registration again adds a server, or updates the one it names: the other servers and
  // the channels' settings stay.
  IrcAccount account;
  if (auto registered = find_user(user)) try {
      account = registered->data<IrcAccount>();
    } catch (const std::invalid_argument& e) {
      spdlog::warn("{}: the stored servers are unreadable ({}); replaced", user.str(), e.what());
    }
  auto same = std::find_if(account.servers.begin(), account.servers.end(),
                           [&server](const IrcServer& s) { return s.host == server.host; });
  if (same == account.servers.end()) {
    account.servers.push_back(std::move(server));
  } else {
    server.case_mapping = same->case_mapping;  // what the server said stays true
    *same = std::move(server);
  }
  co_return boost::json::value_from(account);
}

}  // namespace irc
