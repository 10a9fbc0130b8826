// Entity capabilities (XEP-0115): the verification string of a disco#info and the <c/>
// element that advertises it in presence, for the gateway JID and its contacts alike.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "disco.hpp"
#include "element.hpp"

namespace legate {

inline constexpr std::string_view kCapsNs = "http://jabber.org/protocol/caps";
// The node of Legate's caps: a disco#info query for "node#ver" names it.
inline constexpr std::string_view kCapsNode = "https://legate.invalid/caps";

// §5.1 verification string (no extended forms; identities have no xml:lang).
std::string caps_ver(const std::vector<Identity>& identities,
                     const std::vector<std::string>& features);
// <c xmlns='…caps' hash='sha-1' node='…' ver='…'/>.
Element caps_element(std::string_view node, std::string_view ver);

}  // namespace legate
