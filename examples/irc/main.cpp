// legate-irc: an XMPP↔IRC bridge built on Legate.
#include <legate/commands/run.hpp>
#include "irc_gateway.hpp"

int main(int argc, char** argv) {
  return legate::run<irc::IrcGateway>(argc, argv, "legate-irc", "0.1.0");
}
