// WalCheckpointer: WAL checkpoints on a thread of their own, against a real SQLite file.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "storage/database.hpp"
#include "storage/json.hpp"
#include "storage/user_store.hpp"
#include "storage/wal_checkpointer.hpp"
#include "tests/unit/storage_test_util.hpp"

using legate::Database;
using legate::Jid;
using legate::Json;
using legate::UserStore;
using legate::WalCheckpointer;

TEST_CASE(
    "storage: the WAL checkpointer copies commits into the database off the caller's thread") {
  legate::test::TempDir tmp;
  Database db(tmp.db_path());
  UserStore users(db);
  {
    WalCheckpointer checkpointer(db, std::chrono::milliseconds(20));
    CHECK(legate::test::query_int(db, "PRAGMA wal_autocheckpoint") == 0);
    for (int i = 0; i < 200; ++i) users.add(Jid("u" + std::to_string(i) + "@example.org"), Json{});
    // A second connection that does not read the WAL sees the rows only once they are
    // checkpointed into the main file: wait for that (bounded).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (checkpointer.checkpoints() == 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    CHECK(checkpointer.checkpoints() >= 1);
    users.add(Jid("late@example.org"), Json{});
  }  // the last checkpoint runs on destruction
  CHECK(legate::test::query_int(db, "PRAGMA wal_autocheckpoint") == 1000);
  // Every committed row is in the main database file: a copy of it alone (no -wal) has them.
  const std::string copy = tmp.db_path() + ".copy";
  std::filesystem::copy_file(tmp.db_path(), copy);
  Database reopened(copy);
  CHECK(legate::test::query_int(reopened, "SELECT COUNT(*) FROM users") == 201);
}

TEST_CASE("storage: the WAL checkpointer leaves an in-memory database alone") {
  Database db(":memory:");
  WalCheckpointer checkpointer(db);
  CHECK(checkpointer.checkpoints() == 0);
}
