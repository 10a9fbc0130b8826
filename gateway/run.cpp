// The daemon around a gateway.
#include "gateway/run.hpp"

#include "gateway/gateway_runtime.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <sstream>

#include "component/component.hpp"
#include "gateway/http_server.hpp"
#include "gateway/systemd_notify.hpp"
#include "storage/database.hpp"

namespace legate {
namespace {

// Standard error (colours only on a terminal: spdlog's colour sink checks isatty), or the
// log.file, appended to.
void setup_logging(const std::string& level, const std::string& file) {
  auto logger = file.empty() ? spdlog::stderr_color_mt("legate")
                             : spdlog::basic_logger_mt("legate", file, /*truncate=*/false);
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
  spdlog::set_default_logger(logger);
  spdlog::set_level(spdlog::level::from_str(level));
  if (!file.empty()) spdlog::flush_every(std::chrono::seconds(1));
}

// SIGHUP: reads the configuration again (same command line, file and environment) and
// applies its log.level; a bad file keeps the old level.
void reload_log_level(BaseGateway& gateway, int argc, char** argv, std::string_view program,
                      std::string_view version) {
  auto loaded = load_config(argc, argv, program, version, gateway.declared_settings());
  if (auto* exit = std::get_if<ConfigExit>(&loaded)) {
    std::string message = exit->message;
    while (!message.empty() && message.back() == '\n') message.pop_back();
    spdlog::error("SIGHUP: configuration not reloaded, log level stays {}: {}",
                  spdlog::level::to_string_view(spdlog::get_level()), message);
    return;
  }
  const auto& level = std::get<Config>(loaded).log.level;
  const auto parsed = spdlog::level::from_str(level);
  spdlog::set_level(parsed);
  // Said at info, or at the new level if that is higher, so that it is seen.
  const auto said = std::max(parsed, spdlog::level::info);
  if (said != spdlog::level::off) spdlog::log(said, "log level now {}", level);
  spdlog::default_logger()->flush();
}

std::vector<Jid> parse_jid_list(const std::string& text) {
  std::vector<Jid> jids;
  std::string item;
  std::istringstream in(text);
  while (std::getline(in, item, ',')) {
    std::istringstream words(item);
    for (std::string word; words >> word;) jids.push_back(Jid(word).bare());
  }
  return jids;
}

}  // namespace

int run_gateway(BaseGateway& gateway, int argc, char** argv, std::string_view program,
                std::string_view version, const std::function<void()>& attached) {
  auto loaded = load_config(argc, argv, program, version, gateway.declared_settings());
  if (auto* exit = std::get_if<ConfigExit>(&loaded)) {
    (exit->code == 0 ? std::cout : std::cerr) << exit->message;
    return exit->code;
  }
  const auto& config = std::get<Config>(loaded);
  if (!config.check_only) {
    try {
      setup_logging(config.log.level, config.log.file);
    } catch (const std::exception& e) {  // e.g. the log file cannot be opened
      std::cerr << program << ": configuration error: log.file: " << e.what() << "\n";
      return 2;
    }
  }

  ConnectionOptions options;
  options.jid = config.component.jid;
  options.secret = config.component.secret;
  options.host = config.component.host;
  options.port = config.component.port;
  options.limits.max_stanza_bytes = config.component.max_stanza_kib * 1024;
  options.limits.max_depth = config.component.max_stanza_depth;
  options.limits.max_attributes = config.component.max_attributes;
  options.limits.max_attribute_bytes = config.component.max_attribute_kib * 1024;
  options.limits.max_stream_bytes = config.component.max_stream_mib * 1024 * 1024;

  // The io_context outlives its I/O objects (timers, sockets): they unregister from its
  // services when destroyed. Coroutine frames left at exit are only destroyed, not resumed.
  boost::asio::io_context io(1);
  SystemdNotifier systemd(io.get_executor());  // before the component: its callbacks use it
  std::optional<Component> component;
  std::optional<Database> database;
  std::optional<HttpServer> http;
  // Destroyed first: the gateway lets go of the component and the database before they go.
  struct Detach {
    BaseGateway& gateway;
    ~Detach() { GatewayRuntime(gateway).detach(); }
  } detach{gateway};
  try {
    component.emplace(io.get_executor(), options);
    GatewaySettings settings;
    settings.admins = parse_jid_list(config.gateway.admins);
    settings.allowed_jids = config.gateway.allowed_jids;
    settings.upload_service = config.gateway.upload_service;
    settings.max_file_bytes = std::uint64_t{config.gateway.max_file_mib} * 1024 * 1024;
    settings.file_timeout = std::chrono::seconds(config.gateway.file_timeout_s);
    settings.message_ids_days = static_cast<unsigned>(config.storage.message_ids_days);
    settings.carbons_fallback = config.gateway.carbons_fallback == "prefix";
    settings.archive_days = static_cast<unsigned>(config.groups.archive_days);
    settings.archive_max_per_room = config.groups.archive_max_per_room;
    settings.backfill_timeout = std::chrono::seconds(config.groups.backfill_timeout_s);
    settings.bridge = config.bridge;
    if (config.check_only) {  // --check-config: valid, and nothing opened or connected
      std::cout << "configuration OK\n";
      return 0;
    }
    const std::string path = config.storage.path.empty()
                                 ? default_database_path(component->jid().str())
                                 : config.storage.path;
    database.emplace(path);
    spdlog::info("database {}", path);
    component->set_version({std::string(program), std::string(version), {}});
    GatewayRuntime(gateway).attach(*component, *database, std::move(settings));
    if (attached) attached();
    component->on_connected(
        [&systemd, &options] { systemd.connected(options.host, options.port); });
    component->on_disconnected([&systemd] { systemd.disconnected(); });
    if (!config.http.listen.empty()) {  // [http] listen, or LEGATE_HTTP_LISTEN
      http.emplace(io.get_executor(), status_handler(*component));
      http->listen(config.http.listen);
    }
  } catch (const std::exception& e) {
    std::cerr << program << ": configuration error: " << e.what() << "\n";
    return 2;
  }

  int exit_code = 0;
  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("signal {} received, shutting down", signal);
    systemd.stopping();
    // Sessions log out (bounded in time), then the stream closes.
    auto graceful = [&]() -> boost::asio::awaitable<void> {
      using namespace boost::asio::experimental::awaitable_operators;
      boost::asio::steady_timer limit(io, std::chrono::seconds(10));
      co_await (GatewayRuntime(gateway).shutdown() || limit.async_wait(boost::asio::use_awaitable));
      component->stop();
    };
    boost::asio::co_spawn(io, graceful, boost::asio::detached);
  });
  // SIGHUP waits again after each reload, until the component stops.
  boost::asio::signal_set hangup(io, SIGHUP);
  std::function<void()> wait_hangup = [&] {
    hangup.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      spdlog::info("SIGHUP received, reloading the log level");
      reload_log_level(gateway, argc, argv, program, version);
      wait_hangup();
    });
  };
  wait_hangup();
  systemd.start_watchdog();
  boost::asio::co_spawn(io, component->run(), [&](std::exception_ptr failure) {
    signals.cancel();
    hangup.cancel();
    GatewayRuntime(gateway).cancel_background_work();
    systemd.stop_watchdog();
    if (http) http->stop();
    if (!failure) return;
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      spdlog::critical("component stopped: {}", e.what());
      exit_code = 1;
    }
  });
  io.run();
  return exit_code;
}

}  // namespace legate
