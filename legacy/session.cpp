// Session: default hooks, helpers, task tracking and the per-user event queue.
#include "legacy/session.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include <deque>
#include <vector>

#include "component/component.hpp"
#include "component/scope_exit.hpp"
#include "component/stanza_error.hpp"
#include "component/task_group.hpp"
#include "storage/id_map.hpp"

namespace legate {

// Tasks outlive a Session that is being torn down until they finish: shared ownership.
struct Session::Tasks {
  std::vector<TaskGroup::TaskId> running;  // in the component's task group
  std::size_t prune_at = 16;  // finished ids are dropped when `running` reaches this size
  struct Item {
    std::function<asio::awaitable<void>()> work;
    std::function<void()> dropped;
  };
  std::deque<Item> queue;
  bool draining = false;
};

Session::Session(SessionHost& host, User user)
    : host_(host), user_(std::move(user)), tasks_(std::make_unique<Tasks>()) {}

Session::~Session() = default;

Roster& Session::roster() {
  if (!roster_) roster_ = make_roster();
  return *roster_;
}

std::unique_ptr<Rooms> Session::make_rooms() {
  return std::make_unique<Rooms>(*this);
}

Rooms& Session::rooms() {
  if (!rooms_) rooms_ = make_rooms();
  return *rooms_;
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

namespace {

// Keeps the session alive while one of its tasks runs. The task is moved into a local:
// locals go before parameters, so the task's frame never outlives the session.
asio::awaitable<void> holding(std::shared_ptr<Session>, asio::awaitable<void> task) {
  asio::awaitable<void> running = std::move(task);
  co_await std::move(running);
}

}  // namespace

void Session::spawn(asio::awaitable<void> task) {
  TaskGroup& group = host_.component().router().tasks();
  // Finished ids are dropped in bulk, when the list has doubled since: a scan per spawn cost
  // O(tasks in flight) each (15% of the gateway's CPU with 20,000 messages in flight).
  if (tasks_->running.size() >= tasks_->prune_at) {
    std::erase_if(tasks_->running, [&group](TaskGroup::TaskId id) { return !group.running(id); });
    tasks_->prune_at = std::max<std::size_t>(16, 2 * tasks_->running.size());
  }
  const TaskGroup::TaskId id =
      group.spawn(holding(shared_from_this(), std::move(task)), user_.jid.str() + " task");
  if (id != 0) tasks_->running.push_back(id);
}

void Session::cancel_tasks() {
  TaskGroup& group = host_.component().router().tasks();
  for (TaskGroup::TaskId id : tasks_->running) group.cancel(id);
  tasks_->running.clear();
}

void Session::enqueue(std::function<asio::awaitable<void>()> work, std::function<void()> dropped) {
  tasks_->queue.push_back({std::move(work), std::move(dropped)});
  if (tasks_->draining) return;
  TaskGroup& group = host_.component().router().tasks();
  // A label that fits the small-string buffer: a queue is spawned per message on an idle
  // session, and drain() names the user in its own log lines.
  tasks_->draining = true;  // before: drain() may run (and end) before spawn() returns
  if (group.spawn(holding(shared_from_this(), drain()), "events") == 0) tasks_->draining = false;
}

asio::awaitable<void> Session::drain() {
  ScopeExit done{[this] { tasks_->draining = false; }};
  while (!tasks_->queue.empty()) {
    Tasks::Item item = std::move(tasks_->queue.front());
    tasks_->queue.pop_front();
    try {
      co_await item.work();
    } catch (const std::exception& e) {
      if (!is_cancellation(e)) {
        spdlog::error("{}: event handling failed: {}", user_.jid.str(), e.what());
        continue;
      }
      // Cancelled (shutdown): no co_await works any more; what was queued is dropped, each
      // item accounted for by its `dropped`.
      if (item.dropped) item.dropped();
      for (auto& rest : std::exchange(tasks_->queue, {}))
        if (rest.dropped) rest.dropped();
      throw;
    }
  }
}

}  // namespace legate
