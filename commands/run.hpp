// run<G>(): a whole bridge daemon from main(): configuration, logging, database, component,
// the gateway G with its sessions, and the built-in commands (ad-hoc and chat).
#pragma once

#include <memory>
#include <string_view>

#include "commands/commands.hpp"
#include "gateway/run.hpp"

namespace legate {

template <class Gateway>
int run(int argc, char** argv, std::string_view program, std::string_view version) {
  Gateway gateway;
  std::unique_ptr<Commands> commands;
  return run_gateway(gateway, argc, argv, program, version, [&] {
    commands = std::make_unique<Commands>(gateway);  // with the bridge's commands()
  });
}

}  // namespace legate
