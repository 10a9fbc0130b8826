// run_bridge(): the daemon of gateway/run.hpp with this layer's commands installed.
#include "commands/run.hpp"

#include <memory>

#include "commands/commands.hpp"
#include "gateway/run.hpp"

namespace legate {

int run_bridge(BaseGateway& gateway, int argc, char** argv, std::string_view program,
               std::string_view version) {
  std::unique_ptr<Commands> commands;
  return run_gateway(gateway, argc, argv, program, version, [&] {
    commands = std::make_unique<Commands>(gateway);  // with the bridge's commands()
  });
}

}  // namespace legate
