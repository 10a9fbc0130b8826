// ScopeExit: runs a cleanup when the scope ends, however it ends (return, exception,
// a coroutine destroyed while suspended), instead of a local struct with a destructor.
//   ScopeExit done{[&] { pending_.erase(id); }};
#pragma once

#include <utility>

namespace legate {

template <class F>
class [[nodiscard]] ScopeExit {
 public:
  explicit ScopeExit(F cleanup) : cleanup_(std::move(cleanup)) {}
  ~ScopeExit() {
    if (armed_) cleanup_();
  }
  ScopeExit(const ScopeExit&) = delete;
  ScopeExit& operator=(const ScopeExit&) = delete;
  // The cleanup is no longer needed (e.g. ownership was handed on).
  void release() { armed_ = false; }

 private:
  F cleanup_;
  bool armed_ = true;
};

}  // namespace legate
