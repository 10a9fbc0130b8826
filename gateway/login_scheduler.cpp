// LoginScheduler: the login queue, per-user attempts and retries.
#include "gateway/login_scheduler.hpp"

#include <spdlog/spdlog.h>

#include <utility>

#include "component/scope_exit.hpp"

namespace legate {

LoginScheduler::LoginScheduler(SessionRegistry& sessions, GatewayStatus& status, TaskGroup& tasks,
                               std::chrono::milliseconds first_retry, AfterLogin after_login)
    : sessions_(sessions),
      status_(status),
      tasks_(tasks),
      first_retry_(first_retry),
      after_login_(std::move(after_login)) {}

LoginScheduler::~LoginScheduler() = default;

LoginScheduler::Attempts& LoginScheduler::attempts(const Jid& user) {
  auto it = attempts_.find(user.bare_str());
  if (it == attempts_.end()) it = attempts_.try_emplace(user.bare_str(), first_retry_).first;
  return it->second;
}

void LoginScheduler::log_in_all(std::vector<Jid> users, std::size_t parallel) {
  for (auto& user : users) queue_.push_back(user.bare_str());
  // Bounded concurrency: a few workers drain the queue, so 10,000 users neither log in
  // one by one nor all at once.
  parallel = std::max<std::size_t>(parallel, 1);
  while (workers_ < parallel && workers_ < queue_.size()) {
    ++workers_;
    tasks_.spawn(drain_queue(), "login queue");
  }
}

asio::awaitable<void> LoginScheduler::drain_queue() {
  ScopeExit done{[this] { --workers_; }};
  while (!queue_.empty()) {
    const std::string user = std::move(queue_.back());
    queue_.pop_back();
    auto session = sessions_.find(Jid(user));
    if (session && !session->logged_in()) co_await login(session);
  }
}

void LoginScheduler::log_in(std::shared_ptr<Session> session) {
  const std::string what = "login of " + session->user_jid().bare_str();
  tasks_.spawn(login(std::move(session)), what);
}

void LoginScheduler::log_in_again(std::shared_ptr<Session> session) {
  if (Attempts& attempt = attempts(session->user_jid()); attempt.logging_in) {
    attempt.again = true;  // dropping it would leave the session logged out for good
    return;
  }
  auto relogin = [this, session]() -> asio::awaitable<void> {
    co_await SessionRegistry::log_out(*session);
    co_await login(session);
  };
  tasks_.spawn(std::move(relogin), "re-login of " + session->user_jid().bare_str());
}

asio::awaitable<void> LoginScheduler::login(std::shared_ptr<Session> session) {
  const Jid user = session->user_jid();
  if (attempts(user).logging_in || stopped_) co_return;  // one login at a time
  attempts(user).logging_in = true;
  bool again = false;
  {
    ScopeExit done{[this, user, &again] {
      if (auto it = attempts_.find(user.bare_str()); it != attempts_.end()) {
        it->second.logging_in = false;
        again = std::exchange(it->second.again, false);
      }
    }};
    co_await attempt_login(session);
  }
  if (again && !stopped_ && sessions_.find(user) == session) {
    spdlog::info("{}: logging in again (asked during the login)", user.str());
    log_in_again(std::move(session));
  }
}

asio::awaitable<void> LoginScheduler::attempt_login(std::shared_ptr<Session> session) {
  const Jid user = session->user_jid();
  status_.set(user, PresenceShow::away, "Logging in…");
  std::string text;
  try {
    text = co_await session->login();
  } catch (const std::exception& e) {
    session->set_logged_in(false);
    rethrow_if_cancellation(e);    // shutdown (or the user left): no retry
    attempts(user).again = false;  // the retry logs in anew
    schedule_retry(session, e.what());
    co_return;
  }
  if (stopped_ || sessions_.find(user) != session) co_return;
  session->set_logged_in(true);
  attempts(user).backoff.reset();
  attempts(user).failing = false;
  status_.set(user, PresenceShow::online, text.empty() ? "Logged in" : text);
  spdlog::info("{}: logged in to the legacy network", user.str());
  co_await after_login_(session);
}

void LoginScheduler::schedule_retry(std::shared_ptr<Session> session, const std::string& reason) {
  const Jid user = session->user_jid();
  Attempts& attempt = attempts(user);
  attempt.failing = true;
  const auto delay = attempt.backoff.next();
  spdlog::warn("{}: could not log in: {} (retrying in {:.1f} s)", user.str(), reason,
               std::chrono::duration<double>(delay).count());
  status_.set(user, PresenceShow::busy, "Could not log in: " + reason);
  attempt.retry = std::make_unique<asio::steady_timer>(session->executor(), delay);
  attempt.retry->async_wait([this, session](const boost::system::error_code& ec) {
    if (ec || stopped_ || sessions_.find(session->user_jid()) != session || session->logged_in())
      return;
    log_in(session);
  });
}

void LoginScheduler::stop() {
  stopped_ = true;
  queue_.clear();
  for (auto& [bare, attempt] : attempts_)
    if (attempt.retry) attempt.retry->cancel();
}

std::size_t LoginScheduler::failing_count() const {
  std::size_t n = 0;
  for (const auto& [bare, attempt] : attempts_) {
    if (!attempt.failing) continue;
    auto session = sessions_.find(Jid(bare));
    n += session && !session->logged_in() ? 1 : 0;
  }
  return n;
}

}  // namespace legate
