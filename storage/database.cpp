// SQLite connection, statement cache and transactions (see database.hpp).
#include "storage/database.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <pwd.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storage/migrations.hpp"

namespace legate {

namespace {

// Writers wait this long for another connection's write lock before SQLITE_BUSY.
constexpr int kBusyTimeoutMs = 5000;

StorageError make_error(sqlite3* db, int rc, std::string_view sql) {
  std::string what = "storage: ";
  what += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  if (!sql.empty()) {
    what += " (in: ";
    what += sql;
    what += ")";
  }
  return StorageError(what, db != nullptr ? sqlite3_extended_errcode(db) : rc);
}

[[noreturn]] void fail(sqlite3* db, int rc, std::string_view sql) {
  throw make_error(db, rc, sql);
}

[[noreturn]] void fail_errno(const std::string& what, const std::string& path) {
  throw StorageError("storage: " + what + " " + path + ": " + std::strerror(errno));
}

// Creates each missing directory above `file` with mode 0700: the database holds the users'
// legacy credentials, so a directory Legate makes for it is private.
void create_parent_directories(const std::filesystem::path& file) {
  const std::filesystem::path parent = file.parent_path();
  if (parent.empty()) return;
  std::filesystem::path partial;
  for (const auto& part : parent) {
    partial /= part;
    if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST)
      fail_errno("cannot create directory", partial.string());
  }
}

// Creates the file with mode 0600 before SQLite sees it (SQLite would use 0644 minus umask;
// its -wal and -shm files copy the main file's mode). An existing file is left as it is.
void create_private_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return;
    fail_errno("cannot create", path);
  }
  // The umask can only have removed bits; make it exactly 0600 regardless.
  const int rc = ::fchmod(fd, 0600);
  const int saved = errno;
  ::close(fd);
  errno = saved;
  if (rc != 0) fail_errno("cannot chmod", path);
}

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

bool usable_dir(std::string_view dir) {
  return !dir.empty() && dir.front() == '/';
}

}  // namespace

// ---- Statement ----

void Statement::Finalizer::operator()(sqlite3_stmt* stmt) const noexcept {
  sqlite3_finalize(stmt);
}

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db), sql_(sql) {
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql_.data(), static_cast<int>(sql_.size()),
                                    SQLITE_PREPARE_PERSISTENT, &raw, &tail);
  stmt_.reset(raw);
  if (rc != SQLITE_OK) fail(db_, rc, sql_);
  if (raw == nullptr) throw StorageError("storage: empty statement (in: " + sql_ + ")");
  // One statement per object: trailing SQL would silently never run.
  for (; tail != nullptr && *tail != '\0'; ++tail) {
    if (*tail != ' ' && *tail != '\n' && *tail != '\t' && *tail != '\r' && *tail != ';')
      throw StorageError("storage: more than one statement (in: " + sql_ + ")");
  }
}

void Statement::check_bind(int rc, int index) {
  if (rc != SQLITE_OK) fail(db_, rc, sql_ + " [parameter " + std::to_string(index) + "]");
}

Statement& Statement::bind_int(int index, std::int64_t value) {
  check_bind(sqlite3_bind_int64(stmt_.get(), index, value), index);
  return *this;
}

Statement& Statement::bind_text(int index, std::string_view value) {
  // A non-null pointer even for an empty view, so "" binds as '' and not as NULL.
  const char* data = value.data() != nullptr ? value.data() : "";
  check_bind(
      sqlite3_bind_text64(stmt_.get(), index, data, value.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
      index);
  return *this;
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
  const char* data = bytes.data() != nullptr ? bytes.data() : "";
  check_bind(sqlite3_bind_blob64(stmt_.get(), index, data, bytes.size(), SQLITE_TRANSIENT), index);
  return *this;
}

Statement& Statement::bind_bool(int index, bool value) {
  return bind_int(index, value ? 1 : 0);
}

Statement& Statement::bind_null(int index) {
  check_bind(sqlite3_bind_null(stmt_.get(), index), index);
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  // Take the message before resetting, which may replace the connection's error message; the
  // reset leaves the statement reusable and releases whatever it held.
  StorageError error = make_error(db_, rc, sql_);
  sqlite3_reset(stmt_.get());
  throw error;
}

void Statement::run() {
  while (step()) {
  }
}

void Statement::reset() noexcept {
  // The result code repeats the last step's error, already reported by step().
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
}

std::int64_t Statement::column_int(int index) const {
  return sqlite3_column_int64(stmt_.get(), index);
}

bool Statement::column_is_null(int index) const {
  return sqlite3_column_type(stmt_.get(), index) == SQLITE_NULL;
}

std::string_view Statement::column_text_view(int index) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_.get(), index));
  if (text == nullptr) return {};
  return {text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), index))};
}

std::string_view Statement::column_blob_view(int index) const {
  const auto* data = static_cast<const char*>(sqlite3_column_blob(stmt_.get(), index));
  if (data == nullptr) return {};
  return {data, static_cast<std::size_t>(sqlite3_column_bytes(stmt_.get(), index))};
}

// ---- Database ----

void Database::Closer::operator()(sqlite3* db) const noexcept {
  sqlite3_close_v2(db);
}

Database::Database(std::string path) : Database(std::move(path), schema_migrations()) {}

