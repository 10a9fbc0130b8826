// The throttle following the server's flood limits.
#include "irc_flood.hpp"

#include <algorithm>

#include "irc_casemap.hpp"

namespace irc {

bool closed_for_flooding(std::string_view reason) {
  return irc_lower(reason, CaseMapping::ascii).find("flood") != std::string::npos;
}

IrcServer slowed_for_floods(IrcServer server, unsigned floods) {
  const unsigned factor = 1u << std::min(floods, 3u);
  if (factor == 1) return server;
  server.interval = std::max(server.interval, std::chrono::milliseconds(500)) * factor;
  server.burst = std::max(1u, server.burst / factor);
  return server;
}

}  // namespace irc
