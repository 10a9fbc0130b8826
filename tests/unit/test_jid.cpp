// Unit tests for legate::Jid (RFC 7622 parsing/normalisation) and XEP-0106 escaping.
// The XEP-0106 vectors are the published §5.1 table plus the §4 business-rule examples.
#include "component/jid.hpp"

#include <doctest/doctest.h>

#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

using legate::Jid;
using legate::JidError;
using namespace std::string_literals;
using namespace std::string_view_literals;

namespace {

struct Valid {
  std::string input;
  std::string local, domain, resource;  // expected normalised parts ("" = absent)
};

struct Invalid {
  std::string input;
  std::string reason;  // substring expected in JidError::what()
};

std::string rep(char c, std::size_t n) {
  return std::string(n, c);
}

// `labels` labels of `len` 'a's joined by dots.
std::string dotted(std::size_t labels, std::size_t len) {
  std::string s;
  for (std::size_t i = 0; i < labels; ++i) s += (i ? "." : "") + rep('a', len);
  return s;
}

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return s;
}

}  // namespace

TEST_CASE("jid: valid JIDs parse and normalise") {
  const std::vector<Valid> cases = {
      {"example.com", "", "example.com", ""},
      {"user@example.com", "user", "example.com", ""},
      {"user@example.com/res", "user", "example.com", "res"},
      {"example.com/res", "", "example.com", "res"},
      {"a@b", "a", "b", ""},
      {"localhost", "", "localhost", ""},
      {"User@Example.COM/Res", "user", "example.com", "Res"},  // fold local+domain, not resource
      {"USER@EXAMPLE.COM", "user", "example.com", ""},
      {"user@example.com.", "user", "example.com", ""},  // one trailing dot removed
      {"example.com./r", "", "example.com", "r"},
      {"user@example.com/a@b", "user", "example.com", "a@b"},  // '@' in resource
      {"user@example.com/a/b/c", "user", "example.com", "a/b/c"},
      {"a/b@c", "", "a", "b@c"},  // first '/' wins, so this '@' is in the resource
      {"user@example.com/ with  spaces ", "user", "example.com", " with  spaces "},
      {"user@example.com/\xE2\x98\x83", "user", "example.com", "\xE2\x98\x83"},  // snowman
      {"user@[::1]", "user", "[::1]", ""},
      {"[::]", "", "[::]", ""},
      {"[2001:DB8::1]/r", "", "[2001:db8::1]", "r"},
      {"[1:2:3:4:5:6:7:8]", "", "[1:2:3:4:5:6:7:8]", ""},
      {"[::ffff:192.0.2.1]", "", "[::ffff:192.0.2.1]", ""},
      {"user@192.168.0.1", "user", "192.168.0.1", ""},  // IPv4 literal
      {"jos\xC3\xA9@example.com", "jos\xC3\xA9", "example.com", ""},
      {"JOS\xC3\x89@example.com", "jos\xC3\x89", "example.com", ""},  // non-ASCII not folded
      {"\xF0\x9D\x84\x9E@example.com", "\xF0\x9D\x84\x9E", "example.com", ""},  // 4-byte UTF-8
      {"user@b\xC3\xBC"
       "cher.de",
       "user",
       "b\xC3\xBC"
       "cher.de",
       ""},  // IDN in UTF-8
      {"user@sub_domain.example.com", "user", "sub_domain.example.com", ""},
      {"user@my-host.example", "user", "my-host.example", ""},
      {"user\\20name@example.com", "user\\20name", "example.com", ""},  // XEP-0106 escaped
      {"+1555%foo.bar#!@irc.example", "+1555%foo.bar#!", "irc.example", ""},
      {rep('a', 1023) + "@x", rep('a', 1023), "x", ""},
      {"x/" + rep('r', 1023), "", "x", rep('r', 1023)},
      {rep('d', 63) + ".com", "", rep('d', 63) + ".com", ""},
      {dotted(16, 63), "", dotted(16, 63), ""},  // 1023 bytes
  };
  for (const auto& c : cases) {
    CAPTURE(c.input);
    const auto jid = Jid::parse(c.input);
    REQUIRE(jid.has_value());
    CHECK(jid->local() == c.local);
    CHECK(jid->domain() == c.domain);
    CHECK(jid->resource() == c.resource);
    CHECK(jid->has_local() == !c.local.empty());
    CHECK(jid->has_resource() == !c.resource.empty());
    CHECK(jid->is_bare() == c.resource.empty());
    std::string full = c.local.empty() ? c.domain : c.local + "@" + c.domain;
    if (!c.resource.empty()) full += "/" + c.resource;
    CHECK(jid->full() == full);
    CHECK(jid->str() == full);
    CHECK(Jid(c.input) == *jid);
    CHECK(Jid::parse(jid->full()) == jid);  // normalisation is idempotent
  }
}

