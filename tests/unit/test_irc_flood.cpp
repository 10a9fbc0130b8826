// legate-irc's throttle following the server: closings for flooding recognised, and the
// throttle each one leaves.
#include <doctest/doctest.h>

#include "examples/irc/irc_flood.hpp"

using namespace irc;
using std::chrono::milliseconds;

TEST_CASE("irc flood: the servers' closing reasons for flooding") {
  CHECK(closed_for_flooding("Closing Link: 127.0.0.1 (Excess Flood)"));
  CHECK(closed_for_flooding("Closing link: (tester@127.0.0.1) [Excess flood]"));
  CHECK(closed_for_flooding("FLOOD"));
  CHECK_FALSE(closed_for_flooding("Closing Link: 127.0.0.1 (Ping timeout: 180 seconds)"));
  CHECK_FALSE(closed_for_flooding("the connection was reset"));
  CHECK_FALSE(closed_for_flooding(""));
}

TEST_CASE("irc flood: each closing doubles the interval and halves the burst, up to 8x") {
  IrcServer server;
  server.burst = 10;
  server.interval = milliseconds(1000);
  CHECK(slowed_for_floods(server, 0).interval == milliseconds(1000));
  CHECK(slowed_for_floods(server, 0).burst == 10);
  CHECK(slowed_for_floods(server, 1).interval == milliseconds(2000));
  CHECK(slowed_for_floods(server, 1).burst == 5);
  CHECK(slowed_for_floods(server, 2).interval == milliseconds(4000));
  CHECK(slowed_for_floods(server, 2).burst == 2);
  CHECK(slowed_for_floods(server, 3).interval == milliseconds(8000));
  CHECK(slowed_for_floods(server, 3).burst == 1);
  CHECK(slowed_for_floods(server, 9).interval == milliseconds(8000));  // no slower than 8x
  CHECK(slowed_for_floods(server, 9).burst == 1);
  // No throttle (interval 0) gets one: 500 ms doubled.
  server.interval = milliseconds(0);
  CHECK(slowed_for_floods(server, 1).interval == milliseconds(1000));
  // The other settings stay.
  server.host = "irc.example.org";
  server.nick = "tester";
  const IrcServer slower = slowed_for_floods(server, 2);
  CHECK(slower.host == "irc.example.org");
  CHECK(slower.nick == "tester");
}
