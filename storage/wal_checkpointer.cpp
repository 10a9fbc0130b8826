// Background WAL checkpoints (see wal_checkpointer.hpp).
#include "storage/wal_checkpointer.hpp"

#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <unistd.h>

#include <memory>

#include "storage/database.hpp"

namespace legate {
namespace {

struct Closer {
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
using Connection = std::unique_ptr<sqlite3, Closer>;

Connection open_second(const std::string& path) {
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  Connection db(raw);
  if (rc != SQLITE_OK)
    throw StorageError("storage: checkpointer cannot open " + path + ": " +
                           (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)),
                       rc);
  sqlite3_busy_timeout(raw, 1000);
  // A connection finds the WAL only once it reads the database: read the schema version.
  if (sqlite3_exec(raw, "PRAGMA schema_version", nullptr, nullptr, nullptr) != SQLITE_OK)
    throw StorageError("storage: checkpointer cannot read " + path + ": " + sqlite3_errmsg(raw),
                       sqlite3_extended_errcode(raw));
  return db;
}

// Returns true when frames were copied.
bool checkpoint(sqlite3* db) {
  int log_frames = 0, copied = 0;
  const int rc =
      sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log_frames, &copied);
  if (rc != SQLITE_OK && rc != SQLITE_BUSY)
    spdlog::warn("storage: WAL checkpoint failed: {}", sqlite3_errmsg(db));
  return rc == SQLITE_OK && copied > 0;
}

}  // namespace

WalCheckpointer::WalCheckpointer(Database& db, std::chrono::milliseconds interval)
    : db_(db), interval_(interval) {
  if (db.path() == ":memory:") return;
  Connection probe = open_second(db.path());  // fail here, in the caller's thread
  probe.reset();
  db_.exec("PRAGMA wal_autocheckpoint=0");
  thread_ = std::thread([this, path = db.path()] { run(path); });
}

WalCheckpointer::~WalCheckpointer() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
  try {
    db_.exec("PRAGMA wal_autocheckpoint=1000");  // SQLite's default
  } catch (const std::exception& e) {
    spdlog::warn("storage: {}", e.what());
  }
}

unsigned long long WalCheckpointer::checkpoints() const {
  std::lock_guard lock(mutex_);
  return checkpoints_;
}

void WalCheckpointer::run(std::string path) {
  // Below the event loop's priority, like the background writer.
  setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 10);
  Connection db;
  try {
    db = open_second(path);
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return;
  }
  std::unique_lock lock(mutex_);
  for (;;) {
    const bool stopping = wake_.wait_for(lock, interval_, [this] { return stop_; });
    lock.unlock();
    const bool copied = checkpoint(db.get());
    lock.lock();
    if (copied) ++checkpoints_;
    if (stopping) return;
  }
}

}  // namespace legate
