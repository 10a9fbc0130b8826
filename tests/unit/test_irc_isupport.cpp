// Isupport (legate-irc): PREFIX, CHANMODES and CASEMAPPING from RPL_ISUPPORT, hostile tokens
// ignored; the folding of each case mapping.
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

TEST_CASE("irc isupport: CASEMAPPING, once said, and only a known value") {
  CHECK_FALSE(Isupport{}.case_mapping());
  CHECK(from(":s 005 me CASEMAPPING=ascii :are supported").case_mapping() ==
        irc::CaseMapping::ascii);
  CHECK(from(":s 005 me CASEMAPPING=strict-rfc1459 :ok").case_mapping() ==
        irc::CaseMapping::strict_rfc1459);
  CHECK(from(":s 005 me CASEMAPPING=rfc7613 :ok").case_mapping() == irc::CaseMapping::ascii);
  CHECK_FALSE(from(":s 005 me CASEMAPPING=klingon :ok").case_mapping());
  CHECK_FALSE(from(":s 005 me CASEMAPPING= :ok").case_mapping());
  // A later 005 with an unknown value keeps the known one.
  Isupport s = from(":s 005 me CASEMAPPING=rfc1459 :ok");
  auto again = irc::parse_irc_line(":s 005 me CASEMAPPING=weird :ok");
  REQUIRE(again);
  s.parse(*again);
  CHECK(s.case_mapping() == irc::CaseMapping::rfc1459);
}

TEST_CASE("irc casemap: each mapping folds its own letters") {
  using irc::CaseMapping;
  using irc::irc_lower;
  CHECK(irc_lower("Alice[A]\\~^") == "alice{a}|^^");
  CHECK(irc_lower("Alice[A]\\~^", CaseMapping::rfc1459) == "alice{a}|^^");
  CHECK(irc_lower("Alice[A]\\~^", CaseMapping::strict_rfc1459) == "alice{a}|~^");
  CHECK(irc_lower("Alice[A]\\~^", CaseMapping::ascii) == "alice[a]\\~^");
  CHECK(irc_lower("ÉTÉ#Ünï", CaseMapping::ascii) == "ÉtÉ#Ünï");  // bytes above ASCII stay
  for (auto m : {CaseMapping::ascii, CaseMapping::rfc1459, CaseMapping::strict_rfc1459})
    CHECK(irc::parse_case_mapping(irc::to_string(m)) == m);
}
