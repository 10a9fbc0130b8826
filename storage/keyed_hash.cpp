// SipHash-2-4 (Aumasson and Bernstein, 2012), written from the paper's description.
#include "storage/keyed_hash.hpp"

#include <bit>
#include <stdexcept>

namespace legate {
namespace {

std::uint64_t read_le(const unsigned char* p, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v |= std::uint64_t{p[i]} << (8 * i);
  return v;
}

struct State {
  std::uint64_t v0, v1, v2, v3;
  void round() {
    v0 += v1;
    v1 = std::rotl(v1, 13) ^ v0;
    v0 = std::rotl(v0, 32);
    v2 += v3;
    v3 = std::rotl(v3, 16) ^ v2;
    v0 += v3;
    v3 = std::rotl(v3, 21) ^ v0;
    v2 += v1;
    v1 = std::rotl(v1, 17) ^ v2;
    v2 = std::rotl(v2, 32);
  }
  void compress(std::uint64_t m) {
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
};

// Eight bytes written as 16 hex digits, read little-endian as SipHash reads its key.
std::uint64_t hex_word(std::string_view hex) {
  const auto digit = [](char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    throw std::invalid_argument("KeyedHash: the key is not hex");
  };
  std::uint64_t v = 0;
  for (std::size_t byte = 0; byte < 8; ++byte) {
    const auto b = static_cast<std::uint64_t>(digit(hex[2 * byte]) * 16 + digit(hex[2 * byte + 1]));
    v |= b << (8 * byte);
  }
  return v;
}

}  // namespace

KeyedHash::KeyedHash(std::string_view key_hex) {
  if (key_hex.size() < 32) throw std::invalid_argument("KeyedHash: the key needs 32 hex digits");
  k0_ = hex_word(key_hex.substr(0, 16));
  k1_ = hex_word(key_hex.substr(16, 16));
}

std::uint64_t KeyedHash::operator()(std::string_view data) const {
  State s{k0_ ^ 0x736f6d6570736575ULL, k1_ ^ 0x646f72616e646f6dULL, k0_ ^ 0x6c7967656e657261ULL,
          k1_ ^ 0x7465646279746573ULL};
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  const std::size_t full = data.size() / 8 * 8;
  for (std::size_t i = 0; i < full; i += 8) s.compress(read_le(p + i, 8));
  s.compress(read_le(p + full, data.size() - full) | (std::uint64_t{data.size() & 0xff} << 56));
  s.v2 ^= 0xff;
  for (int i = 0; i < 4; ++i) s.round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

}  // namespace legate
