// legate-echo: the reference bridge. At this stage it is the bare component: it connects
// to the server and answers disco, ping and version for its JID.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <iostream>

#include "component/component.hpp"
#include "config/config.hpp"

namespace {

constexpr std::string_view kProgram = "legate-echo";
constexpr std::string_view kVersion = "0.1.0";

void setup_logging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("legate");
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(level));
}

}  // namespace

int main(int argc, char** argv) {
  auto loaded = legate::load_config(argc, argv, kProgram, kVersion);
  if (auto* exit = std::get_if<legate::ConfigExit>(&loaded)) {
    (exit->code == 0 ? std::cout : std::cerr) << exit->message;
    return exit->code;
  }
  const auto& config = std::get<legate::Config>(loaded);
  setup_logging(config.log.level);

  legate::ConnectionOptions options;
  options.jid = config.component.jid;
  options.secret = config.component.secret;
  options.host = config.component.host;
  options.port = config.component.port;

  boost::asio::io_context io(1);
  std::optional<legate::Component> component;
  try {
    component.emplace(io.get_executor(), options);
  } catch (const std::exception& e) {
    std::cerr << kProgram << ": configuration error: " << e.what() << "\n";
    return 2;
  }
  component->disco().add_identity({"gateway", "echo", "Legate Echo"});
  component->set_version({std::string(kProgram), std::string(kVersion), {}});

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("signal {} received, shutting down", signal);
    component->stop();
  });
  boost::asio::co_spawn(io, component->run(), [&](std::exception_ptr failure) {
    signals.cancel();
    if (failure) {
      try {
        std::rethrow_exception(failure);
      } catch (const std::exception& e) {
        spdlog::critical("component stopped: {}", e.what());
      }
    }
  });
  io.run();
  return 0;
}
