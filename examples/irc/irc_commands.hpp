// legate-irc's own commands (ad-hoc and chat): `join` enters a channel of one of the user's
// servers (then open #chan%server@gw in a client), `add-server` registers one more server.
#pragma once

#include <vector>

#include <legate/gateway/command.hpp>

namespace irc {

std::vector<legate::Command> irc_commands();

}  // namespace irc
