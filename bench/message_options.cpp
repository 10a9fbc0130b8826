// Parsing legate-bench-msg's command line (message_options.hpp).
#include "bench/message_options.hpp"

#include <stdexcept>

namespace legate::bench {

MessageOptions parse_message_args(int argc, char** argv) {
  MessageOptions o;
  for (ArgReader args(argc, argv, kMessageUsage, {"--rich", "--probe", "--prepare-only"});
       args.next();) {
    const std::string& key = args.key();
    const std::string& value = args.value();
    if (o.set(key, value)) continue;
    if (key == "--rich")
      o.rich = true;
    else if (key == "--probe")
      o.probe = true;
    else if (key == "--prepare-only")
      o.prepare_only = true;
    else if (key == "--users")
      o.users = std::stoul(value);
    else if (key == "--contacts")
      o.contacts = std::stoul(value);
    else if (key == "--targets")
      o.targets = std::stoul(value);
    else if (key == "--rate")
      o.rate = std::stod(value);
    else if (key == "--delay-ms")
      o.delay_ms = std::stod(value);
    else if (key == "--database")
      o.database = value;
    else if (key == "--tmpdir")
      o.tmpdir = value;
    else if (key == "--stall")
      o.stall = std::stod(value);
    else if (key == "--status")
      o.status = value;
    else
      throw std::invalid_argument("unknown option " + key);
  }
  if (o.users == 0) throw std::invalid_argument("--users must be at least 1");
  if (o.targets == 0) throw std::invalid_argument("--targets must be at least 1");
  if (o.prepare_only && o.database.empty())
    throw std::invalid_argument("--prepare-only needs --database");
  return o;
}

}  // namespace legate::bench