TEST_CASE("jid: invalid JIDs are rejected with a reason") {
  const std::vector<Invalid> cases = {
      {"", "empty JID"},
      {"@example.com", "empty local part"},
      {"user@", "empty domain"},
      {"user@/res", "empty domain"},
      {"/res", "empty domain"},
      {"user@example.com/", "empty resource"},
      {"user@.", "empty domain"},
      {rep('a', 1024) + "@x", "local part longer than 1023"},
      {dotted(16, 63) + "a", "domain longer than 1023"},
      {"x/" + rep('r', 1024), "resource longer than 1023"},
      {"a\"b@x", "forbidden character in local part: '\"'"},
      {"a&b@x", "forbidden character in local part: '&'"},
      {"a'b@x", "forbidden character in local part: '''"},
      {"a:b@x", "forbidden character in local part: ':'"},
      {"a<b@x", "forbidden character in local part: '<'"},
      {"a>b@x", "forbidden character in local part: '>'"},
      {"a b@x", "forbidden character in local part: ' '"},
      {"a@b@x", "invalid character in domain: '@'"},  // local ends at the first '@'
      {"a@exa mple.com", "invalid character in domain: ' '"},
      {"a@exa!mple.com", "invalid character in domain: '!'"},
      {"a@exa:5222", "invalid character in domain: ':'"},
      {"\x80@x", "invalid UTF-8"},              // lone continuation byte
      {"caf\xC3@x", "invalid UTF-8"},           // truncated 2-byte sequence
      {"x/\xE2\x98", "invalid UTF-8"},          // truncated 3-byte sequence at the end
      {"\xC0\x80@x", "invalid UTF-8"},          // overlong NUL
      {"\xE0\x80\xAF@x", "invalid UTF-8"},      // overlong '/'
      {"\xED\xA0\x80@x", "invalid UTF-8"},      // UTF-16 surrogate
      {"\xF4\x90\x80\x80@x", "invalid UTF-8"},  // above U+10FFFF
      {"\xFF@x", "invalid UTF-8"},
      {"a\x01@x", "control character"},
      {"a@x\n", "control character"},
      {"a@x/r\x7F", "control character"},
      {"a@x/r\0"s, "control character"},      // embedded NUL
      {"a@x/\xC2\x85", "control character"},  // C1 control (NEL)
      {"a@b..c", "empty label"},
      {"a@.example.com", "empty label"},
      {"a@example.com..", "empty label"},  // only one trailing dot is removed
      {"a@" + rep('d', 64) + ".com", "label longer than 63"},
      {"a@[::1", "invalid IPv6"},
      {"a@[]", "invalid IPv6"},
      {"a@[1:2:3:4:5:6:7:8:9]", "invalid IPv6"},
      {"a@[1::2::3]", "invalid IPv6"},
      {"a@[12345::]", "invalid IPv6"},
      {"a@[::g]", "invalid IPv6"},
      {"a@[::1%eth0]", "invalid IPv6"},
      {"a@[:1::]", "invalid IPv6"},
      {"a@[::ffff:256.0.0.1]", "invalid IPv6"},
      {"a@[1:2:3:4:5:6:7]", "invalid IPv6"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.input);
    CHECK_FALSE(Jid::parse(c.input).has_value());
    std::string message;
    try {
      Jid jid(c.input);
    } catch (const JidError& e) {
      message = e.what();
    }
    CAPTURE(message);
    CHECK(message.rfind("jid: ", 0) == 0);
    CHECK(message.find(c.reason) != std::string::npos);
  }
}

