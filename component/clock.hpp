// Unix time, as stored in the database and written in XMPP timestamps: seconds or
// milliseconds since 1970 of the system clock.
#pragma once

#include <chrono>
#include <cstdint>

namespace legate {

inline std::int64_t unix_ms(
    std::chrono::system_clock::time_point when = std::chrono::system_clock::now()) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch()).count();
}

inline std::int64_t unix_seconds(
    std::chrono::system_clock::time_point when = std::chrono::system_clock::now()) {
  return std::chrono::duration_cast<std::chrono::seconds>(when.time_since_epoch()).count();
}

}  // namespace legate
