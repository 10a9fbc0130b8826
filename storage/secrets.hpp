// Secrets the gateway keeps in its database, e.g. the key of the rooms' occupant ids
// (XEP-0421): made of random bytes on first use, then the same for every run.
#pragma once

#include <string>
#include <string_view>

namespace legate {

class Database;

// The secret named `name` (64 hex digits), created if missing. Throws StorageError.
std::string stored_secret(Database& db, std::string_view name);

}  // namespace legate
