// XEP-0356 privileged entity: the server's grant message (urn:xmpp:privilege:2) and the
// roster push a granted component may send.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "../component/element.hpp"

namespace legate {

inline constexpr std::string_view kPrivilegeNs = "urn:xmpp:privilege:2";
inline constexpr std::string_view kRosterNs = "jabber:iq:roster";

struct Privileges {
  std::string roster;   // "", get, set or both
  std::string message;  // "", outgoing
  bool can_set_roster() const { return roster == "set" || roster == "both"; }
};

// The grants in a <message> from the server; nullopt when it carries none.
std::optional<Privileges> parse_privileges(const Element& message);

// An iq set putting `contact` in `user`'s roster with a mutual subscription.
Element roster_push(std::string_view component, std::string_view user, std::string_view contact,
                    std::string_view name, std::string_view group, std::string_view id);
// The XEP-0356 roster push that removes `contact` from the user's roster.
Element roster_removal(std::string_view component, std::string_view user, std::string_view contact,
                       std::string_view id);

}  // namespace legate
