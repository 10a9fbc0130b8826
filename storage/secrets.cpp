// Stored secrets (see secrets.hpp).
#include "storage/secrets.hpp"

#include <openssl/rand.h>

#include "storage/database.hpp"

namespace legate {

std::string stored_secret(Database& db, std::string_view name) {
  {
    StatementScope stmt(db.statement("SELECT value FROM secrets WHERE name = ?1"));
    stmt->bind_text(1, name);
    if (stmt->step()) return stmt->column_text(0);
  }
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw StorageError("storage: no random bytes");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string secret;
  for (unsigned char b : bytes) {
    secret.push_back(kHex[b >> 4]);
    secret.push_back(kHex[b & 15]);
  }
  // Another writer may have been first: keep whichever is stored.
  StatementScope insert(
      db.statement("INSERT INTO secrets (name, value) VALUES (?1, ?2) ON CONFLICT DO NOTHING"));
  insert->bind_text(1, name).bind_text(2, secret);
  insert->run();
  StatementScope again(db.statement("SELECT value FROM secrets WHERE name = ?1"));
  again->bind_text(1, name);
  if (!again->step()) throw StorageError("storage: secret not stored");
  return again->column_text(0);
}

}  // namespace legate
