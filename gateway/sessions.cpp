// Sessions: logins, gateway status, SessionHost services, shutdown.
#include "gateway/sessions.hpp"

#include "gateway/file_transfers.hpp"
#include "storage/id_map.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "component/backoff.hpp"
#include "component/digest.hpp"
#include "component/scope_exit.hpp"
#include "gateway/runtime.hpp"
#include "legacy/contact_stanzas.hpp"
#include "storage/contact_store.hpp"

namespace legate {

Sessions::Sessions(BaseGateway::Runtime& runtime)
    : rt_(runtime),
      ids_(std::make_unique<IdMap>(runtime.database, runtime.component.router().executor())),
      prune_timer_(std::make_unique<asio::steady_timer>(runtime.component.router().executor())),
      files_(std::make_unique<FileTransfers>(
          runtime, *this,
          FileLimits{runtime.settings.max_file_bytes, runtime.settings.file_timeout})),
      avatar_hash_(runtime.avatar.empty() ? "" : sha1_hex(runtime.avatar)) {
  Metrics& metrics = rt_.component.metrics();
  prune_message_ids();
  metrics_hook_ = metrics.on_collect([this, &metrics] {
    metrics.sessions_logged_in().set(static_cast<double>(logged_in_count()));
    metrics.sessions_failing().set(static_cast<double>(failing_count()));
    metrics.registered_users().set(static_cast<double>(rt_.users.count()));
  });
}
Sessions::~Sessions() = default;

void Sessions::prune_message_ids() {
  const unsigned days = rt_.settings.message_ids_days;
  if (days == 0) return;
  try {
    ids_->prune(std::chrono::system_clock::now() - std::chrono::hours(24) * days);
  } catch (const std::exception& e) {
    spdlog::warn("storage: pruning message ids failed: {}", e.what());
  }
  prune_timer_->expires_after(std::chrono::hours(6));
  prune_timer_->async_wait([this](const boost::system::error_code& ec) {
    if (!ec) prune_message_ids();  // cancelled: Sessions is gone, do not touch it
  });
}

Sessions::State& Sessions::state(const Jid& user) {
  auto& slot = states_[user.bare_str()];
  if (!slot) slot = std::make_unique<State>();
  return *slot;
}

TaskGroup& Sessions::tasks() {
  return rt_.component.router().tasks();
}

std::shared_ptr<Session> Sessions::find(const Jid& user) {
  auto it = sessions_.find(user.bare_str());
  return it == sessions_.end() ? nullptr : it->second;
}

std::size_t Sessions::logged_in_count() const {
  std::size_t n = 0;
  for (const auto& [jid, session] : sessions_) n += session->logged_in() ? 1 : 0;
  return n;
}

std::size_t Sessions::failing_count() const {
  std::size_t n = 0;
  for (const auto& [jid, session] : sessions_) {
    auto it = states_.find(jid);
    n += !session->logged_in() && it != states_.end() && it->second->failing ? 1 : 0;
  }
  return n;
}

std::shared_ptr<Session> Sessions::create(const Jid& user) {
  if (auto existing = find(user)) return existing;
  auto record = rt_.users.find(user.bare());
  if (!record) return nullptr;
  std::unique_ptr<Session> made = rt_.gateway.make_session(
      *this, User{record->jid, record->legacy_data,
                  rt_.with_default_preferences(record->preferences), record->id});
  if (!made) return nullptr;
  std::shared_ptr<Session> session(std::move(made));
  sessions_[user.bare_str()] = session;
  return session;
}

void Sessions::login_all(std::size_t parallel) {
  max_parallel_ = std::max<std::size_t>(parallel, 1);
  for (const auto& record : rt_.users.all()) {
    auto session = create(record.jid);
    if (!session) continue;
    if (session->logged_in()) {
      send_status(record.jid);  // a reconnect: show the current state again
      for (Contact* contact : session->roster().all()) contact->send_presence_to(record.jid);
      continue;
    }
    pending_logins_.push_back(record.jid.str());
  }
  // Bounded concurrency: a few workers drain the queue, so 10,000 users neither log in
  // one by one nor all at once.
  while (active_logins_ < max_parallel_ && active_logins_ < pending_logins_.size()) {
    ++active_logins_;
    tasks().spawn(login_queue(), "login queue");
  }
}

asio::awaitable<void> Sessions::login_queue() {
  ScopeExit done{[this] { --active_logins_; }};
  while (!pending_logins_.empty()) {
    const std::string user = std::move(pending_logins_.back());
    pending_logins_.pop_back();
    auto session = find(Jid(user));
    if (session && !session->logged_in()) co_await login(session);
  }
}

void Sessions::start(const Jid& user) {
  auto session = create(user);
  if (session) tasks().spawn(login(session), "login of " + user.bare_str());
}

asio::awaitable<void> Sessions::login(std::shared_ptr<Session> session) {
  const Jid user = session->user_jid();
  if (state(user).logging_in || shutting_down_) co_return;  // one login at a time
  state(user).logging_in = true;
  ScopeExit done{[this, user] {
    if (auto it = states_.find(user.bare_str()); it != states_.end())
      it->second->logging_in = false;
  }};
  send_gateway_status(user, PresenceShow::away, "Logging in…");
  try {
    const std::string text = co_await session->login();
    if (shutting_down_ || find(user) != session) co_return;
    session->set_logged_in(true);
    state(user).backoff.reset();
    state(user).failing = false;
    // The user's presence may have changed while the login ran: the bridge gets it now.
    if (const UserPresence merged = state(user).merged; merged.show != PresenceShow::offline) {
      session->enqueue([session, merged]() -> asio::awaitable<void> {
        try {
          co_await session->on_presence(merged);
        } catch (const StanzaError&) {
        }
      });
    }
    send_gateway_status(user, PresenceShow::online, text.empty() ? "Logged in" : text);
    spdlog::info("{}: logged in to the legacy network", user.str());
  } catch (const std::exception& e) {
    session->set_logged_in(false);
    rethrow_if_cancellation(e);  // shutdown (or the user left): no retry
    schedule_retry(session, e.what());
    co_return;
  }
  co_await fill_roster(session);
}

asio::awaitable<void> Sessions::fill_roster(std::shared_ptr<Session> session) {
  // The session is logged in and messages flow even if the contact list cannot be had:
  // a failed fill() is reported, not treated as a failed login (which would log in again
  // without logging out first).
  const Jid user = session->user_jid();
  try {
    const std::vector<LegacyId> contacts = co_await session->roster().fill();
    for (const auto& id : contacts) {
      Contact& contact = session->roster().by_legacy_id(id);
      if (!contact.in_roster()) add_to_roster(contact);
    }
  } catch (const std::exception& e) {
    spdlog::warn("{}: could not list the contacts: {}", user.str(), e.what());
    send_gateway_message(user, std::string("Could not list your contacts: ") + e.what() +
                                   " (send re-login to try again)");
  }
}

void Sessions::schedule_retry(std::shared_ptr<Session> session, const std::string& reason) {
  const Jid user = session->user_jid();
  State& st = state(user);
  st.failing = true;
  const auto delay = st.backoff.next();
  spdlog::warn("{}: could not log in: {} (retrying in {} s)", user.str(), reason,
               std::chrono::duration_cast<std::chrono::seconds>(delay).count());
  send_gateway_status(user, PresenceShow::busy, "Could not log in: " + reason);
  st.retry = std::make_unique<asio::steady_timer>(rt_.component.router().executor(), delay);
  st.retry->async_wait([this, session](const boost::system::error_code& ec) {
    if (ec || shutting_down_ || find(session->user_jid()) != session || session->logged_in())
      return;
    tasks().spawn(login(session), "login of " + session->user_jid().str());
  });
}

void Sessions::re_login(const Jid& user) {
  auto session = find(user);
  if (!session) return;
  auto relogin = [this, session]() -> asio::awaitable<void> {
    if (session->logged_in()) {
      session->cancel_tasks();
      session->set_logged_in(false);
      try {
        co_await session->logout();
      } catch (const std::exception& e) {
        spdlog::warn("{}: logout failed: {}", session->user_jid().str(), e.what());
      }
    }
    co_await login(session);
  };
  tasks().spawn(std::move(relogin), "re-login of " + user.bare_str());
}

asio::awaitable<void> Sessions::stop(const Jid& user) {
  auto session = find(user);
  sessions_.erase(user.bare_str());
  states_.erase(user.bare_str());
  if (!session) co_return;
  ids_->forget(session->user().id);
  session->cancel_tasks();
  if (session->logged_in()) {
    session->set_logged_in(false);
    try {
      co_await session->logout();
    } catch (const std::exception& e) {
      spdlog::warn("{}: logout failed: {}", user.str(), e.what());
    }
  }
  for (Contact* contact : session->roster().all()) {
    component().send(make_presence(contact->jid().str(), user.str(), "unavailable"));
  }
}

void Sessions::stop_logins() {
  shutting_down_ = true;
  prune_timer_->cancel();
  pending_logins_.clear();
  for (auto& [bare, st] : states_)
    if (st->retry) st->retry->cancel();
}

asio::awaitable<void> Sessions::shutdown() {
  stop_logins();
  auto all = sessions_;
  for (auto& [bare, session] : all) {
    const Jid user(bare);
    session->cancel_tasks();
    if (session->logged_in()) {
      session->set_logged_in(false);
      try {
        co_await session->logout();
      } catch (const std::exception& e) {
        spdlog::warn("{}: logout failed: {}", bare, e.what());
      }
    }
    // Every contact last shown available goes unavailable, without loading them as objects.
    for (const auto& record : ContactStore(database()).all(session->user().id)) {
      if (record.presence_show == "unavailable") continue;
      component().send(
          make_presence(record.local + "@" + component().jid().str(), bare, "unavailable"));
    }
    component().send(make_presence(component().jid().str(), bare, "unavailable"));
  }
  spdlog::info("{} sessions logged out", all.size());
}

void Sessions::on_privileges(const Jid& server, const Privileges& grants) {
  if (grants.can_set_roster()) {
    roster_push_domains_.insert(std::string(server.domain()));
    spdlog::info("XEP-0356: {} lets the gateway push roster items", server.str());
  } else {
    roster_push_domains_.erase(std::string(server.domain()));
  }
}

RosterMode Sessions::roster_mode(const Jid& user) const {
  return roster_push_domains_.count(user.domain()) ? RosterMode::privileged : RosterMode::subscribe;
}

std::string Sessions::roster_group() const {
  return rt_.info.name;
}

void Sessions::add_to_roster(Contact& contact) {
  const Jid user = contact.session().user_jid();
  const RosterMode mode = roster_mode(user);
  if (!logged_roster_mode_) {
    logged_roster_mode_ = true;
    spdlog::info("contacts join rosters by {}", mode == RosterMode::privileged
                                                    ? "privileged roster push (XEP-0356)"
                                                    : "subscription requests");
  }
  if (mode == RosterMode::privileged) {
    component().send(roster_push(component().jid().str(), user.str(), contact.jid().str(),
                                 contact.name(), roster_group(), component().router().next_id()));
    contact.mark_in_roster(true);
    contact.send_presence_to(user);
  } else {
    component().send(subscription_request(
        contact.jid().str(), user.str(), contact.nick().empty() ? contact.name() : contact.nick()));
  }
}

void Sessions::send_status(const Jid& user) {
  State& st = state(user);
  Element presence = make_presence(component().jid().str(), user.bare_str(),
                                   st.show == PresenceShow::offline ? "unavailable" : "");
  if (auto show = show_element(st.show); !show.empty())
    presence.add_child("show", std::string(kComponentNs)).set_text(std::string(show));
  if (!st.status.empty())
    presence.add_child("status", std::string(kComponentNs)).set_text(st.status);
  if (!rt_.avatar.empty()) {  // XEP-0153, like a contact's
    presence.add_child("x", std::string(kVcardUpdateNs))
        .add_child("photo", std::string(kVcardUpdateNs))
        .set_text(avatar_hash_);
  }
  component().send(presence);
}

// --- SessionHost ---

asio::awaitable<std::string> Sessions::send_file(Contact& from, OutgoingFile file) {
  co_return co_await files_->send(from, std::move(file));
}

Component& Sessions::component() {
  return rt_.component;
}
Database& Sessions::database() {
  return rt_.database;
}
const Features& Sessions::features() const {
  return rt_.features;
}

void Sessions::store_legacy_data(const Jid& user, const Json& data) {
  rt_.users.update_legacy_data(user.bare(), data);
}

void Sessions::registration_updated(const Jid& user, const Json& legacy_data) {
  auto session = find(user);
  if (!session) return;
  User updated = session->user();
  updated.legacy_data = legacy_data;
  session->set_user(std::move(updated));
  spdlog::info("{}: new registration data handed to the live session, logging in again",
               user.bare_str());
  re_login(user);
}

void Sessions::send_gateway_message(const Jid& user, std::string_view text) {
  rt_.send_chat(user, text);
}

void Sessions::send_gateway_status(const Jid& user, PresenceShow show, std::string_view text) {
  State& st = state(user);
  st.show = show;
  st.status = std::string(text);
  send_status(user);
}

asio::awaitable<std::optional<std::string>> Sessions::input(const Jid& user,
                                                            std::string_view prompt,
                                                            std::chrono::seconds timeout) {
  if (!prompt.empty()) rt_.send_chat(user, prompt);
  co_return co_await rt_.chat_input.wait(user.bare_str(), timeout);
}

asio::awaitable<void> Sessions::send_qr(const Jid& user, std::string text) {
  co_await rt_.gateway.send_qr(user, std::move(text));
}

}  // namespace legate
