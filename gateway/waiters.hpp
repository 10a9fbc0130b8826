// Waiters: coroutines waiting, with a timeout, for a value keyed by a string (the next chat
// line of a user, the QR confirmation of a user). One waiter per key: a new wait on a key
// replaces (and wakes, empty-handed) the previous one.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "../component/asio.hpp"
#include "../component/scope_exit.hpp"
#include "../component/task_group.hpp"

namespace legate {

template <class T>
class Waiters {
 public:
  explicit Waiters(asio::any_io_executor executor) : executor_(std::move(executor)) {}
  ~Waiters() {
    for (auto& [key, slot] : slots_) slot->owner = nullptr;
  }
  Waiters(const Waiters&) = delete;
  Waiters& operator=(const Waiters&) = delete;

  // The delivered value, or nullopt on timeout or cancel(); throws operation_aborted when
  // the waiting coroutine is cancelled.
  asio::awaitable<std::optional<T>> wait(std::string key, std::chrono::milliseconds timeout) {
    Slot slot{asio::steady_timer(executor_, timeout), std::nullopt, this};
    cancel(key);
    slots_[key] = &slot;
    ScopeExit unregister{[&slot, &key] {
      if (!slot.owner) return;
      auto it = slot.owner->slots_.find(key);
      if (it != slot.owner->slots_.end() && it->second == &slot) slot.owner->slots_.erase(it);
    }};
    co_await slot.timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (!slot.value) co_await throw_if_cancelled();  // a shutdown is not a timeout
    co_return std::move(slot.value);
  }

  // Hands `value` to the waiter on `key`; false when nobody waits.
  bool deliver(std::string_view key, T value) {
    auto it = slots_.find(key);
    if (it == slots_.end()) return false;
    Slot* slot = it->second;
    slots_.erase(it);
    slot->value = std::move(value);
    slot->timer.cancel();
    return true;
  }

  bool waiting(std::string_view key) const { return slots_.find(key) != slots_.end(); }

  // Wakes every waiter empty-handed (shutdown: waits outside a task group end too).
  void cancel_all() {
    auto slots = std::move(slots_);
    slots_.clear();
    for (auto& [key, slot] : slots) slot->timer.cancel();
  }

  void cancel(std::string_view key) {
    auto it = slots_.find(key);
    if (it == slots_.end()) return;
    Slot* slot = it->second;
    slots_.erase(it);
    slot->timer.cancel();
  }

 private:
  struct Slot {
    asio::steady_timer timer;
    std::optional<T> value;
    Waiters* owner;
  };
  asio::any_io_executor executor_;
  std::map<std::string, Slot*, std::less<>> slots_;
};

}  // namespace legate
