// WalCheckpointer: moves WAL checkpoints of a database off the event loop. SQLite's automatic
// checkpoint runs inside whichever commit crosses the threshold and fsyncs the database file
// there, stalling the loop for milliseconds; this runs them on a thread of its own, over its
// own connection, and turns the automatic ones off while it lives.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace legate {

class Database;

class WalCheckpointer {
 public:
  // Checkpoints `db` (PASSIVE: never blocks its writer) every `interval`. Does nothing for an
  // in-memory database. Throws StorageError when the second connection cannot be opened.
  explicit WalCheckpointer(Database& db,
                           std::chrono::milliseconds interval = std::chrono::milliseconds(500));
  // Stops the thread after a last checkpoint, and gives the automatic ones back to `db`.
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Checkpoints done so far (each one that found frames to copy).
  unsigned long long checkpoints() const;

 private:
  void run(std::string path);

  Database& db_;
  std::chrono::milliseconds interval_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  unsigned long long checkpoints_ = 0;
  std::thread thread_;  // last: started once everything above is ready
};

}  // namespace legate
