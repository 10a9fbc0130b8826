// Write jobs on a thread of their own (see background_writer.hpp).
#include "storage/background_writer.hpp"

#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include "storage/database.hpp"

namespace legate {
namespace {
constexpr int kWriterNice = 19;
}  // namespace

BackgroundWriter::BackgroundWriter(const std::string& path)
    : db_(std::make_unique<Database>(path)), thread_([this] { run(); }) {}

BackgroundWriter::~BackgroundWriter() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

std::uint64_t BackgroundWriter::submit(Job job) {
  std::uint64_t number;
  {
    std::lock_guard lock(mutex_);
    jobs_.push_back(std::move(job));
    number = ++submitted_;
  }
  wake_.notify_one();
  return number;
}

void BackgroundWriter::wait(std::uint64_t number) {
  std::unique_lock lock(mutex_);
  finished_cv_.wait(lock, [&] { return finished() >= number; });
}

void BackgroundWriter::run() {
  // Below the event loop's priority: a commit may wait a little, a reply should not.
  setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), kWriterNice);
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stop_ || !jobs_.empty(); });
    if (jobs_.empty()) return;  // stopping, and nothing left to write
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
}

}  // namespace legate
