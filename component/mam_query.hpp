// MamQuery: a XEP-0313 (urn:xmpp:mam:2, with #extended) query to a room, with its XEP-0059
// paging, read from the iq into a value; and the pieces of the answer (the query form, the
// <fin/>; results are built beside the room's stanzas). The archive (storage) answers the
// query; the room router sends the answer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "element.hpp"

namespace legate {

inline constexpr std::string_view kMamNs = "urn:xmpp:mam:2";
inline constexpr std::string_view kMamExtendedNs = "urn:xmpp:mam:2#extended";
inline constexpr std::string_view kRsmNs = "http://jabber.org/protocol/rsm";
inline constexpr std::string_view kForwardedNs = "urn:xmpp:forward:0";

struct MamQuery {
  static constexpr std::size_t kDefaultPage = 20;
  static constexpr std::size_t kMaxPage = 100;

  std::string query_id{};
  std::optional<std::int64_t> start_ms{}, end_ms{};  // XEP-0082 times, unix ms
  std::string with{};                                // an occupant JID, or empty
  std::string before_id{}, after_id{};               // #extended: bounds by stanza-id
  std::vector<std::string> ids{};                    // #extended: exactly these
  std::size_t max = kDefaultPage;                    // capped at kMaxPage
  std::optional<std::string> rsm_after{};
  std::optional<std::string> rsm_before{};  // present and empty: the last page (XEP-0059 §2.5)
  bool flip_page = false;
};

// Reads <query xmlns='urn:xmpp:mam:2'/>. Throws StanzaError(bad-request) naming what is
// wrong: a form of another type, an unknown field, a bad time or a bad <max/>.
MamQuery parse_mam_query(const Element& query);

// XEP-0082 date-time ("2026-12-04T10:00:00Z", fractions and offsets allowed) as unix ms;
// nullopt if malformed.
std::optional<std::int64_t> parse_datetime_ms(std::string_view text);

// The answer to <iq type='get'><query xmlns='urn:xmpp:mam:2'/></iq> (§4.1.5).
Element mam_query_form();

struct MamPage {
  std::string first, last;  // stanza-ids; empty for an empty page
  std::size_t count = 0;    // messages matching the query (all pages)
  bool complete = false;    // the last page in the query's direction
  bool stable = true;       // false while a backfill may still insert older messages
};
Element mam_fin(const MamPage& page);

}  // namespace legate
