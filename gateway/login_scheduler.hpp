// LoginScheduler: logs sessions in to the legacy network — many at start-up with bounded
// concurrency, one at a time per user, retried with backoff after a failure — and shows
// each attempt in the gateway's status. Logins run in the component's task group.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "../component/backoff.hpp"
#include "../component/task_group.hpp"
#include "gateway_status.hpp"
#include "session_registry.hpp"

namespace legate {

class LoginScheduler {
 public:
  // Runs once a login succeeded (the bridge's presence, the contact list).
  using AfterLogin = std::function<asio::awaitable<void>(std::shared_ptr<Session>)>;

  // `first_retry`: the delay before the first retry after a failure (doubling after that).
  LoginScheduler(SessionRegistry& sessions, GatewayStatus& status, TaskGroup& tasks,
                 std::chrono::milliseconds first_retry, AfterLogin after_login);
  ~LoginScheduler();

  // Logs these users' sessions in, at most `parallel` at once.
  void log_in_all(std::vector<Jid> users, std::size_t parallel);
  void log_in(std::shared_ptr<Session> session);
  // Logs a live session out, then in again. Asked during a login (the bridge lost a
  // connection the login had just made), it runs once that login ends.
  void log_in_again(std::shared_ptr<Session> session);
  // Shutdown: no login starts or retries any more.
  void stop();
  void forget(const Jid& user) { attempts_.erase(user.bare_str()); }
  // Sessions whose last login failed (waiting to retry).
  std::size_t failing_count() const;

 private:
  struct Attempts {
    explicit Attempts(std::chrono::milliseconds first_retry)
        : backoff(first_retry, std::chrono::minutes(10)) {}
    Backoff backoff;
    std::unique_ptr<asio::steady_timer> retry;
    bool logging_in = false;
    bool again = false;    // log_in_again() was asked during the login under way
    bool failing = false;  // the last login failed
  };
  asio::awaitable<void> login(std::shared_ptr<Session> session);
  asio::awaitable<void> attempt_login(std::shared_ptr<Session> session);
  asio::awaitable<void> drain_queue();
  void schedule_retry(std::shared_ptr<Session> session, const std::string& reason);
  Attempts& attempts(const Jid& user);

  SessionRegistry& sessions_;
  GatewayStatus& status_;
  TaskGroup& tasks_;
  std::chrono::milliseconds first_retry_;
  AfterLogin after_login_;
  std::map<std::string, Attempts, std::less<>> attempts_;
  std::vector<std::string> queue_;
  std::size_t workers_ = 0;
  bool stopped_ = false;
};

}  // namespace legate
