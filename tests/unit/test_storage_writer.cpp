// StorageWriter: jobs in order and WAL checkpoints on the one writer thread, against real
// SQLite files; automatic checkpoints off while it runs, back after, untouched when it
// cannot start.
#include <doctest/doctest.h>

#include <pthread.h>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "storage/database.hpp"
#include "storage/json.hpp"
#include "storage/migrations.hpp"
#include "storage/storage_writer.hpp"
#include "storage/user_store.hpp"
#include "tests/unit/storage_test_util.hpp"

using legate::Database;
using legate::Jid;
using legate::Json;
using legate::StorageWriter;
using legate::UserStore;

namespace {

// The names of this process's threads (Linux: /proc/self/task/*/comm).
std::vector<std::string> thread_names() {
  std::vector<std::string> names;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string name;
    std::getline(comm, name);
    names.push_back(name);
  }
  return names;
}

}  // namespace

TEST_CASE("storage writer: checkpoints commits into the database file off the caller's thread") {
  legate::test::TempDir tmp;
  Database db(tmp.db_path());
  UserStore users(db);
  {
    StorageWriter writer(db, std::chrono::milliseconds(20));
    CHECK(legate::test::query_int(db, "PRAGMA wal_autocheckpoint") == 0);
    const auto names = thread_names();
    CHECK(std::count(names.begin(), names.end(), "legate-storage") == 1);
    for (int i = 0; i < 200; ++i) users.add(Jid("u" + std::to_string(i) + "@example.org"), Json{});
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (writer.checkpoints() == 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    CHECK(writer.checkpoints() >= 1);
    users.add(Jid("late@example.org"), Json{});
  }  // the last checkpoint runs on destruction
  CHECK(legate::test::query_int(db, "PRAGMA wal_autocheckpoint") == 1000);
  // Every committed row is in the main database file: a copy of it alone (no -wal) has them.
  const std::string copy = tmp.db_path() + ".copy";
  std::filesystem::copy_file(tmp.db_path(), copy);
  Database reopened(copy);
  CHECK(legate::test::query_int(reopened, "SELECT COUNT(*) FROM users") == 201);
}

TEST_CASE("storage writer: jobs run in order, may queue jobs, and are waited for by number") {
  legate::test::TempDir tmp;
  Database db(tmp.db_path());
  db.exec("CREATE TABLE log (n INTEGER)");
  StorageWriter writer(db);
  std::uint64_t last = 0;
  for (int i = 1; i <= 50; ++i)
    last = writer.submit(
        [i](Database& own) { own.exec("INSERT INTO log VALUES (" + std::to_string(i) + ")"); });
  CHECK(last == 50);
  writer.wait(last);
  CHECK(writer.finished() >= 50);
  CHECK(legate::test::query_int(db,
                                "SELECT group_concat(n) = '1,2,3' FROM "
                                "(SELECT n FROM log ORDER BY rowid LIMIT 3)") == 1);
  CHECK(legate::test::query_int(db, "SELECT SUM(n) FROM log") == 50 * 51 / 2);
  // A failing job is logged and skipped; the next one runs.
  writer.submit([](Database& own) { own.exec("INSERT INTO no_such_table VALUES (1)"); });
  const auto next = writer.submit([&writer](Database& own) {
    own.exec("INSERT INTO log VALUES (1000)");
    writer.submit([](Database& again) { again.exec("INSERT INTO log VALUES (2000)"); });
  });
  writer.wait(next + 1);
  CHECK(legate::test::query_int(db, "SELECT COUNT(*) FROM log WHERE n >= 1000") == 2);
}

TEST_CASE("storage writer: when it cannot start, the database keeps its automatic checkpoints") {
  legate::test::TempDir tmp;
  // A file from a newer schema: the writer's own connection refuses it.
  std::vector<std::string_view> newer(legate::schema_migrations().begin(),
                                      legate::schema_migrations().end());
  newer.push_back("CREATE TABLE from_the_future (x INTEGER)");
  Database db(tmp.db_path(), newer);
  CHECK_THROWS_AS(StorageWriter{db}, legate::StorageError);
  CHECK(legate::test::query_int(db, "PRAGMA wal_autocheckpoint") == 1000);
  const auto names = thread_names();
  CHECK(std::count(names.begin(), names.end(), "legate-storage") == 0);
}

TEST_CASE("storage writer: an in-memory database has none") {
  Database db(":memory:");
  CHECK_THROWS_AS(StorageWriter{db}, std::invalid_argument);
}
