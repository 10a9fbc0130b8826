// Isupport (legate-irc): PREFIX and CHANMODES from RPL_ISUPPORT, hostile tokens ignored.
#include <doctest/doctest.h>

#include "examples/irc/irc_isupport.hpp"
#include "examples/irc/irc_line.hpp"

using irc::Isupport;

namespace {
Isupport from(std::string_view raw) {
  Isupport s;
  auto line = irc::parse_irc_line(raw);
  REQUIRE(line);
  s.parse(*line);
  return s;
}
}  // namespace

TEST_CASE("irc isupport: defaults before any 005") {
  Isupport s;
  CHECK(s.mode_of_prefix('@') == 'o');
  CHECK(s.mode_of_prefix('+') == 'v');
  CHECK(s.mode_of_prefix('~') == 'q');
  CHECK(s.mode_of_prefix('#') == 0);
  CHECK(s.takes_param('o', false));
  CHECK(s.takes_param('b', true));
  CHECK(s.takes_param('k', false));
  CHECK(s.takes_param('l', true));
  CHECK_FALSE(s.takes_param('l', false));
  CHECK_FALSE(s.takes_param('n', true));
}

TEST_CASE("irc isupport: the server's PREFIX and CHANMODES replace the defaults") {
  auto s = from(
      ":irc.example 005 me CHANTYPES=# PREFIX=(Yov)!@+ CHANMODES=beIq,k,flj,CFLMPQcgimnprstz "
      ":are supported by this server");
  CHECK(s.membership_modes() == "Yov");
  CHECK(s.mode_of_prefix('!') == 'Y');
  CHECK(s.mode_of_prefix('~') == 0);  // not this server's
  CHECK(s.is_membership_mode('Y'));
  CHECK_FALSE(s.is_membership_mode('h'));
  CHECK(s.takes_param('q', false));  // a list mode here (quiet), not an owner prefix
  CHECK(s.takes_param('j', true));
  CHECK_FALSE(s.takes_param('j', false));
  CHECK(s.takes_param('f', true));
  CHECK_FALSE(s.takes_param('z', true));
}

TEST_CASE("irc isupport: malformed tokens leave the defaults") {
  for (const char* raw :
       {":s 005 me PREFIX=(ov)@ :x", ":s 005 me PREFIX=(o1)@+ :x", ":s 005 me PREFIX=(ov@+ :x",
        ":s 005 me PREFIX= :x", ":s 005 me CHANMODES=b,k :x", ":s 005 me CHANMODES=b,k,l!,n :x"}) {
    CAPTURE(raw);
    auto s = from(raw);
    CHECK(s.membership_modes() == "qaohv");
    CHECK(s.takes_param('l', true));
    CHECK(s.mode_of_prefix('@') == 'o');
  }
  auto empty = from(":s 005 me PREFIX=() :x");  // no prefixes at all: allowed
  CHECK(empty.mode_of_prefix('@') == 0);
}
