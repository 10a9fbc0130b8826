// StorageWriter: the one thread, besides the event loop, that touches the database file.
//
// Storage threading model. The event loop's thread owns the main Database connection: every
// read, and the small writes of registration, contacts and preferences (one statement each;
// in WAL mode with synchronous=NORMAL a commit is an append to the log, no fsync). One
// StorageWriter per gateway runtime (thread "legate-storage", lower priority) owns a second
// connection and does what may take long: the id map's batched commits, retention pruning
// in slices (one bounded job each, so nothing waits for a whole prune), and PASSIVE WAL
// checkpoints every `checkpoint_interval` — SQLite's automatic checkpoint is off while the
// writer runs, since it would fsync inside whichever loop commit crossed the threshold.
// Jobs run in submission order. The loop waits for the writer only in IdMap::sync()
// (shutdown, unregistration, back-pressure). In-memory databases get no writer.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace legate {

class Database;

class StorageWriter {
 public:
  using Job = std::function<void(Database&)>;

  // Opens the second connection to `db`'s file first (StorageError to the caller when it
  // cannot, and then `db` is left as it was), then turns `db`'s automatic checkpoints off
  // and starts the thread. `db` must be a file (std::invalid_argument for ":memory:").
  explicit StorageWriter(
      Database& db, std::chrono::milliseconds checkpoint_interval = std::chrono::milliseconds(500));
  // Runs the jobs queued before, a last checkpoint, stops, and gives `db` its automatic
  // checkpoints back.
  ~StorageWriter();
  StorageWriter(const StorageWriter&) = delete;
  StorageWriter& operator=(const StorageWriter&) = delete;

  // Queues a job; returns its number (1, 2, …), or 0 when the writer is stopping (the job
  // is dropped). A job that throws is logged and skipped. Jobs may submit jobs.
  std::uint64_t submit(Job job);
  // The number of the last finished job: every job up to it has run.
  std::uint64_t finished() const { return finished_.load(std::memory_order_acquire); }
  // Blocks until job `number` has run.
  void wait(std::uint64_t number);
  // Checkpoints that copied frames so far.
  std::uint64_t checkpoints() const { return checkpoints_.load(std::memory_order_acquire); }

 private:
  void run();
  void checkpoint();

  Database& main_;
  std::unique_ptr<Database> db_;  // the writer's own connection
  std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;  // jobs queued, or stop
  std::condition_variable finished_cv_;
  std::deque<Job> jobs_;
  std::uint64_t submitted_ = 0;
  std::atomic<std::uint64_t> finished_{0};
  std::atomic<std::uint64_t> checkpoints_{0};
  bool stop_ = false;
  std::thread thread_;  // last: started once everything above is ready
};

}  // namespace legate
