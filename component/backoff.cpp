// Exponential backoff with jitter.
#include "component/backoff.hpp"

#include <algorithm>

namespace legate {

Backoff::Backoff(Duration initial, Duration max, std::uint64_t seed)
    : initial_(std::max(initial, Duration(1))), max_(std::max(max, initial_)), random_(seed) {}

Backoff::Duration Backoff::next() {
  Duration delay = initial_;
  for (unsigned i = 0; i < attempts_ && delay < max_; ++i) delay *= 2;
  delay = std::min(delay, max_);
  ++attempts_;
  std::uniform_int_distribution<Duration::rep> jitter(delay.count() / 2, delay.count());
  return Duration(jitter(random_));
}

}  // namespace legate
