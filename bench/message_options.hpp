// legate-bench-msg's command line: its options (bench/README.md describes them), their
// defaults and usage text, and their parsing.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "bench/options.hpp"

namespace legate::bench {

struct MessageOptions : CommonOptions {
  MessageOptions() {  // the defaults that differ from legate-bench-iq's
    count = 100000;
    window = 2000;
    timeout = 600;
    jid = "gw.localhost";
  }
  std::size_t users = 100;
  std::size_t contacts = 100;  // stored per user (the first three are alice, bob, carol)
  std::size_t targets = 3;     // contacts per user that messages go to
  double rate = 0;             // messages/s; 0: as fast as the window allows
  double delay_ms = 200;
  bool rich = false;  // messages as a modern client sends them (receipt request, markable…)
  bool probe = false;
  bool prepare_only = false;    // write --database and exit (for bench/prosody_messages.py)
  std::string database;         // kept (and reused when it exists); empty: a throwaway one
  std::string tmpdir = "/tmp";  // where the throwaway database goes (/dev/shm: no disk)
  double stall = 10;  // seconds without a reply after which the missing ones count as lost
  std::string status = "Connected to the echo network";
};

inline constexpr std::string_view kMessageUsage =
    "usage: legate-bench-msg [--spawn PATH] [--pid PID] [--port P] [--users N] [--contacts M]\n"
    "                        [--targets K] [--count N] [--warmup N] [--window W] [--rate R]\n"
    "                        [--delay-ms D] [--rich] [--probe] [--database PATH]\n"
    "                        [--tmpdir DIR] [--timeout SECONDS] [--stall SECONDS]\n"
    "                        [--no-pin] [--jid JID] [--secret S] [--status TEXT]\n"
    "                        [--prepare-only]\n"
    "  --count 0 measures only the start-up (and --probe); --prepare-only writes the\n"
    "  --database (users u0…uN-1 at the JID's parent domain) and exits.\n";

// Throws std::invalid_argument on a bad option; --help prints the usage and exits.
MessageOptions parse_message_args(int argc, char** argv);

}  // namespace legate::bench
