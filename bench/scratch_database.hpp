// A benchmark's throwaway database: the component under test gets one of its own, so that
// a run never touches the user's data directory, and it is removed (with SQLite's -wal
// and -shm files) when the run ends. Header-only.
#pragma once

#include <cstdio>
#include <string>
#include <utility>

namespace legate::bench {

class ScratchDatabase {
 public:
  // An empty `path` removes nothing (a database the user asked to keep).
  explicit ScratchDatabase(std::string path) : path_(std::move(path)) {}
  ~ScratchDatabase() {
    if (path_.empty()) return;
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path_ + suffix).c_str());
  }
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

 private:
  std::string path_;
};

}  // namespace legate::bench
