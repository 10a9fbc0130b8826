// Jabber IDs (RFC 7622): validated, normalised value type plus XEP-0106 local-part escaping.
// Every address that enters the gateway from XML goes through Jid::parse before it is routed.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace legate {

// Thrown for a malformed JID; what() says which rule was broken ("jid: empty domain").
class JidError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// An RFC 7622 address `[local@]domain[/resource]`, stored in normalised form: local part and
// domain ASCII-lowercased (matching what the server's nodeprep/nameprep does, so JIDs that the
// server treats as equal compare equal here), one trailing '.' of the domain removed, resource
// verbatim. Not implemented: full PRECIS/IDNA mapping of non-ASCII text (non-ASCII bytes are kept
// as given, only checked to be well-formed UTF-8).
class Jid {
 public:
  // The empty JID: empty() is true and every accessor returns an empty view.
  Jid() = default;

  // Parses and normalises; throws JidError describing the first problem found.
  explicit Jid(std::string_view text);

  // Parses and normalises; std::nullopt for malformed input. Never throws JidError (only
  // std::bad_alloc can escape), so it is the one to use on untrusted stanza attributes.
  static std::optional<Jid> parse(std::string_view text);

  bool empty() const noexcept { return full_.empty(); }

  bool has_local() const noexcept { return domain_begin_ > 0; }
  bool has_resource() const noexcept { return domain_end_ < full_.size(); }
  // True for a non-empty JID without a resource (the empty JID is not an address at all).
  bool is_bare() const noexcept { return !empty() && !has_resource(); }

  std::string_view local() const noexcept;
  std::string_view domain() const noexcept;
  std::string_view resource() const noexcept;

  // The same JID without its resource.
  Jid bare() const;
  // The bare JID with `resource` attached (replacing any existing one); throws JidError if the
  // resource is invalid or this JID is empty.
  Jid with_resource(std::string_view resource) const;

  const std::string& full() const noexcept { return full_; }
  std::string str() const { return full_; }
  std::string bare_str() const { return full_.substr(0, domain_end_); }

  // Ordering is that of the normalised string; the offsets follow from it.
  friend bool operator==(const Jid& a, const Jid& b) noexcept { return a.full_ == b.full_; }
  friend std::strong_ordering operator<=>(const Jid& a, const Jid& b) noexcept {
    return a.full_ <=> b.full_;
  }

 private:
  // Offsets into full_: local is [0, domain_begin_ - 1) when present ('@' at domain_begin_ - 1),
  // domain is [domain_begin_, domain_end_), resource follows the '/' at domain_end_. Each part
  // is at most 1023 bytes, so the whole string (< 3072 bytes) fits 16-bit offsets.
  Jid(std::string full, std::uint16_t domain_begin, std::uint16_t domain_end)
      : full_(std::move(full)), domain_begin_(domain_begin), domain_end_(domain_end) {}

  friend struct JidParser;

  std::string full_;
  std::uint16_t domain_begin_ = 0;
  std::uint16_t domain_end_ = 0;
};

// Writes the normalised full JID (empty for the empty JID), for logging.
std::ostream& operator<<(std::ostream& os, const Jid& jid);

// XEP-0106: escapes space " & ' / : < > @ as \20 \22 \26 \27 \2f \3a \3c \3e \40, and a
// backslash as \5c only where it starts one of the ten escape sequences (so "c:\net" becomes
// "c\3a\net"). Throws JidError if `text` starts or ends with a space, because the XEP forbids an
// escaped local part starting or ending with \20.
std::string escape_local(std::string_view text);

// XEP-0106: decodes exactly the ten lowercase sequences \20 \22 \26 \27 \2f \3a \3c \3e \40 \5c;
// anything else (partial, unknown or uppercase sequences) is left untouched. Never throws
// JidError.
std::string unescape_local(std::string_view text);

}  // namespace legate

template <>
struct std::hash<legate::Jid> {
  std::size_t operator()(const legate::Jid& jid) const noexcept {
    return std::hash<std::string_view>{}(jid.full());
  }
};
