// Sessions: the gateway's side of its users' legacy sessions, assembled from one part per
// concept — the registry that owns the sessions, the login scheduler, the gateway status,
// the roster policy, the contact router, the users' merged presences, the services sessions
// ask for (SessionHost) — plus the life cycle that spans them (register, unregister,
// shutdown). Stanzas reach the parts directly (contacts(), roster(), status()).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <boost/asio/steady_timer.hpp>

#include "../component/metrics.hpp"
#include "../legacy/session.hpp"
#include "base_gateway.hpp"
#include "bookmarks.hpp"
#include "carbons.hpp"
#include "contact_router.hpp"
#include "displayed_sync.hpp"
#include "gateway_status.hpp"
#include "login_scheduler.hpp"
#include "privilege_grants.hpp"
#include "privileged_iq.hpp"
#include "room_router.hpp"
#include "roster_policy.hpp"
#include "session_registry.hpp"
#include "session_services.hpp"
#include "user_pep.hpp"
#include "user_presences.hpp"

namespace legate {

class FileTransfers;

class Sessions {
 public:
  explicit Sessions(BaseGateway::Runtime& runtime);
  ~Sessions();
  Sessions(const Sessions&) = delete;
  Sessions& operator=(const Sessions&) = delete;

  // A new stream: the grants of the last one are void, and the logins start once the server
  // sent its new ones (or after GatewaySettings::grants_wait).
  void connected();
  // The server's XEP-0356 grant message.
  void granted(const Jid& server, Privileges grants);
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
  // (and the logins waiting for the server's grants).
  void cancel_background_work();
  // A registered user registered again: the live session gets the new legacy data and logs
  // in again with it.
  void registration_updated(const Jid& user, const Json& legacy_data);

  std::shared_ptr<Session> find(const Jid& user) const { return registry_.find(user); }
  std::size_t logged_in_count() const { return registry_.logged_in_count(); }
  std::size_t failing_count() const { return logins_.failing_count(); }
  ContactRouter& contacts() { return *contacts_; }
  ContactPep& contact_pep() { return contact_pep_; }
  RosterPolicy& roster() { return roster_; }
  RoomRouter& rooms() { return rooms_; }
  // What each server grants the gateway (XEP-0356), and what is done with it.
  PrivilegeGrants& grants() { return grants_; }
  PrivilegedIq& privileged_iq() { return privileged_iq_; }
  UserPep& pep() { return pep_; }
  Carbons& carbons() { return carbons_; }
  DisplayedSync& displayed() { return displayed_; }
  GatewayStatus& status() { return status_; }
  FileTransfers& files() { return *files_; }

  SessionServices& services() { return *services_; }
  // The user's session logs out and in again.
  void re_login(const Jid& user);

 private:
  std::shared_ptr<Session> create(const Jid& user);
  asio::awaitable<void> after_login(std::shared_ptr<Session> session);
  void start_waiting_logins();
  asio::awaitable<void> check_message_routing(Jid server);
  void prune_message_ids();

  BaseGateway::Runtime& rt_;
  std::unique_ptr<IdMap> ids_;
  std::unique_ptr<RoomArchive> archive_;
  std::unique_ptr<asio::steady_timer> prune_timer_;   // id map retention, every 6 hours
  std::unique_ptr<asio::steady_timer> grants_timer_;  // connected(): the wait for grants
  bool logins_waiting_ = false;                       // for the grants, after a handshake
  SessionRegistry registry_;
  ContactPep contact_pep_;
  UserPresences presences_;
  GatewayStatus status_;
  std::string occupant_secret_;  // the key of occupant ids (XEP-0421), stored
  RoomRouter rooms_;
  PrivilegeGrants grants_;
  PrivilegedIq privileged_iq_;
  UserPep pep_{privileged_iq_};
  Carbons carbons_;
  RosterPolicy roster_;
  Bookmarks bookmarks_;
  DisplayedSync displayed_;
  LoginScheduler logins_;
  std::unique_ptr<FileTransfers> files_;
  std::unique_ptr<ContactRouter> contacts_;
  std::unique_ptr<SessionServices> services_;
  Metrics::Hook metrics_hook_;  // sets the session and user gauges at each scrape
};

}  // namespace legate
