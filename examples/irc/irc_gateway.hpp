// IrcGateway: legate-irc's registration: the user names an IRC server (host, port, TLS and
// certificate check, nick, optional server password); a later registration adds another
// server, or updates the one it names (several per user, each reached as
// `#chan%server@gw` and `nick%server@gw`); the rest of the user's data stays.
#pragma once

#include <legate/gateway/gateway.hpp>
#include "irc_session.hpp"

namespace irc {

class IrcGateway : public legate::Gateway<IrcSession> {
 public:
  legate::GatewayInfo info() const override;
  legate::asio::awaitable<legate::Json> validate(const legate::Jid& user,
                                                 const legate::Form& form) override;
  std::vector<legate::Command> commands() override;
  std::vector<legate::BridgeSetting> declared_settings() const override;
  // The admin's limits ([irc] servers, min_throttle) applied to a server a user names;
  // throws StanzaError(not-allowed) for a server not on the list.
  void check_allowed(IrcServer& server) const;
};

// The fields of a server: the registration form, and `add-server`'s.
std::vector<legate::FormField> server_fields();
// The server a registration form names; throws StanzaError(bad-request / not-acceptable)
// saying which field is wrong.
IrcServer server_of(const legate::Form& form);
// "6697, 7000" (commas or spaces; empty: the usual port); throws StanzaError(not-acceptable).
inline constexpr std::size_t kMaxPorts = 8;
std::vector<std::uint16_t> ports_of(std::string_view text, bool tls);
std::string ports_text(const std::vector<std::uint16_t>& ports);
// An encoding a user names (iconv's name, upper case; empty: `fallback`); throws
// StanzaError(not-acceptable) for one iconv does not have or that is not ASCII-compatible.
std::string encoding_of(std::string_view name, std::string_view fallback);
// A number of history messages (empty: `fallback`); throws StanzaError(not-acceptable).
std::size_t history_length_of(std::string_view text, std::size_t fallback);

}  // namespace irc
