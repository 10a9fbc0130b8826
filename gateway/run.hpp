// run<G>(): the whole daemon for a bridge in one call from main(): configuration, logging,
// database, component connection, the gateway, signals.
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "base_gateway.hpp"

namespace legate {

// Runs `gateway` until SIGINT/SIGTERM; returns the process exit code
// (0 on a clean stop, 2 for a configuration error, 1 for a fatal error). `attached` runs
// once the gateway is wired to its component (the layers above install themselves).
// Bridges call legate::run<G>() from commands/run.hpp instead.
int run_gateway(BaseGateway& gateway, int argc, char** argv, std::string_view program,
                std::string_view version, const std::function<void()>& attached = {});

}  // namespace legate
