// The benchmarks' clock: a monotonic one, and conversions from the seconds that options
// give. Header-only.
#pragma once

#include <chrono>

namespace legate::bench {

using Clock = std::chrono::steady_clock;

inline double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// A --timeout or --stall in (fractional) seconds, as a clock duration.
inline Clock::duration from_seconds(double seconds) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

}  // namespace legate::bench
