// Base64 encoding and strict decoding with a lookup table (no OpenSSL: its decoder accepts
// whitespace and garbage after padding, and we must refuse those).
#include "component/base64.hpp"

#include <array>
#include <cstdint>

namespace legate {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::uint8_t kInvalid = 0xFF;

constexpr std::array<std::uint8_t, 256> make_table() {
  std::array<std::uint8_t, 256> table{};
  for (auto& v : table) v = kInvalid;
  for (std::size_t i = 0; i < kAlphabet.size(); ++i)
    table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::uint8_t>(i);
  return table;
}

constexpr std::array<std::uint8_t, 256> kTable = make_table();

bool is_xml_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve(base64_encoded_size(bytes.size()));
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t n = bytes.size();
  for (; n >= 3; n -= 3, p += 3) {
    const std::uint32_t v = (std::uint32_t{p[0]} << 16) | (std::uint32_t{p[1]} << 8) | p[2];
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 0x3F];
    out += kAlphabet[(v >> 6) & 0x3F];
    out += kAlphabet[v & 0x3F];
  }
  if (n > 0) {
    const std::uint32_t v = (std::uint32_t{p[0]} << 16) | (n == 2 ? std::uint32_t{p[1]} << 8 : 0);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 0x3F];
    out += n == 2 ? kAlphabet[(v >> 6) & 0x3F] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text, Base64Whitespace whitespace) {
  std::string out;
  out.reserve(text.size() / 4 * 3);
  std::uint32_t quantum = 0;  // sextets of the current 4-character group
  int count = 0;              // characters in the current group
  int padding = 0;            // '=' seen (they may only end the text)
  for (char c : text) {
    if (whitespace == Base64Whitespace::skip && is_xml_space(c)) continue;
    if (c == '=') {
      // Padding fills the last group only: "xx==" or "xxx=".
      if (count < 2) return std::nullopt;
      ++padding;
      ++count;
      quantum <<= 6;
    } else {
      const std::uint8_t v = kTable[static_cast<unsigned char>(c)];
      if (v == kInvalid || padding > 0) return std::nullopt;
      quantum = (quantum << 6) | v;
      ++count;
    }
    if (count < 4) continue;
    out += static_cast<char>(quantum >> 16);
    if (padding < 2) out += static_cast<char>((quantum >> 8) & 0xFF);
    if (padding < 1) out += static_cast<char>(quantum & 0xFF);
    // Canonical form: the bits the padding leaves over must be zero (RFC 4648 §3.5).
    if ((padding == 1 && (quantum & 0xFF) != 0) || (padding == 2 && (quantum & 0xFFFF) != 0))
      return std::nullopt;
    if (padding > 0) {
      padding = 3;  // the text is over: anything but skipped whitespace is an error
    }
    quantum = 0;
    count = 0;
  }
  if (count != 0) return std::nullopt;
  return out;
}

}  // namespace legate
