// The throttle following the server: a server that closes the connection for flooding
// (ERROR :Closing Link: … (Excess Flood)) gets a slower throttle on the next connection.
#pragma once

#include <string_view>

#include "irc_client.hpp"

namespace irc {

// Whether a closing reason says the user sent too fast ("Excess Flood" and the like).
bool closed_for_flooding(std::string_view reason);

// `server`'s throttle after `floods` closings for flooding in a row: each doubles the
// interval (from at least 500 ms, so "no throttle" gets one too) and halves the burst (at
// least 1), up to 8 times slower.
IrcServer slowed_for_floods(IrcServer server, unsigned floods);

}  // namespace irc