TEST_CASE("jid: default constructed jid is empty") {
  const Jid jid;
  CHECK(jid.empty());
  CHECK_FALSE(jid.has_local());
  CHECK_FALSE(jid.has_resource());
  CHECK_FALSE(jid.is_bare());
  CHECK(jid.local().empty());
  CHECK(jid.domain().empty());
  CHECK(jid.resource().empty());
  CHECK(jid.full().empty());
  CHECK(jid.bare().empty());
  CHECK(jid == Jid());
  CHECK_THROWS_AS(jid.with_resource("r"), JidError);
  CHECK_FALSE(Jid("a@b").empty());
  CHECK_THROWS_AS(Jid(""), std::invalid_argument);  // JidError is an invalid_argument
}

TEST_CASE("jid: bare and with_resource") {
  const Jid full("Juliet@Capulet.lit/Balcony");
  const Jid bare = full.bare();
  CHECK(bare.full() == "juliet@capulet.lit");
  CHECK(bare.is_bare());
  CHECK(bare.local() == "juliet");
  CHECK(bare.domain() == "capulet.lit");
  CHECK(full.bare_str() == "juliet@capulet.lit");
  CHECK(bare.bare() == bare);

  const Jid other = full.with_resource("Orchard/2@x");
  CHECK(other.full() == "juliet@capulet.lit/Orchard/2@x");
  CHECK(other.resource() == "Orchard/2@x");
  CHECK(other.bare() == bare);
  CHECK(bare.with_resource("Balcony") == full);

  const Jid server("capulet.lit");
  CHECK(server.with_resource("x").full() == "capulet.lit/x");
  CHECK(server.with_resource("x").domain() == "capulet.lit");
  CHECK_FALSE(server.with_resource("x").has_local());

  CHECK_THROWS_AS(bare.with_resource(""), JidError);
  CHECK_THROWS_AS(bare.with_resource("a\nb"), JidError);
  CHECK_THROWS_AS(bare.with_resource("\xC0\x80"), JidError);
  CHECK_THROWS_AS(bare.with_resource(rep('r', 1024)), JidError);
  CHECK(bare.with_resource(rep('r', 1023)).resource().size() == 1023);
}

TEST_CASE("jid: comparison and ordering use the normalised form") {
  CHECK(Jid("A@B.c/R") == Jid("a@b.c./R"));
  CHECK(Jid("a@b.c/R") != Jid("a@b.c/r"));  // resource is case-sensitive
  CHECK(Jid("a@b.c") != Jid("a@b.c/r"));
  CHECK(Jid("a@b") < Jid("a@c"));
  CHECK(Jid("a@b") < Jid("a@b/r"));
  CHECK((Jid("x") <=> Jid("X")) == std::strong_ordering::equal);
  CHECK(Jid() < Jid("a"));
}

TEST_CASE("jid: hashing works with unordered containers") {
  std::unordered_set<Jid> set;
  set.insert(Jid("Romeo@Montague.lit/Orchard"));
  set.insert(Jid("romeo@montague.lit./Orchard"));  // same after normalisation
  set.insert(Jid("romeo@montague.lit/orchard"));
  set.insert(Jid("romeo@montague.lit"));
  CHECK(set.size() == 3);
  CHECK(set.count(Jid("ROMEO@MONTAGUE.LIT")) == 1);
  CHECK(set.count(Jid("juliet@capulet.lit")) == 0);
  CHECK(std::hash<Jid>{}(Jid("A@B")) == std::hash<Jid>{}(Jid("a@b")));
}

TEST_CASE("jid: stream output prints the normalised JID") {
  std::ostringstream os;
  os << Jid("Nurse@Capulet.lit/Kitchen") << '|' << Jid();
  CHECK(os.str() == "nurse@capulet.lit/Kitchen|");
}

