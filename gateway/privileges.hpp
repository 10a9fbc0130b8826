// XEP-0356 privileged entity: the grants a server sends after each handshake
// (urn:xmpp:privilege:2, and :1 from older servers such as ejabberd up to 24.07), and the
// roster pushes a granted component may send.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../component/element.hpp"
#include "../component/stanza.hpp"

namespace legate {

inline constexpr std::string_view kPrivilegeNs = "urn:xmpp:privilege:2";
inline constexpr std::string_view kPrivilegeV1Ns = "urn:xmpp:privilege:1";
inline constexpr std::string_view kForwardNs = "urn:xmpp:forward:0";
inline constexpr std::string_view kClientNs = "jabber:client";
inline constexpr std::string_view kRosterNs = "jabber:iq:roster";

// What one server lets the gateway do for its users. Values are the XEP's: roster
// none/get/set/both, message none/outgoing, presence none/managed_entity/roster, and per
// iq namespace get/set/both; "" stands for none.
struct Privileges {
  std::string ns{kPrivilegeNs};  // the version granted: privileged stanzas use the same
  std::string roster;
  std::string message;
  std::string presence;
  std::vector<std::pair<std::string, std::string>> iq;  // (namespace, type)
  // Why a message permission the server granted is not used (it would be lost), or "".
  std::string message_unusable;

  bool can_get_roster() const { return roster == "get" || roster == "both"; }
  bool can_set_roster() const { return roster == "set" || roster == "both"; }
  bool can_send_messages() const { return message == "outgoing" && message_unusable.empty(); }
  // Whether iqs of `type` (get or set) with a payload in `payload_ns` may be sent.
  bool can_iq(IqType type, std::string_view payload_ns) const;
  // One line for the admin, e.g. "roster both, message outgoing, iq pubsub set (v2)".
  std::string describe() const;
};

// The grants in a <message> from the server; nullopt when it carries none. Permissions are
// read in any order, and iq namespaces as descendants of their <perm/> (Prosody 0.12 nests
// each <namespace/> in the previous one).
std::optional<Privileges> parse_privileges(const Element& message);

// An iq set putting `contact` in `user`'s roster with a mutual subscription.
Element roster_push(std::string_view component, std::string_view user, std::string_view contact,
                    std::string_view name, std::string_view group, std::string_view id);
// The XEP-0356 roster push that removes `contact` from the user's roster.
Element roster_removal(std::string_view component, std::string_view user, std::string_view contact,
                       std::string_view id);
// The roster get of a user (XEP-0356 §5.2): the iq is addressed to the user's bare JID.
Element roster_get(std::string_view component, std::string_view user, std::string_view id);

// Gives `element` and its descendants in the component namespace the client namespace:
// what a privileged message or iq carries inside its <forwarded/>/<privileged_iq/>.
void to_client_namespace(Element& element);

}  // namespace legate
