// The id map's key tables (see id_map.hpp, migration 6): new rows' keys merged into the table
// of recent keys, recent keys folded into the main table in slices once they are an eighth
// of it, and keys whose row is gone (retention, a user deleted) collected in slices. Every
// function runs on the connection it is given: the storage writer's, or the loop's when
// there is no writer (then slices run at once).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace legate {

class Database;
class KeyedHash;
class StorageWriter;

namespace id_map_keys {

constexpr char kXmppSide = 'x';
constexpr char kLegacySide = 'l';

// The key of one side of a mapping; `scratch` holds the bytes hashed.
std::int64_t side_key(const KeyedHash& hash, std::string& scratch, char side, std::int64_t user_id,
                      std::string_view kind, std::string_view id);

// Merges the keys of the rows not merged yet (one transaction); starts a fold when due.
// Returns the rows merged.
std::size_t merge(Database& db, const std::string& hash_key, StorageWriter* writer);

// Deletes keys whose row is gone, a slice of the key space per job.
void collect(Database& db, StorageWriter* writer);

// The id for the next row: above every row and every merged id (ids are never reused, so a
// row can never be taken for merged). Clears a fold a crash interrupted.
std::int64_t open(Database& db);

}  // namespace id_map_keys
}  // namespace legate
