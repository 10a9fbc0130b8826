// SystemdNotifier: sd_notify(3) messages for a Type=notify unit, and the watchdog pings.
#include "gateway/systemd_notify.hpp"

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include <cstdint>

namespace legate {

bool systemd_notify(const std::string& state) {
  const int result = sd_notify(0, state.c_str());
  if (result < 0) spdlog::warn("sd_notify failed: error {}", -result);
  return result > 0;
}

SystemdNotifier::SystemdNotifier(asio::any_io_executor executor) : timer_(executor) {
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) interval_ = std::chrono::microseconds(usec);
}

void SystemdNotifier::connected(const std::string& host, std::uint16_t port) {
  const std::string status = "STATUS=connected to " + host + ":" + std::to_string(port);
  if (!ready_) {
    ready_ = true;
    systemd_notify("READY=1\n" + status);
  } else {
    systemd_notify(status);
  }
}

void SystemdNotifier::disconnected() {
  systemd_notify("STATUS=disconnected, reconnecting");
}

void SystemdNotifier::stopping() {
  stop_watchdog();
  systemd_notify("STOPPING=1\nSTATUS=shutting down");
}

void SystemdNotifier::start_watchdog() {
  if (interval_.count() == 0 || pinging_) return;
  pinging_ = true;
  spdlog::info("systemd watchdog: pinging every {} ms", interval_.count() / 2000);
  systemd_notify("WATCHDOG=1");
  schedule_ping();
}

void SystemdNotifier::stop_watchdog() {
  pinging_ = false;
  timer_.cancel();
}

void SystemdNotifier::schedule_ping() {
  timer_.expires_after(interval_ / 2);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || !pinging_) return;
    systemd_notify("WATCHDOG=1");
    schedule_ping();
  });
}

}  // namespace legate
