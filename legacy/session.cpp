// Session: default hooks, helpers, task tracking and the per-user event queue.
#include "legacy/session.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <deque>
#include <list>

#include "component/component.hpp"
#include "component/stanza_error.hpp"
#include "storage/id_map.hpp"

namespace legate {

// Tasks outlive a Session that is being torn down until they finish: shared ownership.
struct Session::Tasks {
  std::list<asio::cancellation_signal> running;
  std::deque<std::function<asio::awaitable<void>()>> queue;
  bool draining = false;
};

Session::Session(SessionHost& host, User user)
    : host_(host), user_(std::move(user)), tasks_(std::make_unique<Tasks>()) {}

Session::~Session() = default;

Roster& Session::roster() {
  if (!roster_) roster_ = make_roster();
  return *roster_;
}

IdMap& Session::id_map() {
  return host_.id_map();
}
asio::any_io_executor Session::executor() {
  return host_.component().router().executor();
}

namespace {
[[noreturn]] void not_implemented(std::string_view what) {
  throw StanzaError(ErrorCondition::feature_not_implemented,
                    std::string(what) + " is not supported by this gateway");
}
}  // namespace

asio::awaitable<LegacyId> Session::on_text(Contact&, const Text&) {
  not_implemented("sending messages");
}
asio::awaitable<void> Session::on_correct(Contact&, const LegacyId&, const Text&) {
  not_implemented("correcting messages");
}
asio::awaitable<LegacyId> Session::on_file(Contact&, IncomingFile&) {
  not_implemented("sending files");
}
asio::awaitable<void> Session::on_retract(Contact&, const LegacyId&) {
  not_implemented("retracting messages");
}
asio::awaitable<void> Session::on_react(Contact&, const LegacyId&, std::vector<std::string>) {
  not_implemented("reactions");
}
asio::awaitable<void> Session::on_displayed(Contact&, const LegacyId&) {
  not_implemented("read markers");
}
asio::awaitable<void> Session::on_chat_state(Contact&, ChatState) {
  not_implemented("chat states");
}
asio::awaitable<void> Session::on_presence(const UserPresence&) {
  not_implemented("presence");
}
asio::awaitable<void> Session::on_friend_request(Contact&) {
  not_implemented("friend requests");
}
asio::awaitable<SearchResult> Session::on_search(const Form&) {
  not_implemented("search");
}

asio::awaitable<void> Session::update_legacy_data(Json data) {
  host_.store_legacy_data(user_.jid, data);  // throws (StorageError) before anything changes
  user_.legacy_data = std::move(data);
  spdlog::info("{}: legacy data updated by the bridge", user_.jid.str());
  co_return;
}

void Session::send_gateway_message(std::string_view text) {
  host_.send_gateway_message(user_.jid, text);
}

void Session::send_gateway_status(std::string_view text, PresenceShow show) {
  host_.send_gateway_status(user_.jid, show, text);
}

asio::awaitable<std::optional<std::string>> Session::input(std::string_view prompt,
                                                           std::chrono::seconds timeout) {
  co_return co_await host_.input(user_.jid, prompt, timeout);
}

asio::awaitable<void> Session::send_qr(std::string text) {
  co_await host_.send_qr(user_.jid, std::move(text));
}

void Session::re_login() {
  host_.re_login(user_.jid);
}

void Session::spawn(asio::awaitable<void> task) {
  auto& signal = tasks_->running.emplace_back();
  auto where = std::prev(tasks_->running.end());
  std::shared_ptr<Session> self = shared_from_this();
  asio::co_spawn(
      executor(), std::move(task),
      asio::bind_cancellation_slot(signal.slot(), [self, where](std::exception_ptr failure) {
        self->tasks_->running.erase(where);
        if (!failure) return;
        try {
          std::rethrow_exception(failure);
        } catch (const boost::system::system_error& e) {
          if (e.code() != asio::error::operation_aborted)
            spdlog::warn("{}: task failed: {}", self->user_.jid.str(), e.what());
        } catch (const std::exception& e) {
          spdlog::warn("{}: task failed: {}", self->user_.jid.str(), e.what());
        }
      }));
}

void Session::cancel_tasks() {
  for (auto& signal : tasks_->running) signal.emit(asio::cancellation_type::terminal);
}

void Session::enqueue(std::function<asio::awaitable<void>()> work) {
  tasks_->queue.push_back(std::move(work));
  if (tasks_->draining) return;
  tasks_->draining = true;
  asio::co_spawn(
      executor(), [self = shared_from_this()] { return self->drain(); }, asio::detached);
}

asio::awaitable<void> Session::drain() {
  while (!tasks_->queue.empty()) {
    auto work = std::move(tasks_->queue.front());
    tasks_->queue.pop_front();
    try {
      co_await work();
    } catch (const std::exception& e) {
      spdlog::error("{}: event handling failed: {}", user_.jid.str(), e.what());
    }
  }
  tasks_->draining = false;
}

}  // namespace legate
