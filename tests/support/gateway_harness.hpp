// GatewayHarness: a BaseGateway subclass with scripted registration hooks, attached to a
// Component under test (ComponentHarness) and a real SQLite file in a temp dir.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "gateway/base_gateway.hpp"
#include "gateway/gateway_runtime.hpp"
#include "storage/database.hpp"
#include "tests/support/component_harness.hpp"

namespace legate::test {

struct SessionScript;

// Hooks: validate() refuses the password "wrong"; the two-factor code is "1234"; the QR
// text is "qr:<bare jid>"; unregister() is counted. Users get a ScriptedSession driven by
// `sessions` when it is set, and no session otherwise.
class ScriptedGateway : public BaseGateway {
 public:
  GatewayInfo declared;
  int unregister_calls = 0;
  std::shared_ptr<SessionScript> sessions;

  SessionHooks hooks;  // what session_hooks() reports (read once, at attach)

  GatewayInfo info() const override { return declared; }
  asio::awaitable<Json> validate(const Jid& user, const Form& form) override;
  asio::awaitable<Json> validate_two_factor_code(User& user, std::string code) override;
  asio::awaitable<std::string> get_qr_text(User& user) override;
  asio::awaitable<void> unregister(User& user) override;

 private:
  // Gateway<S> computes these for a bridge; the scripted session overrides every hook, and
  // tests choose which ones count (GatewayOptions::hooks).
  std::unique_ptr<Session> make_session(SessionHost& host, User user) override;
  SessionHooks session_hooks() const override { return hooks; }
};

// Every hook overridden.
inline SessionHooks all_hooks() {
  return SessionHooks{true, true, true, true, true, true, true, true, true, true};
}

class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// The first login retry of the gateways under test (GatewaySettings::first_login_retry),
// shorter than the 2 s default so that tests of retries do not sleep for seconds.
inline constexpr std::chrono::milliseconds kTestLoginRetry{200};

struct GatewayOptions {
  RegistrationType type = RegistrationType::form;
  GatewaySettings settings;
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};
  // The SQLite file; empty: a fresh one in a temp dir. Set it to restart a gateway on the
  // database a previous GatewayHarness (destroyed by then) used.
  std::filesystem::path database;
  std::shared_ptr<SessionScript> sessions;   // ScriptedGateway::sessions
  SessionHooks hooks = all_hooks();          // what the scripted session type counts as overridden
  std::vector<FormField> preference_fields;  // declared.preference_fields
  // Sent by the server with its handshake reply, as servers send XEP-0356 grants.
  std::string with_handshake;
};

class GatewayHarness {
 public:
  explicit GatewayHarness(RegistrationType type, GatewaySettings settings = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(30));
  explicit GatewayHarness(GatewayOptions options);
  // Stops the component thread, then destroys the gateway while its io_context still lives
  // (session timers and tasks unregister from it).
  ~GatewayHarness();
  ComponentHarness& h() { return harness_; }
  ScriptedGateway& gateway() { return *gateway_; }
  // The machinery's side of the gateway (what run() and the commands layer use).
  GatewayRuntime runtime() { return GatewayRuntime(*gateway_); }
  const std::filesystem::path& database_path() const { return database_path_; }
  Database& database() { return *database_; }

  // Sends a XEP-0077 set with a data form; returns the iq reply.
  Element register_with(std::string_view user, std::string_view username, std::string_view password,
                        std::string_view id = "reg");
  // A chat message from a user to the gateway JID.
  void say(std::string_view user, std::string_view body);
  // Skips stanzas until one matches; returns it (REQUIRE fails after the timeout).
  Element next_where(const std::function<bool(const Element&)>& match,
                     std::chrono::milliseconds timeout = 5s);
  Element next_body_containing(std::string_view text);
  // QR registrations on a server without an upload service: answers the gateway's disco
  // queries with nothing until the QR code's text arrives in chat; returns that message.
  Element next_qr_text();
  bool registered(std::string_view user);

 private:
  // Destroyed bottom-up: the component thread stops before the gateway and database go.
  TempDir dir_;
  std::filesystem::path database_path_;
  std::optional<Database> database_;
  std::optional<ScriptedGateway> gateway_;
  ComponentHarness harness_;
};

}  // namespace legate::test
