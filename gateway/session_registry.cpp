// SessionRegistry: lookup, and the shared log-out sequence.
#include "gateway/session_registry.hpp"

#include <spdlog/spdlog.h>

namespace legate {

std::shared_ptr<Session> SessionRegistry::find(const Jid& user) const {
  auto it = sessions_.find(user.bare_str());
  return it == sessions_.end() ? nullptr : it->second;
}

void SessionRegistry::add(std::shared_ptr<Session> session) {
  const std::string key = session->user_jid().bare_str();
  sessions_[key] = std::move(session);
}

std::shared_ptr<Session> SessionRegistry::remove(const Jid& user) {
  auto it = sessions_.find(user.bare_str());
  if (it == sessions_.end()) return nullptr;
  auto session = std::move(it->second);
  sessions_.erase(it);
  return session;
}

std::vector<std::shared_ptr<Session>> SessionRegistry::all() const {
  std::vector<std::shared_ptr<Session>> out;
  out.reserve(sessions_.size());
  for (const auto& [bare, session] : sessions_) out.push_back(session);
  return out;
}

std::size_t SessionRegistry::logged_in_count() const {
  std::size_t n = 0;
  for (const auto& [bare, session] : sessions_) n += session->logged_in() ? 1 : 0;
  return n;
}

asio::awaitable<void> SessionRegistry::log_out(Session& session) {
  session.cancel_tasks();
  if (!session.logged_in()) co_return;
  session.set_logged_in(false);
  try {
    co_await session.logout();
  } catch (const std::exception& e) {
    spdlog::warn("{}: logout failed: {}", session.user_jid().str(), e.what());
  }
}

}  // namespace legate
