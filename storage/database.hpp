// The SQLite connection behind every store: opens (creating with mode 0600) and configures the
// database file, migrates its schema, caches prepared statements, and wraps the C API's
// handles in RAII types (Statement, Transaction) that report failures as StorageError.
// One Database is used from one thread at a time (the connection is opened without SQLite's
// own mutex); store classes are the only code that writes SQL against it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;
struct sqlite3_stmt;

namespace legate {

// A database failure: what() carries SQLite's message and, where there is one, the SQL that
// failed; code() is SQLite's extended result code (0 for failures outside SQLite).
class StorageError : public std::runtime_error {
 public:
  explicit StorageError(const std::string& what, int code = 0)
      : std::runtime_error(what), code_(code) {}
  int code() const noexcept { return code_; }

 private:
  int code_;
};

// A prepared statement. Parameters are 1-based (as in SQLite), columns 0-based. Text is
// copied by SQLite on bind, so the views passed in need not outlive the call.
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind_int(int index, std::int64_t value);
  Statement& bind_text(int index, std::string_view value);
  Statement& bind_bool(int index, bool value);
  Statement& bind_blob(int index, std::string_view bytes);
  Statement& bind_null(int index);

  // Advances; true when a row is available, false when the statement has finished.
  bool step();
  // Steps a statement that returns no rows (or whose rows are not wanted) to completion.
  void run();
  // Back to the start with all parameters cleared; keeps the compiled statement.
  void reset() noexcept;

  std::int64_t column_int(int index) const;
  bool column_bool(int index) const { return column_int(index) != 0; }
  bool column_is_null(int index) const;
  std::string column_text(int index) const { return std::string(column_text_view(index)); }
  // Valid until the next step() or reset().
  std::string_view column_text_view(int index) const;
  // Valid until the next step() or reset().
  std::string_view column_blob_view(int index) const;

  const std::string& sql() const noexcept { return sql_; }

 private:
  struct Finalizer {
    void operator()(sqlite3_stmt* stmt) const noexcept;
  };
  void check_bind(int rc, int index);

  sqlite3* db_;
  std::string sql_;
  std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
};

// Resets a statement when leaving a scope, so an early return or an exception does not leave
// it mid-result (an active SELECT pins a read snapshot and blocks WAL checkpoints).
class StatementScope {
 public:
  explicit StatementScope(Statement& stmt) noexcept : stmt_(stmt) {}
  StatementScope(const StatementScope&) = delete;
  StatementScope& operator=(const StatementScope&) = delete;
  ~StatementScope() { stmt_.reset(); }
  Statement* operator->() const noexcept { return &stmt_; }
  Statement& operator*() const noexcept { return stmt_; }

 private:
  Statement& stmt_;
};

class Database {
 public:
  // Opens the database at `path`, creating it (mode 0600) and its missing parent directories
  // (mode 0700) if needed, then applies the pragmas (WAL, foreign keys, synchronous=NORMAL,
  // busy timeout) and brings the schema up to date. ":memory:" opens a private in-memory
  // database. Throws StorageError, including for a database made by a newer Legate.
  explicit Database(std::string path);
  // As above with an explicit migration list instead of Legate's schema (for tests).
  Database(std::string path, std::span<const std::string_view> migrations);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  const std::string& path() const noexcept { return path_; }

  // The cached prepared statement for `sql`, reset and with its parameters cleared. The
  // reference stays valid for the Database's lifetime; since the same SQL always yields the
  // same object, do not use one statement from two places at once.
  Statement& statement(std::string_view sql);

  // Runs one or more SQL statements with no parameters, ignoring any rows (migrations, pragmas).
  void exec(std::string_view sql);

  // Rows changed by the last INSERT/UPDATE/DELETE on this connection.
  std::int64_t changes() const noexcept;
  // Copies committed WAL frames into the database file without blocking other connections
  // (PASSIVE); returns the frames copied (0 also when another connection was busy).
  int checkpoint();
  // True while a transaction is open on this connection.
  bool in_transaction() const noexcept;

 private:
  struct Closer {
    void operator()(sqlite3* db) const noexcept;
  };
  struct SqlHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view sql) const noexcept {
      return std::hash<std::string_view>{}(sql);
    }
  };

  void configure();

  std::string path_;
  std::unique_ptr<sqlite3, Closer> db_;
  // Declared after db_ so the statements are finalised before the connection closes.
  std::unordered_map<std::string, std::unique_ptr<Statement>, SqlHash, std::equal_to<>> cache_;
};

// A transaction for the scope of the object: BEGIN IMMEDIATE (taking the write lock up front,
// so a read-then-write sequence cannot fail half-way with SQLITE_BUSY), rolled back by the
// destructor unless commit() was called. Inside another transaction it becomes a savepoint,
// so store methods and their callers can both use one.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void commit();
  void rollback();

 private:
  Database& db_;
  bool nested_;
  bool open_ = true;
};

// Where the database lives when `[storage] path` is not set: `$STATE_DIRECTORY` (set by
// systemd's StateDirectory=) if set, else `$XDG_DATA_HOME/legate`, else
// `$HOME/.local/share/legate`; the file is `<component_jid>.sqlite`. Relative directories in
// those variables are ignored, as the XDG spec requires. Throws std::invalid_argument for a
// JID that cannot be a file name and StorageError when no directory can be determined.
std::string default_database_path(std::string_view component_jid);

}  // namespace legate
