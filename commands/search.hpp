// Search: XEP-0055 (jabber:iq:search) and XEP-0100 (jabber:iq:gateway) on the gateway JID,
// both answered by the session's on_search() with the gateway's search form.
#pragma once

#include "../component/form.hpp"

namespace legate {

class GatewayRuntime;

inline constexpr std::string_view kSearchNs = "jabber:iq:search";
inline constexpr std::string_view kIqGatewayNs = "jabber:iq:gateway";

// The gateway's search form (no fields: it has no search).
Form search_form(GatewayRuntime gateway);
// Installs the XEP-0055 and, with a single search field, the XEP-0100 handlers.
void install_search(GatewayRuntime gateway);

}  // namespace legate
