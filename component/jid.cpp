// Jabber ID parsing/normalisation (RFC 7622) and XEP-0106 escaping; see jid.hpp.
// Validation is byte-oriented and allocation-free until the JID is known to be valid.
#include "component/jid.hpp"

#include <array>
#include <ostream>

namespace legate {

namespace {

constexpr std::size_t kMaxPart = 1023;  // RFC 7622 §3.2-3.4: each part 1..1023 octets
constexpr std::size_t kMaxLabel = 63;

// What went wrong; `ch` names the offending character when that helps the reader.
struct Problem {
  const char* what = nullptr;
  char ch = 0;
};

constexpr bool is_cont(unsigned char b) {
  return (b & 0xC0) == 0x80;
}
constexpr bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
constexpr bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
constexpr char ascii_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
}

// Well-formed UTF-8 (no overlongs, surrogates or code points above U+10FFFF) without control
// characters. RFC 7622's PRECIS classes disallow all of Cc, so C1 controls (U+0080..U+009F) are
// rejected as well as ASCII ones: they are invisible in logs and clients.
Problem check_text(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  for (std::size_t i = 0; i < n;) {
    const unsigned char b = p[i];
    if (b < 0x80) {
      if (b < 0x20 || b == 0x7F) return {"jid: control character"};
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (b >= 0xC2 && b <= 0xDF) {
      len = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
      len = 3;
      if (b == 0xE0) lo = 0xA0;  // overlong
      if (b == 0xED) hi = 0x9F;  // UTF-16 surrogates
    } else if (b >= 0xF0 && b <= 0xF4) {
      len = 4;
      if (b == 0xF0) lo = 0x90;  // overlong
      if (b == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
      return {"jid: invalid UTF-8"};  // lone continuation byte, C0/C1 overlong, F5..FF
    }
    if (n - i < len || p[i + 1] < lo || p[i + 1] > hi) return {"jid: invalid UTF-8"};
    for (std::size_t k = 2; k < len; ++k)
      if (!is_cont(p[i + k])) return {"jid: invalid UTF-8"};
    if (b == 0xC2 && p[i + 1] <= 0x9F) return {"jid: control character"};
    i += len;
  }
  return {};
}

constexpr std::string_view kLocalForbidden = "\"&'/:<>@ ";

Problem check_local(std::string_view s) {
  if (s.empty()) return {"jid: empty local part"};
  if (s.size() > kMaxPart) return {"jid: local part longer than 1023 bytes"};
  for (char c : s)
    if (kLocalForbidden.find(c) != std::string_view::npos)
      return {"jid: forbidden character in local part:", c};
  return {};
}

// RFC 3986 dec-octet dotted quad (no leading zeros), as allowed at the end of an IPv6 literal.
bool valid_ipv4(std::string_view s) {
  int octets = 0;
  std::size_t i = 0;
  while (true) {
    std::size_t j = i;
    while (j < s.size() && is_digit(s[j]) && j - i < 4) ++j;
    const std::size_t len = j - i;
    if (len == 0 || len > 3 || (len > 1 && s[i] == '0')) return false;
    int value = 0;
    for (std::size_t k = i; k < j; ++k) value = value * 10 + (s[k] - '0');
    if (value > 255) return false;
    ++octets;
    if (j == s.size()) break;
    if (s[j] != '.' || octets == 4) return false;
    i = j + 1;
  }
  return octets == 4;
}

// RFC 4291 §2.2 textual IPv6 address (no zone id, which RFC 3986 IP-literals do not allow).
bool valid_ipv6(std::string_view s) {
  const std::size_t n = s.size();
  if (n < 2) return false;
  int groups = 0;
  bool compressed = false;
  std::size_t i = 0;
  if (s[0] == ':') {
    if (s[1] != ':') return false;
    compressed = true;
    i = 2;
    if (i == n) return true;
  }
  while (true) {
    std::size_t j = i;
    while (j < n && is_hex(s[j])) ++j;
    if (j < n && s[j] == '.') {  // embedded IPv4 takes the last two groups
      if (!valid_ipv4(s.substr(i))) return false;
      groups += 2;
      break;
    }
    if (j == i || j - i > 4) return false;
    ++groups;
    if (j == n) break;
    if (s[j] != ':') return false;
    if (++j == n) return false;  // trailing single ':'
    if (s[j] == ':') {
      if (compressed) return false;  // at most one "::"
      compressed = true;
      if (++j == n) break;
    }
    i = j;
  }
  return compressed ? groups <= 7 : groups == 8;
}

// `s` already has its one trailing dot removed.
Problem check_domain(std::string_view s) {
  if (s.empty()) return {"jid: empty domain"};
  if (s.size() > kMaxPart) return {"jid: domain longer than 1023 bytes"};
  if (s.front() == '[') {
    if (s.back() != ']' || !valid_ipv6(s.substr(1, s.size() - 2)))
      return {"jid: invalid IPv6 literal in domain"};
    return {};
  }
  // Dotted IPv4 literals need no special case: they are valid label sequences.
  std::size_t label = 0;
  for (char c : s) {
    if (c == '.') {
      if (label == 0) return {"jid: empty label in domain"};
      label = 0;
      continue;
    }
    if (++label > kMaxLabel) return {"jid: domain label longer than 63 bytes"};
    const auto u = static_cast<unsigned char>(c);
    // '_' is not LDH, but deployed servers accept it (e.g. in component hostnames).
    const bool ok = u >= 0x80 || is_digit(c) || (ascii_lower(c) >= 'a' && ascii_lower(c) <= 'z') ||
                    c == '-' || c == '_';
    if (!ok) return {"jid: invalid character in domain:", c};
  }
  if (label == 0) return {"jid: empty label in domain"};
  return {};
}

Problem check_resource(std::string_view s) {
  if (s.empty()) return {"jid: empty resource"};
  if (s.size() > kMaxPart) return {"jid: resource longer than 1023 bytes"};
  return {};
}

[[noreturn]] void throw_problem(const Problem& problem) {
  std::string message = problem.what;
  if (problem.ch != 0) {
    message += " '";
    message += problem.ch;
    message += '\'';
  }
  throw JidError(message);
}

void append_lower(std::string& out, std::string_view s) {
  for (char c : s) out += ascii_lower(c);
}

// The XEP-0106 escape codes, in the (lowercase) form they are written and recognised in.
constexpr std::array<std::pair<std::string_view, char>, 10> kEscapes{{{"20", ' '},
                                                                      {"22", '"'},
                                                                      {"26", '&'},
                                                                      {"27", '\''},
                                                                      {"2f", '/'},
                                                                      {"3a", ':'},
                                                                      {"3c", '<'},
                                                                      {"3e", '>'},
                                                                      {"40", '@'},
                                                                      {"5c", '\\'}}};

// The character encoded by the escape sequence starting at text[i] (a backslash), if any.
std::optional<char> escape_at(std::string_view text, std::size_t i) {
  if (text.size() - i < 3) return std::nullopt;
  const std::string_view code = text.substr(i + 1, 2);
  for (const auto& [hex, ch] : kEscapes)
    if (code == hex) return ch;
  return std::nullopt;
}

}  // namespace

// Shared by the throwing constructor and parse(), so that parse() never needs exceptions.
struct JidParser {
  static std::optional<Jid> run(std::string_view text, Problem& problem) {
    if (text.empty()) return fail(problem, {"jid: empty JID"});
    if (Problem p = check_text(text); p.what) return fail(problem, p);

    // RFC 7622 §3.1: the resource starts at the first '/', and the local part ends at the first
    // '@' before it; so '@' and '/' may appear freely in the resource.
    std::string_view rest = text;
    std::optional<std::string_view> resource;
    if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
      resource = rest.substr(slash + 1);
      rest = rest.substr(0, slash);
    }
    std::optional<std::string_view> local;
    if (const auto at = rest.find('@'); at != std::string_view::npos) {
      local = rest.substr(0, at);
      rest = rest.substr(at + 1);
    }
    std::string_view domain = rest;
    if (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);  // "example.com."

    if (local) {
      if (Problem p = check_local(*local); p.what) return fail(problem, p);
    }
    if (Problem p = check_domain(domain); p.what) return fail(problem, p);
    if (resource) {
      if (Problem p = check_resource(*resource); p.what) return fail(problem, p);
    }

    std::string full;
    full.reserve(text.size());
    if (local) {
      append_lower(full, *local);
      full += '@';
    }
    const std::size_t domain_begin = full.size();
    append_lower(full, domain);
    const std::size_t domain_end = full.size();
    if (resource) {
      full += '/';
      full += *resource;
    }
    return Jid(std::move(full), static_cast<std::uint16_t>(domain_begin),
               static_cast<std::uint16_t>(domain_end));
  }

  static std::optional<Jid> fail(Problem& out, const Problem& p) {
    out = p;
    return std::nullopt;
  }

  static Jid with_resource(const Jid& jid, std::string_view resource) {
    if (jid.empty()) throw JidError("jid: cannot add a resource to an empty JID");
    if (Problem p = check_text(resource); p.what) throw_problem(p);
    if (Problem p = check_resource(resource); p.what) throw_problem(p);
    std::string full = jid.bare_str();
    full += '/';
    full += resource;
    return Jid(std::move(full), jid.domain_begin_, jid.domain_end_);
  }

  static Jid bare(const Jid& jid) {
    return Jid(jid.bare_str(), jid.domain_begin_, jid.domain_end_);
  }
};

Jid::Jid(std::string_view text) {
  Problem problem;
  std::optional<Jid> jid = JidParser::run(text, problem);
  if (!jid) throw_problem(problem);
  *this = std::move(*jid);
}

std::optional<Jid> Jid::parse(std::string_view text) {
  Problem ignored;
  return JidParser::run(text, ignored);
}

std::string_view Jid::local() const noexcept {
  if (!has_local()) return {};
  return std::string_view(full_).substr(0, domain_begin_ - 1u);
}

std::string_view Jid::domain() const noexcept {
  return std::string_view(full_).substr(domain_begin_, domain_end_ - domain_begin_);
}

std::string_view Jid::resource() const noexcept {
  if (!has_resource()) return {};
  return std::string_view(full_).substr(domain_end_ + 1u);
}

Jid Jid::bare() const {
  return JidParser::bare(*this);
}

Jid Jid::with_resource(std::string_view resource) const {
  return JidParser::with_resource(*this, resource);
}

std::ostream& operator<<(std::ostream& os, const Jid& jid) {
  return os << jid.full();
}

std::string escape_local(std::string_view text) {
  if (!text.empty() && (text.front() == ' ' || text.back() == ' '))
    throw JidError("jid: a local part cannot start or end with a space (XEP-0106 \\20 rule)");
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    // A backslash is escaped only where it would otherwise be read back as an escape sequence,
    // so existing backslashes (e.g. "c:\net") stay readable and old JIDs keep their meaning.
    const bool escape = c == '\\' ? escape_at(text, i).has_value()
                                  : kLocalForbidden.find(c) != std::string_view::npos;
    if (!escape) {
      out += c;
      continue;
    }
    for (const auto& [hex, ch] : kEscapes) {
      if (ch == c) {
        out += '\\';
        out += hex;
        break;
      }
    }
  }
  return out;
}

std::string unescape_local(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\') {
      if (const auto ch = escape_at(text, i)) {
        out += *ch;
        i += 2;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

}  // namespace legate
