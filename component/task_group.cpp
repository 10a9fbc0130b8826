// TaskGroup: spawning, cancelling and joining a component's background coroutines.
#include "component/task_group.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <vector>

#include "component/scope_exit.hpp"

namespace legate {

struct TaskGroup::State {
  explicit State(asio::any_io_executor executor) : executor(std::move(executor)) {}
  asio::any_io_executor executor;
  std::map<TaskId, asio::cancellation_signal> running;
  std::vector<asio::steady_timer*> joiners;  // woken when `running` empties
  TaskId next_id = 0;
  bool closed = false;

  void finished(TaskId id) {
    running.erase(id);
    if (!running.empty()) return;
    for (auto* joiner : joiners) joiner->cancel();
  }
};

namespace {

void log_failure(std::exception_ptr failure, const std::string& what) {
  try {
    std::rethrow_exception(failure);
  } catch (const boost::system::system_error& e) {
    if (e.code() != asio::error::operation_aborted) spdlog::warn("{} failed: {}", what, e.what());
  } catch (const std::exception& e) {
    spdlog::warn("{} failed: {}", what, e.what());
  } catch (...) {
    spdlog::warn("{} failed", what);
  }
}

}  // namespace

asio::awaitable<void> throw_if_cancelled() {
  auto state = co_await asio::this_coro::cancellation_state;
  if (state.cancelled() != asio::cancellation_type::none)
    throw boost::system::system_error(asio::error::operation_aborted);
}

bool is_cancellation(const std::exception& e) {
  const auto* error = dynamic_cast<const boost::system::system_error*>(&e);
  return error && error->code() == asio::error::operation_aborted;
}

void rethrow_if_cancellation(const std::exception& e) {
  if (is_cancellation(e)) throw;
}

TaskGroup::TaskGroup(asio::any_io_executor executor)
    : state_(std::make_shared<State>(std::move(executor))) {}

TaskGroup::~TaskGroup() {
  cancel_all();
}

TaskGroup::TaskId TaskGroup::spawn(asio::awaitable<void> task, std::string what) {
  if (state_->closed) {
    spdlog::debug("{} not started: shutting down", what);
    return 0;
  }
  const TaskId id = ++state_->next_id;
  auto& signal = state_->running[id];
  asio::co_spawn(
      state_->executor, std::move(task),
      asio::bind_cancellation_slot(
          signal.slot(), [state = state_, id, what = std::move(what)](std::exception_ptr failure) {
            if (failure) log_failure(failure, what);
            state->finished(id);
          }));
  return id;
}

bool TaskGroup::cancel(TaskId id) {
  auto it = state_->running.find(id);
  if (it == state_->running.end()) return false;
  it->second.emit(asio::cancellation_type::terminal);
  return true;
}

void TaskGroup::cancel_all() {
  state_->closed = true;
  // Emitting may complete a task synchronously, which erases it: walk a copy of the ids.
  std::vector<TaskId> ids;
  ids.reserve(state_->running.size());
  for (auto& [id, signal] : state_->running) ids.push_back(id);
  for (TaskId id : ids) cancel(id);
}

bool TaskGroup::closed() const {
  return state_->closed;
}

asio::awaitable<bool> TaskGroup::join(std::chrono::milliseconds limit) {
  auto state = state_;
  if (state->running.empty()) co_return true;
  asio::steady_timer timer(state->executor, limit);
  state->joiners.push_back(&timer);
  // Also when the frame is destroyed unresumed (the event loop stopped).
  ScopeExit unregister{[&] { std::erase(state->joiners, &timer); }};
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  co_return state->running.empty();
}

bool TaskGroup::running(TaskId id) const {
  return state_->running.count(id) != 0;
}

std::size_t TaskGroup::size() const {
  return state_->running.size();
}

}  // namespace legate
