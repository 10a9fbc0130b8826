// legate-irc's own commands (ad-hoc and chat): `join` enters a channel of one of the user's
// servers (then open #chan%server@gw in a client), `add-server` registers one more server,
// `configure-server` changes one, `connections` and `disconnect`; `configure-channel` sets
// one channel's own settings (irc_channel_command.cpp).
#pragma once

#include <vector>

#include <legate/gateway/command.hpp>

namespace irc {

std::vector<legate::Command> irc_commands();
legate::Command configure_channel_command();

}  // namespace irc
