// SipHash-2-4: a keyed 64-bit hash for the storage's lookup keys. Keyed with a secret of the
// database, so ids chosen by a legacy network cannot be crafted to pile onto one key.
#pragma once

#include <cstdint>
#include <string_view>

namespace legate {

class KeyedHash {
 public:
  // `key_hex`: at least 32 hex digits (stored_secret() gives 64); the first 32 are the key.
  explicit KeyedHash(std::string_view key_hex);
  KeyedHash(std::uint64_t k0, std::uint64_t k1) : k0_(k0), k1_(k1) {}

  std::uint64_t operator()(std::string_view data) const;
  // The same, as SQLite stores integers.
  std::int64_t signed_hash(std::string_view data) const {
    return static_cast<std::int64_t>((*this)(data));
  }

 private:
  std::uint64_t k0_, k1_;
};

}  // namespace legate