Database::Database(std::string path, std::span<const std::string_view> migrations)
    : path_(std::move(path)) {
  if (path_.empty()) throw StorageError("storage: empty database path");
  const bool in_memory = path_ == ":memory:";
  if (!in_memory) {
    create_parent_directories(path_);
    create_private_file(path_);
  }
  sqlite3* raw = nullptr;
  const int flags =
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  const int rc = sqlite3_open_v2(path_.c_str(), &raw, flags, nullptr);
  db_.reset(raw);  // sqlite3_open_v2 may hand back a handle even on failure; close it too.
  if (rc != SQLITE_OK) {
    if (raw == nullptr) fail(nullptr, rc, {});
    throw StorageError("storage: cannot open " + path_ + ": " + sqlite3_errmsg(raw),
                       sqlite3_extended_errcode(raw));
  }
  configure();
  apply_migrations(*this, migrations);
}

Database::~Database() = default;

int Database::checkpoint() {
  int log_frames = 0, copied = 0;
  const int rc = sqlite3_wal_checkpoint_v2(db_.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                           &log_frames, &copied);
  if (rc == SQLITE_BUSY) return 0;
  if (rc != SQLITE_OK)
    throw StorageError("storage: checkpoint of " + path_ + ": " + sqlite3_errmsg(db_.get()),
                       sqlite3_extended_errcode(db_.get()));
  return copied;
}

void Database::configure() {
  sqlite3_busy_timeout(db_.get(), kBusyTimeoutMs);
  if (path_ != ":memory:") {
    // WAL: readers never block the writer, and a commit is one append to the log.
    Statement mode(db_.get(), "PRAGMA journal_mode=WAL");
    const std::string result = mode.step() ? mode.column_text(0) : "";
    if (result != "wal")
      throw StorageError("storage: cannot use WAL journal mode for " + path_ + " (got '" + result +
                         "'); is it on a network filesystem?");
  }
  // In WAL mode NORMAL syncs only at checkpoints: a committed transaction survives a crash of
  // the process (kill -9) and may be lost only on power failure or OS crash, never corrupted.
  exec("PRAGMA synchronous=NORMAL");
  exec("PRAGMA foreign_keys=ON");
  Statement fk(db_.get(), "PRAGMA foreign_keys");
  if (!fk.step() || fk.column_int(0) != 1)
    throw StorageError("storage: this SQLite cannot enforce foreign keys");
}

Statement& Database::statement(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    it = cache_.emplace(std::string(sql), std::make_unique<Statement>(db_.get(), sql)).first;
  } else {
    it->second->reset();
  }
  return *it->second;
}

void Database::exec(std::string_view sql) {
  const std::string text(sql);  // sqlite3_exec wants a NUL-terminated string
  char* message = nullptr;
  const int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string what = "storage: ";
    what += message != nullptr ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    throw StorageError(what + " (in: " + text + ")", sqlite3_extended_errcode(db_.get()));
  }
}

std::int64_t Database::changes() const noexcept {
  return sqlite3_changes64(db_.get());
}

bool Database::in_transaction() const noexcept {
  return sqlite3_get_autocommit(db_.get()) == 0;
}

// ---- Transaction ----

Transaction::Transaction(Database& db) : db_(db), nested_(db.in_transaction()) {
  // Savepoints with one shared name nest: RELEASE and ROLLBACK TO act on the innermost.
  db_.exec(nested_ ? "SAVEPOINT legate_nested" : "BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
  if (!open_) return;
  try {
    rollback();
  } catch (...) {
    // Nothing more to do: an outer transaction or closing the connection rolls back anyway.
  }
}

void Transaction::commit() {
  if (!open_) throw StorageError("storage: transaction already finished");
  db_.exec(nested_ ? "RELEASE legate_nested" : "COMMIT");
  open_ = false;
}

void Transaction::rollback() {
  if (!open_) return;
  open_ = false;
  // Some errors (SQLITE_FULL, SQLITE_IOERR, ...) make SQLite roll back on its own; then there
  // is nothing left to undo, and ROLLBACK would itself fail.
  if (!db_.in_transaction()) return;
  db_.exec(nested_ ? "ROLLBACK TO legate_nested; RELEASE legate_nested" : "ROLLBACK");
}

// ---- default path ----

std::string default_database_path(std::string_view component_jid) {
  if (component_jid.empty() || component_jid == "." || component_jid == ".." ||
      component_jid.find('/') != std::string_view::npos ||
      component_jid.find('\0') != std::string_view::npos)
    throw std::invalid_argument("storage: '" + std::string(component_jid) +
                                "' cannot name a database file");
  std::string dir = env("STATE_DIRECTORY");
  // systemd separates several StateDirectory= entries with ':'; the first is ours.
  dir = dir.substr(0, dir.find(':'));
  if (!usable_dir(dir)) {
    dir = env("XDG_DATA_HOME");
    if (usable_dir(dir)) {
      dir = (std::filesystem::path(dir) / "legate").string();
    } else {
      std::string home = env("HOME");
      if (!usable_dir(home)) {
        const passwd* pw = ::getpwuid(::getuid());
        home = pw != nullptr && pw->pw_dir != nullptr ? pw->pw_dir : "";
      }
      if (!usable_dir(home))
        throw StorageError("storage: no data directory (set [storage] path, or HOME)");
      dir = (std::filesystem::path(home) / ".local/share/legate").string();
    }
  }
  return (std::filesystem::path(dir) / (std::string(component_jid) + ".sqlite")).string();
}

}  // namespace legate
