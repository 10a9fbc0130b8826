// Storage, database level: the file's mode and pragmas, migrations, statements, transactions,
// JSON, the default path, and durability across close, process exit and kill -9.
#include <doctest/doctest.h>

#include <csignal>
#include <optional>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

#include "storage/database.hpp"
#include "storage/json.hpp"
#include "storage/migrations.hpp"
#include "storage/user_store.hpp"
#include "tests/unit/storage_test_util.hpp"

using legate::Database;
using legate::Jid;
using legate::Json;
using legate::StorageError;
using legate::Transaction;
using legate::UserStore;
using legate::test::file_mode;
using legate::test::query_int;
using legate::test::query_text;
using legate::test::TempDir;

TEST_CASE("storage: a new database file is mode 0600, its WAL too, new directories 0700") {
  TempDir tmp;
  const std::string path = tmp.db_path();
  Database db(path);
  CHECK(file_mode(path) == 0600);
  CHECK(file_mode(path + "-wal") == 0600);  // exists while the connection is open
  CHECK(file_mode((tmp.path() / "data").string()) == 0700);
  CHECK(file_mode((tmp.path() / "data" / "legate").string()) == 0700);
}

TEST_CASE("storage: an existing file keeps the mode its owner gave it") {
  TempDir tmp;
  const std::string path = (tmp.path() / "mine.sqlite").string();
  { Database db(path); }
  REQUIRE(::chmod(path.c_str(), 0640) == 0);
  Database db(path);
  CHECK(file_mode(path) == 0640);
}

TEST_CASE("storage: WAL, foreign keys on, synchronous NORMAL") {
  TempDir tmp;
  Database db(tmp.db_path());
  CHECK(query_text(db, "PRAGMA journal_mode") == "wal");
  CHECK(query_int(db, "PRAGMA foreign_keys") == 1);
  CHECK(query_int(db, "PRAGMA synchronous") == 1);  // NORMAL
  CHECK(query_int(db, "PRAGMA busy_timeout") > 0);
}

TEST_CASE("storage: migrations reach the latest version and re-opening changes nothing") {
  TempDir tmp;
  const std::string path = tmp.db_path();
  std::int64_t schema_cookie = 0;
  {
    Database db(path);
    CHECK(legate::latest_schema_version() >= 1);
    CHECK(legate::schema_version(db) == legate::latest_schema_version());
    CHECK(query_int(db,
                    "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND "
                    "name IN ('users', 'contacts', 'message_ids')") == 3);
    schema_cookie = query_int(db, "PRAGMA schema_version");
  }
  Database db(path);
  CHECK(legate::schema_version(db) == legate::latest_schema_version());
  CHECK(query_int(db, "PRAGMA schema_version") == schema_cookie);
}

TEST_CASE("storage: a database from a newer Legate is refused and left alone") {
  TempDir tmp;
  const std::string path = tmp.db_path();
  const int newer = legate::latest_schema_version() + 1;
  {
    Database db(path);
    db.exec("PRAGMA user_version = " + std::to_string(newer));
  }
  try {
    Database db(path);
    FAIL("a newer database was opened");
  } catch (const StorageError& e) {
    CHECK(std::string(e.what()).find("newer Legate") != std::string::npos);
  }
  // Still refused: the refusal rewrote nothing.
  CHECK_THROWS_AS(Database{path}, StorageError);
}

TEST_CASE("storage: each migration is one transaction; a failing one leaves the previous") {
  TempDir tmp;
  const std::string path = tmp.db_path();
  const std::string_view broken[] = {
      "CREATE TABLE a (x INTEGER)",
      "CREATE TABLE b (x INTEGER); INSERT INTO no_such_table VALUES (1)",
  };
  CHECK_THROWS_AS(Database(path, broken), StorageError);
  const std::string_view fixed[] = {
      "CREATE TABLE a (x INTEGER)",
      "CREATE TABLE b (x INTEGER); INSERT INTO a VALUES (1)",
  };
  {
    const std::string_view first[] = {fixed[0]};
    Database db(path, first);  // version 1 already: nothing to do
    CHECK(legate::schema_version(db) == 1);
    CHECK(query_int(db, "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'b'") == 0);
  }
  Database db(path, fixed);
  CHECK(legate::schema_version(db) == 2);
  CHECK(query_int(db, "SELECT COUNT(*) FROM a") == 1);
}