TEST_CASE("jid: XEP-0106 example table, both directions") {
  const std::vector<std::pair<std::string, std::string>> table = {
      {"space cadet", R"(space\20cadet)"},
      {R"(call me "ishmael")", R"(call\20me\20\22ishmael\22)"},
      {"at&t guy", R"(at\26t\20guy)"},
      {"d'artagnan", R"(d\27artagnan)"},
      {"/.fanboy", R"(\2f.fanboy)"},
      {"::foo::", R"(\3a\3afoo\3a\3a)"},
      {"<foo>", R"(\3cfoo\3e)"},
      {"user@host", R"(user\40host)"},
      {R"(c:\net)", R"(c\3a\net)"},
      {R"(c:\\net)", R"(c\3a\\net)"},
      {R"(c:\cool stuff)", R"(c\3a\cool\20stuff)"},
      {R"(c:\5commas)", R"(c\3a\5c5commas)"},
      // §4 (address transformation) and business rules: backslashes before codes escaped.
      {R"(\3and\2is\5cool)", R"(\5c3and\2is\5c5cool)"},
      {R"(\5c)", R"(\5c5c)"},
      {R"(call\20me)", R"(call\5c20me)"},
      {"tr\xC3\xA9ville@musketeers.lit", "tr\xC3\xA9ville\\40musketeers.lit"},
      {"here's_a_wild_&_/cr%zy/_address", R"(here\27s_a_wild_\26_\2fcr%zy\2f_address)"},
  };
  for (const auto& row : table) {
    const std::string& plain = row.first;  // named copies: clang cannot capture bindings
    const std::string& escaped = row.second;
    CAPTURE(plain);
    CHECK(legate::escape_local(plain) == escaped);
    CHECK(legate::unescape_local(escaped) == plain);
    const auto jid = Jid::parse(escaped + "@example.com");
    REQUIRE(jid.has_value());
    CHECK(jid->local() == escaped);
  }
}

TEST_CASE("jid: XEP-0106 exceptions are left untouched") {
  // Partial, unknown and uppercase ("CASE IS SIGNIFICANT") sequences are not escapes.
  for (std::string_view s : {R"(\2plus\2is\4)"sv, R"(foo\bar)"sv, R"(foob\41r)"sv, R"(\5C)"sv,
                             R"(\2F)"sv, R"(a\)"sv, R"(\)"sv, R"(\5)"sv, ""sv}) {
    CAPTURE(s);
    CHECK(legate::escape_local(s) == s);
    CHECK(legate::unescape_local(s) == s);
  }
}

TEST_CASE("jid: escape_local rejects leading or trailing spaces") {
  CHECK_THROWS_AS(legate::escape_local(" cadet"), JidError);
  CHECK_THROWS_AS(legate::escape_local("cadet "), JidError);
  CHECK_THROWS_AS(legate::escape_local(" "), JidError);
  CHECK(legate::escape_local("a  b") == R"(a\20\20b)");
  CHECK(legate::unescape_local(R"(\20cadet\20)") == " cadet ");  // decoding stays lenient
}

TEST_CASE("jid: escape/unescape round trip on random strings") {
  // Heavy on backslashes, hex digits and forbidden characters to hit sequence boundaries.
  const std::vector<std::string> atoms = {
      "\\", "\\", "2", "0", "5", "c", "C", "3", "a", "f", "4", "e", "7",        "x",
      " ",  "\"", "&", "'", "/", ":", "<", ">", "@", "%", ".", "_", "\xC3\xA9", "\xE2\x98\x83",
      "Z"};
  std::mt19937 rng(20240607u);
  std::uniform_int_distribution<std::size_t> pick(0, atoms.size() - 1);
  std::uniform_int_distribution<int> length(1, 24);
  int checked = 0;
  for (int n = 0; n < 5000; ++n) {
    std::string plain;
    for (int i = length(rng); i > 0; --i) plain += atoms[pick(rng)];
    CAPTURE(plain);
    if (plain.front() == ' ' || plain.back() == ' ') {
      CHECK_THROWS_AS(legate::escape_local(plain), JidError);
      continue;
    }
    const std::string escaped = legate::escape_local(plain);
    CHECK(legate::unescape_local(escaped) == plain);
    CHECK(escaped.find_first_of("\"&'/:<>@ ") == std::string::npos);
    // The escaped form is a valid local part; the server folds it to lowercase.
    const auto jid = Jid::parse(escaped + "@example.com/r");
    REQUIRE(jid.has_value());
    CHECK(jid->local() == lower(escaped));
    ++checked;
  }
  CHECK(checked > 3000);
}
