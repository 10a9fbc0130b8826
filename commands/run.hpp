// run<G>(): a whole bridge daemon from main(): configuration, logging, database, component,
// the gateway G with its sessions, and the built-in commands (ad-hoc and chat).
//   int main(int argc, char** argv) { return legate::run<MyGateway>(argc, argv, "my-bridge",
//   "1.0"); }
#pragma once

#include <string_view>

#include "../gateway/base_gateway.hpp"

namespace legate {

// Runs `gateway` with the built-in commands and its own (commands()) until SIGINT/SIGTERM;
// returns the process exit code (0 on a clean stop, 2 for a configuration error, 1 for a
// fatal error).
int run_bridge(BaseGateway& gateway, int argc, char** argv, std::string_view program,
               std::string_view version);

template <class Gateway>
int run(int argc, char** argv, std::string_view program, std::string_view version) {
  Gateway gateway;
  return run_bridge(gateway, argc, argv, program, version);
}

}  // namespace legate
