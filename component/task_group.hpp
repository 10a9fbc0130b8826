// TaskGroup: the coroutines a component runs in the background (iq handlers, logins, chat
// conversations, bridge tasks), each with its own cancellation signal, so that shutdown can
// cancel them all and wait until they have unwound instead of leaving detached frames
// (and their timers) behind. Single-threaded: use it from its executor only.
#pragma once

#include <chrono>
#include <concepts>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include <boost/asio/cancellation_signal.hpp>

#include "asio.hpp"

namespace legate {

// Throws operation_aborted when the calling coroutine has been cancelled. For waits that
// swallow their error (as_tuple), so that a cancelled wait does not read as a timeout.
asio::awaitable<void> throw_if_cancelled();
// Whether `e` is a cancellation (operation_aborted).
bool is_cancellation(const std::exception& e);
// Inside a catch block: rethrows `e` when it is a cancellation (operation_aborted), which
// handlers of "anything failed" must let through rather than report.
void rethrow_if_cancellation(const std::exception& e);

class TaskGroup {
 public:
  using TaskId = std::uint64_t;

  explicit TaskGroup(asio::any_io_executor executor);
  // Cancels what still runs; the frames finish on their own (their state is shared).
  ~TaskGroup();
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;

  // Starts `task` in the group. `what` names it in the warning logged when it fails
  // (cancellation is not a failure). Once the group is closed, the task is not started
  // and 0 is returned.
  TaskId spawn(asio::awaitable<void> task, std::string what);
  // Same for a coroutine lambda: it is kept alive inside the task's frame, since calling a
  // lambda coroutine and dropping the lambda would leave its captures dangling.
  template <std::invocable F>
  TaskId spawn(F make_task, std::string what) {
    return spawn(keep_alive(std::move(make_task)), std::move(what));
  }
  // Cancels one task (terminal cancellation); false when it is no longer running.
  bool cancel(TaskId id);
  // Closes the group and cancels every running task: their pending operations complete
  // with operation_aborted and their next co_await throws.
  void cancel_all();
  bool closed() const;
  bool running(TaskId id) const;
  // Completes when no task runs any more, or after `limit`; true when none runs.
  asio::awaitable<bool> join(std::chrono::milliseconds limit);
  std::size_t size() const;

 private:
  template <class F>
  static asio::awaitable<void> keep_alive(F make_task) {
    co_await make_task();
  }
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace legate
