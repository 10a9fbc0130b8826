// BackgroundWriter: a thread with its own connection to a database file, running write jobs
// in order, so that commits (and the WAL checkpoints SQLite runs inside them) never stall the
// event loop. WAL mode lets the loop's connection keep reading meanwhile.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace legate {

class Database;

class BackgroundWriter {
 public:
  using Job = std::function<void(Database&)>;

  // Opens the second connection here (so a failure throws StorageError to the caller).
  explicit BackgroundWriter(const std::string& path);
  // Runs the jobs still queued, then stops.
  ~BackgroundWriter();
  BackgroundWriter(const BackgroundWriter&) = delete;
  BackgroundWriter& operator=(const BackgroundWriter&) = delete;

  // Queues a job; returns its number (1, 2, …). A job that throws is logged and skipped.
  std::uint64_t submit(Job job);
  // The number of the last finished job: every job up to it has run.
  std::uint64_t finished() const { return finished_.load(std::memory_order_acquire); }
  // Blocks until job `number` has run.
  void wait(std::uint64_t number);

 private:
  void run();

  std::unique_ptr<Database> db_;
  std::mutex mutex_;
  std::condition_variable wake_;  // jobs queued, or stop
  std::condition_variable finished_cv_;
  std::deque<Job> jobs_;
  std::uint64_t submitted_ = 0;
  std::atomic<std::uint64_t> finished_{0};
  bool stop_ = false;
  std::thread thread_;  // last: started once everything above is ready
};

}  // namespace legate
