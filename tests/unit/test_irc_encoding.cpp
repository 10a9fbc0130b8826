// legate-irc's encodings: lines that are not UTF-8 read in the fallback encoding, lines sent
// in another one, unknown or ASCII-incompatible encodings refused.
#include <doctest/doctest.h>

#include "examples/irc/irc_encoding.hpp"
#include "examples/irc/irc_text.hpp"

using namespace irc;

TEST_CASE("irc encoding: non-UTF-8 lines are read in the fallback encoding") {
  Recoder latin1("ISO-8859-1", "UTF-8");
  CHECK(utf8_line(":a!b@c PRIVMSG #x :caf\xe9", &latin1) == ":a!b@c PRIVMSG #x :café");
  CHECK(utf8_line(":a!b@c PRIVMSG #x :café", &latin1) == ":a!b@c PRIVMSG #x :café");  // as is
  CHECK(utf8_line("caf\xe9", nullptr) == "caf\xe9");  // no fallback: left for U+FFFD
  Recoder cp1252("WINDOWS-1252", "UTF-8");
  CHECK(utf8_line("\x80 5", &cp1252) == "€ 5");
  CHECK(utf8_line("\x81", &cp1252) == "\x81");  // undefined in CP1252: left as it was
  CHECK(valid_utf8("日本"));
  CHECK_FALSE(valid_utf8("caf\xe9"));
  CHECK_FALSE(valid_utf8("\xe6\x97"));  // cut short
}

TEST_CASE("irc encoding: sending in another encoding") {
  Recoder out("UTF-8", "ISO-8859-15//TRANSLIT");
  CHECK(out.convert("PRIVMSG #x :€ café\r\n") == "PRIVMSG #x :\xa4 caf\xe9\r\n");
  CHECK(out.convert("") == "");
  Recoder strict("UTF-8", "ISO-8859-1");
  CHECK_FALSE(strict.convert("日本"));     // not writable in Latin-1
  CHECK_FALSE(strict.convert("caf\xe9"));  // not UTF-8 in the first place
  std::string big(100000, 'a');            // a long text converts whole
  CHECK(Recoder("UTF-8", "UTF-16LE").convert(big)->size() == 200000);
}

TEST_CASE("irc encoding: only known ASCII-compatible encodings are usable") {
  CHECK(usable_encoding("UTF-8"));
  CHECK(usable_encoding("ISO-8859-1"));
  CHECK(usable_encoding("CP1252"));
  CHECK(usable_encoding("KOI8-R"));
  CHECK_FALSE(usable_encoding("UTF-16"));  // IRC's commands would not be ASCII
  CHECK_FALSE(usable_encoding("NO-SUCH-ENCODING"));
  CHECK_FALSE(usable_encoding(""));
  CHECK_THROWS_AS(Recoder("NO-SUCH", "UTF-8"), std::invalid_argument);
}
