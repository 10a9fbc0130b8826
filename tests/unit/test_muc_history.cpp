// parse_muc_history: the <history/> of a XEP-0045 join (§7.2.14) read into limits; malformed
// attributes are ignored, never an error.
#include <doctest/doctest.h>

#include "component/mam_query.hpp"
#include "component/muc_history.hpp"
#include "component/xml_parse.hpp"

using namespace legate;

namespace {

constexpr std::int64_t kNow = 1'780'000'000'000;  // unix ms: 2026-05-28

MucHistory parsed(std::string_view history) {
  Element x =
      parse_element("<x xmlns='http://jabber.org/protocol/muc'>" + std::string(history) + "</x>");
  return parse_muc_history(&x, kNow);
}

}  // namespace

TEST_CASE("muc history: no <x/>, no <history/>: no limits of the join's own") {
  MucHistory none = parse_muc_history(nullptr, kNow);
  CHECK_FALSE(none.max_stanzas);
  CHECK_FALSE(none.max_chars);
  CHECK_FALSE(none.since_ms);
  CHECK_FALSE(none.none());
  CHECK_FALSE(parsed("").max_stanzas);
  // A <history/> of another namespace is not the join's.
  CHECK_FALSE(parsed("<history xmlns='urn:other' maxstanzas='0'/>").none());
}

TEST_CASE("muc history: limits, and zero for none (what MAM clients send)") {
  MucHistory h = parsed("<history maxstanzas='5' maxchars='2000'/>");
  CHECK(h.max_stanzas == 5u);
  CHECK(h.max_chars == 2000u);
  CHECK_FALSE(h.none());
  CHECK(parsed("<history maxchars='0'/>").none());
  CHECK(parsed("<history maxstanzas='0'/>").none());
  CHECK(parsed("<history maxstanzas='99999999999999999999999'/>").max_stanzas == SIZE_MAX);
}

TEST_CASE("muc history: seconds and since, the later of the two") {
  CHECK(parsed("<history seconds='60'/>").since_ms == kNow - 60'000);
  const auto since = parse_datetime_ms("2026-01-01T00:00:00Z");
  REQUIRE(since);
  CHECK(parsed("<history since='2026-01-01T00:00:00Z'/>").since_ms == since);
  // since is earlier than now - 60 s: seconds wins; and the other way round.
  CHECK(parsed("<history since='2026-01-01T00:00:00Z' seconds='60'/>").since_ms == kNow - 60'000);
  CHECK(parsed("<history since='2026-01-01T00:00:00Z' seconds='999999999'/>").since_ms == since);
  CHECK(parsed("<history seconds='99999999999999'/>").since_ms == 0);  // all of it
}

TEST_CASE("muc history: malformed attributes are ignored, as if absent") {
  for (std::string_view bad :
       {"<history maxstanzas='-1'/>", "<history maxstanzas='many'/>", "<history maxstanzas=''/>",
        "<history maxstanzas='5x'/>", "<history maxchars=' 5'/>", "<history since='yesterday'/>",
        "<history seconds='1.5'/>"}) {
    CAPTURE(bad);
    MucHistory h = parsed(bad);
    CHECK_FALSE(h.max_stanzas);
    CHECK_FALSE(h.max_chars);
    CHECK_FALSE(h.since_ms);
  }
}