TEST_CASE("storage: statements report the failing SQL; bad binds and extra SQL refused") {
  Database db(":memory:");
  try {
    db.statement("SELECT nope FROM users");
    FAIL("bad SQL prepared");
  } catch (const StorageError& e) {
    CHECK(std::string(e.what()).find("no such column") != std::string::npos);
    CHECK(std::string(e.what()).find("SELECT nope FROM users") != std::string::npos);
  }
  CHECK_THROWS_AS(db.statement("SELECT 1; SELECT 2"), StorageError);
  CHECK_THROWS_AS(db.statement("SELECT ?1").bind_int(2, 5), StorageError);
  // The cache hands back the same statement, reset, with its parameters cleared.
  auto& stmt = db.statement("SELECT ?1");
  stmt.bind_text(1, "x");
  REQUIRE(stmt.step());
  CHECK(stmt.column_text(0) == "x");
  auto& again = db.statement("SELECT ?1");
  CHECK(&again == &stmt);
  REQUIRE(again.step());
  CHECK(again.column_is_null(0));
  again.reset();
  // Empty text binds as '' rather than NULL.
  auto& empty = db.statement("SELECT ?1 IS NULL, ?1");
  empty.bind_text(1, std::string_view());
  REQUIRE(empty.step());
  CHECK_FALSE(empty.column_bool(0));
  CHECK(empty.column_text(1).empty());
  empty.reset();
}

TEST_CASE("storage: a rolled-back transaction leaves nothing; nested ones are savepoints") {
  TempDir tmp;
  Database db(tmp.db_path());
  UserStore users(db);
  {
    Transaction tx(db);
    users.add(Jid("a@example.org"), Json{});
    CHECK(users.count() == 1);
  }  // destroyed without commit
  CHECK(users.count() == 0);
  CHECK_FALSE(db.in_transaction());
  {
    Transaction outer(db);
    users.add(Jid("b@example.org"), Json{});
    {
      Transaction inner(db);
      users.add(Jid("c@example.org"), Json{});
      inner.rollback();
    }
    {
      Transaction inner(db);
      users.add(Jid("d@example.org"), Json{});
      inner.commit();
    }
    outer.commit();
  }
  CHECK(users.find(Jid("b@example.org")).has_value());
  CHECK_FALSE(users.find(Jid("c@example.org")).has_value());
  CHECK(users.find(Jid("d@example.org")).has_value());
  // An exception unwinding through a transaction rolls it back.
  try {
    Transaction tx(db);
    users.add(Jid("e@example.org"), Json{});
    users.add(Jid("e@example.org"), Json{});  // duplicate: throws
    tx.commit();
  } catch (const StorageError&) {
  }
  CHECK_FALSE(users.find(Jid("e@example.org")).has_value());
}

TEST_CASE("storage: data survives closing and reopening") {
  TempDir tmp;
  const std::string path = tmp.db_path();
  {
    Database db(path);
    UserStore(db).add(Jid("a@example.org"), legate::parse_json_text(R"({"token":"t1"})"));
  }
  Database db(path);
  const auto user = UserStore(db).find(Jid("a@example.org"));
  REQUIRE(user.has_value());
  CHECK(user->legacy_data.at("token") == "t1");
}

TEST_CASE("storage: JSON round-trips nested values and unicode; bad JSON is refused") {
  const Json value = legate::parse_json_text(
      R"({"a":{"b":[1,2.5,true,null,{"c":"d"}]},"u":"h\u00e9llo \ud83d\ude00 \u65e5\u672c",)"
      R"("e":"","q":"quote\" back\\slash\nnl"})");
  CHECK(legate::parse_json_text(legate::to_json_text(value)) == value);
  TempDir tmp;
  Database db(tmp.db_path());
  UserStore users(db);
  users.add(Jid("a@example.org"), value);
  users.update_preferences(Jid("a@example.org"), value.at("a"));
  const auto user = users.find(Jid("a@example.org"));
  REQUIRE(user.has_value());
  CHECK(user->legacy_data == value);
  CHECK(user->preferences == value.at("a"));
  CHECK(user->legacy_data.at("u").as_string() ==
        "h\xc3\xa9llo \xf0\x9f\x98\x80 \xe6\x97\xa5\xe6\x9c\xac");
  CHECK_THROWS_AS(legate::parse_json_text("{"), std::invalid_argument);
  CHECK_THROWS_AS(legate::parse_json_text("{\"a\":1,}"), std::invalid_argument);
  CHECK_THROWS_AS(legate::parse_json_text("\"\xff\""), std::invalid_argument);
  CHECK_THROWS_AS(legate::parse_json_text(std::string(100, '[') + std::string(100, ']')),
                  std::invalid_argument);
}

