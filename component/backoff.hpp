// Backoff: reconnect delays growing exponentially up to a cap, with random jitter so that
// many gateways restarting with their server do not reconnect in lockstep.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace legate {

class Backoff {
 public:
  using Duration = std::chrono::milliseconds;
  Backoff(Duration initial, Duration max, std::uint64_t seed = std::random_device{}());

  // The next delay: initial * 2^attempts, capped at max, then drawn from [d/2, d].
  Duration next();
  void reset() { attempts_ = 0; }
  unsigned attempts() const { return attempts_; }

 private:
  Duration initial_;
  Duration max_;
  unsigned attempts_ = 0;
  std::mt19937_64 random_;
};

}  // namespace legate
