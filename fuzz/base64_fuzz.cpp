// libFuzzer target for the strict base64 decoder that reads peers' XEP-0047 data: any input
// must be decoded or refused without a crash, and whatever is accepted must be canonical
// (re-encoding it gives the input back, whitespace aside).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "component/base64.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto bytes = legate::base64_decode(text)) {
    if (legate::base64_encode(*bytes) != text) std::abort();  // strict: one encoding only
  }
  if (auto bytes = legate::base64_decode(text, legate::Base64Whitespace::skip)) {
    std::string compact;
    for (char c : text)
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') compact += c;
    if (legate::base64_encode(*bytes) != compact) std::abort();
  }
  return 0;
}