namespace {

// Sets or unsets an environment variable for the scope, restoring the old value after.
class EnvGuard {
 public:
  EnvGuard(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value != nullptr) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~EnvGuard() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

}  // namespace

TEST_CASE("storage: default database path") {
  using legate::default_database_path;
  EnvGuard home("HOME", "/home/gw");
  {
    EnvGuard state("STATE_DIRECTORY", "/var/lib/legate-echo:/var/lib/other");
    EnvGuard xdg("XDG_DATA_HOME", "/xdg");
    CHECK(default_database_path("echo.example.org") ==
          "/var/lib/legate-echo/echo.example.org.sqlite");
  }
  EnvGuard state("STATE_DIRECTORY", nullptr);
  {
    EnvGuard xdg("XDG_DATA_HOME", "/xdg/");
    CHECK(default_database_path("gw.test") == "/xdg/legate/gw.test.sqlite");
  }
  {
    EnvGuard xdg("XDG_DATA_HOME", "relative/ignored");
    CHECK(default_database_path("gw.test") == "/home/gw/.local/share/legate/gw.test.sqlite");
  }
  CHECK_THROWS_AS(default_database_path(""), std::invalid_argument);
  CHECK_THROWS_AS(default_database_path("../etc/x"), std::invalid_argument);
  CHECK_THROWS_AS(default_database_path(".."), std::invalid_argument);
}

namespace {

// Runs `body` in a forked child, which ends with _exit (no destructors, no close: what the
// database sees from a kill -9), and returns the child's exit status.
template <typename Body>
int run_in_child(Body body) {
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int code = 0;
    try {
      code = body();
    } catch (...) {
      code = 3;
    }
    ::_exit(code);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE("storage: a process dying mid-transaction loses that transaction, nothing else") {
  TempDir tmp;
  const std::string path = tmp.db_path();
  { Database db(path); }  // create and migrate, then close before forking
  CHECK(run_in_child([&] {
          Database db(path);
          UserStore(db).add(Jid("committed@example.org"), Json{});
          // A tiny page cache makes the open transaction spill its pages into the WAL, so the
          // file holds uncommitted frames that recovery must ignore.
          db.exec("PRAGMA cache_size = 8");
          Transaction tx(db);
          UserStore(db).add(Jid("pending@example.org/res"), Json{});
          for (int i = 0; i < 300; ++i)
            UserStore(db).add(Jid("bulk" + std::to_string(i) + "@example.org"),
                              Json(std::string(1000, 'x')));
          ::_exit(0);  // neither commit nor close
          return 1;
        }) == 0);
  CHECK(std::filesystem::file_size(path + "-wal") > 100'000);
  Database db(path);
  UserStore users(db);
  CHECK(users.find(Jid("committed@example.org")).has_value());
  CHECK_FALSE(users.find(Jid("pending@example.org")).has_value());
  CHECK(users.count() == 1);
  CHECK(query_text(db, "PRAGMA integrity_check") == "ok");
}

TEST_CASE("storage: a transaction committed just before the process dies is kept") {
  TempDir tmp;
  const std::string path = tmp.db_path();
  CHECK(run_in_child([&] {
          Database db(path);
          Transaction tx(db);
          UserStore(db).add(Jid("kept@example.org"), Json{});
          tx.commit();
          ::_exit(0);
          return 1;
        }) == 0);
  Database db(path);
  CHECK(UserStore(db).find(Jid("kept@example.org")).has_value());
  CHECK(query_text(db, "PRAGMA integrity_check") == "ok");
}

TEST_CASE("storage: kill -9 during a stream of transactions loses no acknowledged commit") {
  TempDir tmp;
  const std::string path = tmp.db_path();
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    try {
      Database db(path);
      UserStore users(db);
      for (int i = 0; i < 1000000; ++i) {
        Transaction tx(db);
        users.add(Jid("u" + std::to_string(i) + "@example.org"), Json{});
        users.update_preferences(Jid("u" + std::to_string(i) + "@example.org"),
                                 boost::json::object{{"n", i}});
        tx.commit();
        if (::write(fds[1], &i, sizeof i) != sizeof i) break;  // acknowledge the commit
      }
    } catch (...) {
    }
    ::_exit(0);
  }
  ::close(fds[1]);
  int acknowledged = -1;
  for (int n; acknowledged < 200 && ::read(fds[0], &n, sizeof n) == sizeof n;) acknowledged = n;
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(fds[0]);
  REQUIRE(acknowledged >= 200);
  Database db(path);
  UserStore users(db);
  CHECK(query_text(db, "PRAGMA integrity_check") == "ok");
  CHECK(users.count() >= static_cast<std::size_t>(acknowledged + 1));
  // Every transaction is all or nothing: no user without the preferences written with it.
  CHECK(query_int(db, "SELECT COUNT(*) FROM users WHERE preferences = '{}'") == 0);
}
