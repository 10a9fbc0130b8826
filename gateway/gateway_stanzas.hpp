// Messages and presences addressed to the gateway JID itself: chat input for pending
// steps, subscriptions (the gateway in the user's roster), unregistration by roster removal.
#pragma once

#include "base_gateway.hpp"

namespace legate {

void install_gateway_stanzas(BaseGateway::Runtime& runtime);

}  // namespace legate
