// run<G>(): the whole daemon for a bridge in one call from main(): configuration, logging,
// database, component connection, the gateway, signals.
#pragma once

#include <memory>
#include <string_view>

#include "gateway/base_gateway.hpp"

namespace legate {

// Runs `gateway` until SIGINT/SIGTERM; returns the process exit code
// (0 on a clean stop, 2 for a configuration error, 1 for a fatal error).
int run_gateway(BaseGateway& gateway, int argc, char** argv, std::string_view program,
                std::string_view version);

template <class Gateway>
int run(int argc, char** argv, std::string_view program, std::string_view version) {
  Gateway gateway;
  return run_gateway(gateway, argc, argv, program, version);
}

}  // namespace legate
