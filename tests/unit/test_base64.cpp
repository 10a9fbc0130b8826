// Base64 (component/base64): RFC 4648 vectors, round trips, and the strict decoder's
// refusals (alphabet, padding, canonical trailing bits, whitespace policy).
#include <doctest/doctest.h>

#include <random>
#include <string>

#include "component/base64.hpp"

using namespace legate;

TEST_CASE("base64: RFC 4648 §10 vectors both ways") {
  const std::pair<std::string_view, std::string_view> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (auto [plain, encoded] : vectors) {
    CAPTURE(plain);
    CHECK(base64_encode(plain) == encoded);
    auto decoded = base64_decode(encoded);
    REQUIRE(decoded);
    CHECK(*decoded == plain);
    CHECK(base64_encoded_size(plain.size()) == encoded.size());
  }
}

TEST_CASE("base64: every byte value and random lengths round-trip") {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  CHECK(base64_encode(all).find_first_not_of(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") ==
        std::string::npos);
  CHECK(base64_decode(base64_encode(all)) == all);
  CHECK(base64_encode("\xfb\xff") == "+/8=");
  std::mt19937 random(47);
  for (int round = 0; round < 200; ++round) {
    std::string bytes(random() % 300, '\0');
    for (char& c : bytes) c = static_cast<char>(random());
    CHECK(base64_decode(base64_encode(bytes)) == bytes);
  }
}

TEST_CASE("base64: the strict decoder refuses malformed text") {
  const std::string_view bad[] = {
      "Zg",                      // length not a multiple of 4
      "Zm9",                     // same
      "Zg=",                     // short padding
      "Z===",                    // three pads
      "====",                    // padding only
      "=Zg=",                    // padding first
      "Zg==Zg==",                // data after padding
      "Zg==\n",                  // (whitespace refused by default)
      "Zm9v YmFy",  "Zm9-YmFy",  // URL-safe alphabet is not RFC 4648 §4
      "Zm9_YmFy",   "Zm9vYmF!", "Zm9vYmF\0",
      "Zh==",        // non-zero bits under the padding (not canonical: "Zg==" is)
      "Zm9=",        // same with one pad ("Zm8=" is canonical)
      "Zm\xc3\xa9",  // non-ASCII
  };
  for (std::string_view text : bad) {
    CAPTURE(text);
    CHECK_FALSE(base64_decode(text));
  }
  CHECK_FALSE(base64_decode(std::string_view("Zm9\0", 4)));
}

TEST_CASE("base64: XML whitespace is skipped only when asked") {
  CHECK(base64_decode("Zm9v\nYmFy", Base64Whitespace::skip) == "foobar");
  CHECK(base64_decode(" Zm9v\r\n\tYmE=\n", Base64Whitespace::skip) == "fooba");
  CHECK(base64_decode("Z m 9 v", Base64Whitespace::skip) == "foo");
  CHECK(base64_decode("Zm8=\n", Base64Whitespace::skip) == "fo");
  CHECK(base64_decode("   ", Base64Whitespace::skip) == "");
  CHECK_FALSE(base64_decode("Zm9v\nYmFy"));
  // Skipping whitespace does not relax anything else.
  CHECK_FALSE(base64_decode("Zm8= Zm8=", Base64Whitespace::skip));
  CHECK_FALSE(base64_decode("Zm8\v=", Base64Whitespace::skip));
  CHECK_FALSE(base64_decode("Zm9v Ym", Base64Whitespace::skip));
}
