// XEP-0114 handshake digest: known vectors (computed independently with openssl/hashlib).
#include <doctest/doctest.h>

#include "component/handshake.hpp"

using legate::handshake_digest;

TEST_CASE("handshake: digest is lowercase hex SHA-1 of stream id + secret") {
  CHECK(handshake_digest("3BF96D32", "sesame") == "7a98dc4c9e92493d7fd66a25364c862637789c45");
  CHECK(handshake_digest("id", "é秘密") == "8fc19b06b1c410c7ba36e672f5e02201f0fcc185");
  // SHA-1 of the empty string.
  CHECK(handshake_digest("", "") == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  CHECK(handshake_digest("a", "b") == handshake_digest("ab", ""));
  CHECK(handshake_digest("a", "b") != handshake_digest("b", "a"));
}
