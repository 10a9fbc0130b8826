// IrcAccount: what legate-irc keeps about a user (the legacy data): the IRC servers they
// registered, each with its connection settings, and their settings of single channels, as
// JSON through Boost.JSON.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include "irc_client.hpp"

namespace irc {

// What the user set for one channel (configure-channel). Unset: their preference
// (persistent, record_history) or the server's max_history and encodings.
struct ChannelSettings {
  std::optional<bool> persistent;
  std::optional<bool> record_history;
  std::optional<std::size_t> max_history;
  std::string encoding_in;  // of its lines that are not UTF-8 ("": the server's)
  std::string encoding_out;
  bool empty() const {
    return !persistent && !record_history && !max_history && encoding_in.empty() &&
           encoding_out.empty();
  }
};

struct IrcAccount {
  std::vector<IrcServer> servers;
  std::map<std::string, ChannelSettings, std::less<>> channels;  // by room key "#chan%server"
  ChannelSettings channel(std::string_view key) const {
    auto it = channels.find(key);
    return it == channels.end() ? ChannelSettings{} : it->second;
  }
  // The server of this host (as registered, lower case), or nullptr.
  const IrcServer* server(std::string_view host) const {
    for (const auto& s : servers)
      if (s.host == host) return &s;
    return nullptr;
  }
};

inline void tag_invoke(boost::json::value_from_tag, boost::json::value& json, const IrcServer& s) {
  json = {{"host", s.host},
          {"ports", boost::json::value_from(s.ports)},
          {"encoding_in", s.encoding_in},
          {"encoding_out", s.encoding_out},
          {"tls", s.tls},
          {"verify", s.verify_certificate},
          {"nick", s.nick},
          {"password", s.password},
          {"sasl_account", s.sasl_account},
          {"sasl_password", s.sasl_password},
          {"username", s.username},
          {"realname", s.realname},
          {"burst", s.burst},
          {"interval_ms", s.interval.count()},
          {"max_history", s.max_history},
          {"casemapping", to_string(s.case_mapping)},
          {"after_connect", boost::json::value_from(s.after_connect)}};
}

// Missing keys take their defaults (data stored by older versions of the bridge).
inline IrcServer tag_invoke(boost::json::value_to_tag<IrcServer>, const boost::json::value& json) {
  const auto& o = json.as_object();
  IrcServer s;
  auto text = [&o](const char* key, std::string& out) {
    if (const auto* v = o.if_contains(key); v && v->is_string()) out = v->as_string().c_str();
  };
  text("host", s.host);
  text("nick", s.nick);
  text("password", s.password);
  text("sasl_account", s.sasl_account);
  text("sasl_password", s.sasl_password);
  text("username", s.username);
  text("realname", s.realname);
  text("encoding_in", s.encoding_in);
  text("encoding_out", s.encoding_out);
  if (const auto* v = o.if_contains("ports"))
    s.ports = boost::json::value_to<std::vector<std::uint16_t>>(*v);
  else if (const auto* v = o.if_contains("port"))  // before several ports
    s.ports = {v->to_number<std::uint16_t>()};
  if (const auto* v = o.if_contains("tls")) s.tls = v->as_bool();
  if (const auto* v = o.if_contains("verify")) s.verify_certificate = v->as_bool();
  if (const auto* v = o.if_contains("burst")) s.burst = v->to_number<unsigned>();
  if (const auto* v = o.if_contains("after_connect"))
    s.after_connect = boost::json::value_to<std::vector<std::string>>(*v);
  if (const auto* v = o.if_contains("max_history")) s.max_history = v->to_number<std::size_t>();
  if (const auto* v = o.if_contains("casemapping"); v && v->is_string())
    s.case_mapping = parse_case_mapping(v->as_string()).value_or(CaseMapping::rfc1459);
  if (const auto* v = o.if_contains("interval_ms"))
    s.interval = std::chrono::milliseconds(v->to_number<std::int64_t>());
  return s;
}

inline void tag_invoke(boost::json::value_from_tag, boost::json::value& json,
                       const ChannelSettings& c) {
  boost::json::object o;
  if (c.persistent) o["persistent"] = *c.persistent;
  if (c.record_history) o["record_history"] = *c.record_history;
  if (c.max_history) o["max_history"] = *c.max_history;
  if (!c.encoding_in.empty()) o["encoding_in"] = c.encoding_in;
  if (!c.encoding_out.empty()) o["encoding_out"] = c.encoding_out;
  json = std::move(o);
}

inline ChannelSettings tag_invoke(boost::json::value_to_tag<ChannelSettings>,
                                  const boost::json::value& json) {
  ChannelSettings c;
  const auto& o = json.as_object();
  if (const auto* v = o.if_contains("persistent"); v && v->is_bool()) c.persistent = v->as_bool();
  if (const auto* v = o.if_contains("record_history"); v && v->is_bool())
    c.record_history = v->as_bool();
  if (const auto* v = o.if_contains("max_history")) c.max_history = v->to_number<std::size_t>();
  if (const auto* v = o.if_contains("encoding_in"); v && v->is_string())
    c.encoding_in = v->as_string().c_str();
  if (const auto* v = o.if_contains("encoding_out"); v && v->is_string())
    c.encoding_out = v->as_string().c_str();
  return c;
}

inline void tag_invoke(boost::json::value_from_tag, boost::json::value& json, const IrcAccount& a) {
  boost::json::object channels;
  for (const auto& [key, settings] : a.channels)
    if (!settings.empty()) channels[key] = boost::json::value_from(settings);
  json = {{"servers", boost::json::value_from(a.servers)}, {"channels", std::move(channels)}};
}

inline IrcAccount tag_invoke(boost::json::value_to_tag<IrcAccount>,
                             const boost::json::value& json) {
  IrcAccount a;
  if (const auto* v = json.as_object().if_contains("servers"))
    a.servers = boost::json::value_to<std::vector<IrcServer>>(*v);
  if (const auto* v = json.as_object().if_contains("channels"); v && v->is_object())
    for (const auto& [key, settings] : v->as_object())
      if (settings.is_object())
        a.channels[std::string(key)] = boost::json::value_to<ChannelSettings>(settings);
  return a;
}

}  // namespace irc
