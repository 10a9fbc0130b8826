// Numbered schema migrations: migration N (1-based) moves a database from schema version N-1
// to N. The version lives in SQLite's `PRAGMA user_version`, written in the same transaction
// as the migration, so a crash leaves the database at exactly one of the versions.
#pragma once

#include <span>
#include <string_view>

namespace legate {

class Database;

// Legate's migrations, oldest first. Append only: never edit or reorder a released migration.
std::span<const std::string_view> schema_migrations();

// The schema version this build expects (the number of migrations).
int latest_schema_version();

// The database's current schema version (`PRAGMA user_version`).
int schema_version(Database& db);

// Applies, in order, each migration of `migrations` the database has not had yet, each in its
// own transaction. Throws StorageError, leaving the last fully applied version in place, if a
// migration fails or if the database is newer than `migrations` (made by a later Legate).
void apply_migrations(Database& db, std::span<const std::string_view> migrations);

}  // namespace legate
