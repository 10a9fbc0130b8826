// Sessions: the live legacy sessions of all registered users. Logs them in (bounded
// concurrency, retries with backoff), shows their state in the gateway's presence, routes
// the users' messages and presences to contacts, and implements SessionHost for them.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include <boost/asio/steady_timer.hpp>

#include "../component/backoff.hpp"
#include "../component/metrics.hpp"
#include "../component/router.hpp"
#include "../legacy/session.hpp"
#include "base_gateway.hpp"
#include "privileges.hpp"

namespace legate {

class FileTransfers;

class Sessions : public SessionHost {
 public:
  explicit Sessions(BaseGateway::Runtime& runtime);
  ~Sessions() override;

  // Every registered user's session, logged in (at most `parallel` logins at once).
  void login_all(std::size_t parallel = 16);
  // A newly registered user.
  void start(const Jid& user);
  // The user unregistered: log out and forget the session.
  asio::awaitable<void> stop(const Jid& user);
  // Shutdown begins: no login starts or retries any more.
  void stop_logins();
  // Shutdown: every session logs out, every contact goes unavailable.
  asio::awaitable<void> shutdown();
  // Stops the periodic id-map pruning (the event loop may then run out of work).
  void cancel_background_work() { prune_timer_->cancel(); }
  std::shared_ptr<Session> find(const Jid& user);
  std::size_t logged_in_count() const;
  // Sessions whose last login failed (waiting to retry).
  std::size_t failing_count() const;

  // A registered user registered again: the live session gets the new legacy data and logs
  // in again with it.
  void registration_updated(const Jid& user, const Json& legacy_data);
  void on_privileges(const Jid& server, const Privileges& grants);
  // A stanza from a user to one of the contacts (to's local part is set).
  void on_contact_message(Element& stanza);
  void on_contact_presence(Element& stanza);
  // Accepts the user's subscription to a contact (and asks back when needed).
  void approve_subscription(const Jid& user, Contact& contact);
  Router::IqPayload on_contact_iq(const Element& iq);
  // A presence from a user's resource to the gateway JID (merged for on_presence()).
  void on_user_presence(const Jid& from, std::string_view type, std::string_view show,
                        std::string_view status);
  // The gateway's current status for a user (answering probes and available presences).
  void send_status(const Jid& user);

  // --- SessionHost ---
  Component& component() override;
  Database& database() override;
  IdMap& id_map() override { return *ids_; }
  const Features& features() const override;
  RosterMode roster_mode(const Jid& user) const override;
  std::string roster_group() const override;
  void send_gateway_message(const Jid& user, std::string_view text) override;
  void send_gateway_status(const Jid& user, PresenceShow show, std::string_view text) override;
  asio::awaitable<std::optional<std::string>> input(const Jid& user, std::string_view prompt,
                                                    std::chrono::seconds timeout) override;
  asio::awaitable<void> send_qr(const Jid& user, std::string text) override;
  void re_login(const Jid& user) override;
  void add_to_roster(Contact& contact) override;
  void store_legacy_data(const Jid& user, const Json& data) override;
  asio::awaitable<std::string> send_file(Contact& from, OutgoingFile file) override;

  // The user's most available online resource (for in-band transfers), if any.
  std::optional<Jid> best_resource(const Jid& user);
  FileTransfers& files() { return *files_; }

 private:
  // Per user: the gateway status shown, the user's resources, the login retry.
  struct State {
    PresenceShow show = PresenceShow::offline;
    std::string status;
    std::map<std::string, UserPresence, std::less<>> resources;
    UserPresence merged;
    Backoff backoff{std::chrono::seconds(2), std::chrono::minutes(10)};
    std::unique_ptr<asio::steady_timer> retry;
    bool logging_in = false;
    bool failing = false;  // the last login failed
  };
  std::shared_ptr<Session> create(const Jid& user);
  asio::awaitable<void> login(std::shared_ptr<Session> session);
  asio::awaitable<void> fill_roster(std::shared_ptr<Session> session);
  asio::awaitable<void> login_queue();
  void schedule_retry(std::shared_ptr<Session> session, const std::string& reason);
  State& state(const Jid& user);
  TaskGroup& tasks();
  void prune_message_ids();

  BaseGateway::Runtime& rt_;
  std::unique_ptr<IdMap> ids_;
  std::unique_ptr<asio::steady_timer> prune_timer_;  // id map retention, every 6 hours
  std::unique_ptr<FileTransfers> files_;
  std::map<std::string, std::shared_ptr<Session>, std::less<>> sessions_;
  std::map<std::string, std::unique_ptr<State>, std::less<>> states_;
  std::vector<std::string> pending_logins_;
  std::size_t active_logins_ = 0;
  std::size_t max_parallel_ = 16;
  std::set<std::string, std::less<>> roster_push_domains_;  // XEP-0356 grants
  bool logged_roster_mode_ = false;
  bool shutting_down_ = false;
  std::string avatar_hash_;     // of the gateway's own avatar
  Metrics::Hook metrics_hook_;  // sets the session and user gauges at each scrape
};

}  // namespace legate
