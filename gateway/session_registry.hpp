// SessionRegistry: the live legacy sessions, one per registered user, by bare JID, and the
// one way a live session ends (log_out), shared by unregistration, re-login and shutdown.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "../component/asio.hpp"
#include "../component/jid.hpp"
#include "../legacy/session.hpp"

namespace legate {

class SessionRegistry {
 public:
  std::shared_ptr<Session> find(const Jid& user) const;
  void add(std::shared_ptr<Session> session);
  // Forgets the user's session; it lives on for whoever still holds it (a suspended command).
  std::shared_ptr<Session> remove(const Jid& user);
  std::vector<std::shared_ptr<Session>> all() const;
  std::size_t size() const { return sessions_.size(); }
  std::size_t logged_in_count() const;

  // Cancels the session's tasks and, when it is logged in, logs it out of the legacy
  // network; a failing logout() is logged, never thrown.
  static asio::awaitable<void> log_out(Session& session);

 private:
  std::map<std::string, std::shared_ptr<Session>, std::less<>> sessions_;
};

}  // namespace legate
