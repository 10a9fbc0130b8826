// The shared helpers: trim/lower/iequals/hex, SHA digests (one-shot and incremental), and
// ScopeExit.
#include <doctest/doctest.h>

#include <stdexcept>

#include "component/digest.hpp"
#include "component/scope_exit.hpp"
#include "component/text.hpp"

using namespace legate;

TEST_CASE("text: trim, lower, iequals, hex") {
  CHECK(trim("  a b \t\r\n") == "a b");
  CHECK(trim("\f\vx\v") == "x");
  CHECK(trim(" \t\r\n") == "");
  CHECK(trim("") == "");
  CHECK(lower("HeLLo, Wörld") == "hello, wörld");  // non-ASCII bytes untouched
  CHECK(iequals("Content-Length", "content-LENGTH"));
  CHECK_FALSE(iequals("abc", "abcd"));
  CHECK_FALSE(iequals("abc", "abd"));
  CHECK(hex(std::string_view("\x00\x01\xab\xff", 4)) == "0001abff");
  CHECK(hex("") == "");
}

TEST_CASE("digest: SHA-1 and SHA-256 vectors, fed at once or in pieces") {
  CHECK(sha1_hex("abc") == "a9993e364706816aba3e25717850c26c9cd0d89d");
  CHECK(sha1("abc").size() == 20);
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  Digest pieces(Digest::Algorithm::sha256);
  pieces.update("a").update("").update("bc");
  CHECK(pieces.finish_hex() == sha256_hex("abc"));
  Digest moved = Digest(Digest::Algorithm::sha1);
  moved.update("abc");
  CHECK(hex(moved.finish()) == sha1_hex("abc"));
}

TEST_CASE("scope_exit: runs on return and on exceptions, not once released") {
  int runs = 0;
  { ScopeExit count{[&runs] { ++runs; }}; }
  CHECK(runs == 1);
  try {
    ScopeExit count{[&runs] { ++runs; }};
    throw std::runtime_error("boom");
  } catch (const std::runtime_error&) {
  }
  CHECK(runs == 2);
  {
    ScopeExit count{[&runs] { ++runs; }};
    count.release();
  }
  CHECK(runs == 2);
}
