// BaseGateway: what a bridge subclasses. It declares itself (info()), overrides the
// registration hooks, and calls the helpers to talk to its users; the framework does the
// XMPP side: XEP-0077 registration, storage of users, presence towards the gateway JID.
#pragma once

#include <charconv>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "../component/asio.hpp"
#include "../component/element.hpp"
#include "../component/form.hpp"
#include "../component/jid.hpp"
#include "../config/config.hpp"
#include "../legacy/session.hpp"
#include "../legacy/session_hooks.hpp"
#include "../legacy/user.hpp"
#include "command.hpp"
#include "gateway_info.hpp"

namespace legate {

class Component;
class Database;
class Registration;
class UserStore;

// Deployment settings the gateway needs (from the [gateway] section of the config).
struct GatewaySettings {
  std::vector<Jid> admins;
  std::string allowed_jids;    // regular expression on bare JIDs; empty: the server's users
  std::string upload_service;  // empty: discovered on the server domain
  std::string server_domain;   // empty: the component JID minus its first label
  std::uint64_t max_file_bytes = 100 * 1024 * 1024;  // a user's file for the bridge
  std::chrono::seconds file_timeout{300};            // fetching a user's file
  unsigned message_ids_days = 90;                    // id map retention; 0: forever
  unsigned archive_days = 90;                        // rooms' history retention; 0: forever
  std::uint64_t archive_max_per_room = 10000;        // per room and user; 0: no limit
  std::chrono::seconds backfill_timeout{10};         // a first history query waits this long
  // After a failed login: the first retry (drawn from [d/2, d]), doubling up to 10 minutes.
  std::chrono::milliseconds first_login_retry{2000};
  // Without the XEP-0356 message grant, the user's legacy-side actions are shown as the
  // contact's messages prefixed "You (elsewhere): " (else not at all).
  bool carbons_fallback = false;
  // After each handshake, logins wait this long at most for the server's XEP-0356 grants
  // (which decide how contacts join rosters); 0: only for grants sent with the handshake.
  std::chrono::milliseconds grants_wait{500};
  std::map<std::string, std::string, std::less<>> bridge;  // the bridge's own section(s)
};

// What a bridge subclasses (through Gateway<S>) and calls. run() and the commands layer
// drive it through GatewayRuntime (gateway/gateway_runtime.hpp).
class BaseGateway {
 public:
  BaseGateway();
  virtual ~BaseGateway();
  BaseGateway(const BaseGateway&) = delete;
  BaseGateway& operator=(const BaseGateway&) = delete;

  // --- what the bridge declares ---
  virtual GatewayInfo info() const = 0;
  // Settings of the bridge's own INI section, e.g. {"echo.code", "123456", "help"}.
  virtual std::vector<BridgeSetting> declared_settings() const { return {}; }

  // --- registration hooks (throw StanzaError to refuse, with a reason for the user) ---
  // Checks the submitted form against the legacy network; returns the data to keep for the
  // user (credentials, tokens). Default: the submitted values as a JSON object.
  virtual asio::awaitable<Json> validate(const Jid& user, const Form& form);
  // Two-factor registrations: checks the code the user received; returns the (possibly
  // updated) legacy data. Default: accepts any code, keeps the data.
  virtual asio::awaitable<Json> validate_two_factor_code(User& user, std::string code);
  // QR registrations: the text to encode; call confirm_qr() once the legacy side saw it
  // scanned. Default: feature-not-implemented.
  virtual asio::awaitable<std::string> get_qr_text(User& user);
  // The user is leaving: log out of the legacy network, forget tokens. Default: nothing.
  virtual asio::awaitable<void> unregister(User& user);

  // The bridge's own commands (offered as ad-hoc and chat commands beside the built-in ones).
  virtual std::vector<Command> commands() { return {}; }

  // --- helpers for the bridge ---
  // The legacy side saw the QR code scanned; `data`, when given, replaces the legacy data
  // validate() returned (e.g. the device id the pairing produced).
  void confirm_qr(const Jid& user, Json data = nullptr);
  // The QR step failed on the legacy side; the user is told `reason`.
  void fail_qr(const Jid& user, std::string reason);
  // A chat message from the gateway JID to a user.
  void send_message(const Jid& to, std::string_view text);
  // Sends a QR code to a user: image (uploaded, XEP-0363 + XEP-0066), text, Unicode blocks.
  asio::awaitable<void> send_qr(const Jid& user, std::string text);
  // Runs `task` on the gateway's event loop (its failure is logged); cancelled at shutdown.
  void spawn(asio::awaitable<void> task);
  // A registered user, from the database.
  std::optional<User> find_user(const Jid& jid);
  // A setting of the bridge's own section (declared_settings()), as text, or typed:
  // setting<int>("echo.qr_delay"), setting<bool>(…), setting<std::string>(…). Values were
  // checked against their declared type when the configuration was loaded.
  std::string_view setting(std::string_view key) const;
  template <class T>
  T setting(std::string_view key) const;
  // The gateway's JID (the component's).
  const Jid& jid() const;

  struct Runtime;  // framework internals (registration, storage, waiters)

 private:
  // The machinery (run(), the commands layer) reaches the rest through GatewayRuntime.
  friend class GatewayRuntime;
  friend class Sessions;
  friend struct Runtime;
  Runtime& runtime();
  const Runtime& runtime() const;
  // Implemented by Gateway<S>: the session of a registered user, and which hooks S overrides.
  virtual std::unique_ptr<Session> make_session(SessionHost& host, User user) = 0;
  virtual SessionHooks session_hooks() const = 0;

  Element gateway_vcard() const;
  std::map<std::string, std::string, std::less<>> bridge_settings_;  // readable in info()
  std::unique_ptr<Runtime> runtime_;
};

template <class T>
T BaseGateway::setting(std::string_view key) const {
  const std::string_view text = setting(key);
  if constexpr (std::is_same_v<T, std::string>) {
    return std::string(text);
  } else if constexpr (std::is_same_v<T, bool>) {
    return text == "true" || text == "1" || text == "yes" || text == "on";
  } else {
    static_assert(std::is_integral_v<T>, "setting<T>: std::string, bool or an integer type");
    T value{};
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size())
      throw std::invalid_argument("setting " + std::string(key) + " is not an integer: '" +
                                  std::string(text) + "'");
    return value;
  }
}

}  // namespace legate
