// Base64 (RFC 4648 §4, the standard alphabet with padding) for payloads that carry binary
// data in XML, such as XEP-0047 chunks. Decoding is strict: peers' text is untrusted.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace legate {

// Standard alphabet, '=' padding, no line breaks.
std::string base64_encode(std::string_view bytes);

enum class Base64Whitespace {
  reject,  // any byte outside the alphabet is an error
  skip,    // XML whitespace (space, tab, CR, LF) anywhere is ignored, e.g. wrapped lines
};

// Decodes canonical base64: only A-Z a-z 0-9 + /, a length that is a multiple of 4, at most
// two '=' and only at the end, and zero unused bits before the padding (so every byte string
// has exactly one accepted encoding). nullopt for anything else.
std::optional<std::string> base64_decode(std::string_view text,
                                         Base64Whitespace whitespace = Base64Whitespace::reject);

// The encoded length of `n` bytes (with padding).
constexpr std::size_t base64_encoded_size(std::size_t n) {
  return (n + 2) / 3 * 4;
}

}  // namespace legate
