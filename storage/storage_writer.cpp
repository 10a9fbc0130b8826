// StorageWriter: the writer thread's loop (see storage_writer.hpp for the threading model).
#include "storage/storage_writer.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

#include "storage/database.hpp"

namespace legate {
namespace {
constexpr int kWriterNice = 19;               // a commit may wait a little, a reply should not
constexpr int kDefaultAutocheckpoint = 1000;  // SQLite's default, in pages
}  // namespace

StorageWriter::StorageWriter(Database& db, std::chrono::milliseconds checkpoint_interval)
    : main_(db), interval_(checkpoint_interval) {
  if (db.path() == ":memory:")
    throw std::invalid_argument("storage: an in-memory database has no file to write");
  db_ = std::make_unique<Database>(db.path());
  main_.exec("PRAGMA wal_autocheckpoint=0");
  thread_ = std::thread([this] { run(); });
  // Named from here, so that it has its name as soon as the constructor returns.
  pthread_setname_np(thread_.native_handle(), "legate-storage");
}

StorageWriter::~StorageWriter() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
  try {
    main_.exec("PRAGMA wal_autocheckpoint=" + std::to_string(kDefaultAutocheckpoint));
  } catch (const std::exception& e) {
    spdlog::warn("storage: {}", e.what());
  }
}

std::uint64_t StorageWriter::submit(Job job) {
  std::uint64_t number;
  {
    std::lock_guard lock(mutex_);
    if (stop_) return 0;  // e.g. the next slice of a prune: it resumes at the next start
    jobs_.push_back(std::move(job));
    number = ++submitted_;
  }
  wake_.notify_one();
  return number;
}

void StorageWriter::wait(std::uint64_t number) {
  std::unique_lock lock(mutex_);
  finished_cv_.wait(lock, [&] { return finished() >= number; });
}

void StorageWriter::checkpoint() {
  try {
    if (db_->checkpoint() > 0) checkpoints_.fetch_add(1, std::memory_order_release);
  } catch (const std::exception& e) {
    spdlog::warn("storage: WAL checkpoint failed: {}", e.what());
  }
}

void StorageWriter::run() {
  setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), kWriterNice);
  auto next_checkpoint = std::chrono::steady_clock::now() + interval_;
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait_until(lock, next_checkpoint, [this] { return stop_ || !jobs_.empty(); });
    if (!jobs_.empty()) {
      Job job = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      try {
        job(*db_);
      } catch (const std::exception& e) {
        spdlog::error("storage: background write failed: {}", e.what());
      }
      lock.lock();
      finished_.fetch_add(1, std::memory_order_release);
      finished_cv_.notify_all();
    }
    const bool stopping = stop_ && jobs_.empty();
    if (stopping || std::chrono::steady_clock::now() >= next_checkpoint) {
      lock.unlock();
      checkpoint();
      lock.lock();
      next_checkpoint = std::chrono::steady_clock::now() + interval_;
    }
    if (stopping) return;
  }
}

}  // namespace legate
