// legate-echo: the reference bridge, a toy legacy network whose contacts echo.
#include <legate/commands/run.hpp>
#include "echo_gateway.hpp"

int main(int argc, char** argv) {
  return legate::run<echo::EchoGateway>(argc, argv, "legate-echo", "0.1.0");
}
