// Helpers shared by the storage tests: a fresh temporary directory per test (removed after),
// pragma queries, and file modes.
#pragma once

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>

#include <sys/stat.h>

#include "storage/database.hpp"

namespace legate::test {

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "legate-storage-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // A database path two missing directories down, so opening it must create them.
  std::string db_path() const { return (path_ / "data" / "legate" / "test.sqlite").string(); }

 private:
  std::filesystem::path path_;
};

// The single value a pragma or query returns, as text.
inline std::string query_text(Database& db, std::string_view sql) {
  StatementScope stmt(db.statement(sql));
  REQUIRE(stmt->step());
  return stmt->column_text(0);
}

inline std::int64_t query_int(Database& db, std::string_view sql) {
  StatementScope stmt(db.statement(sql));
  REQUIRE(stmt->step());
  return stmt->column_int(0);
}

// Permission bits of a file, or -1 if it does not exist.
inline int file_mode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int>(st.st_mode & 07777);
}

}  // namespace legate::test
