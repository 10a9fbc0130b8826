// SystemdNotifier: tells systemd (Type=notify) how the daemon is doing through
// libsystemd's sd_notify — READY=1 after the first handshake, STATUS= lines on every
// (re)connect and disconnect, STOPPING=1 at shutdown, and WATCHDOG=1 pings at half the
// unit's WatchdogSec while the io loop runs. Without NOTIFY_SOCKET every call is a no-op.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include <boost/asio/steady_timer.hpp>

#include "../component/asio.hpp"

namespace legate {

class SystemdNotifier {
 public:
  explicit SystemdNotifier(asio::any_io_executor executor);
  SystemdNotifier(const SystemdNotifier&) = delete;
  SystemdNotifier& operator=(const SystemdNotifier&) = delete;

  // After a successful handshake: READY=1 the first time, then a STATUS= line.
  void connected(const std::string& host, std::uint16_t port);
  // The component stream was lost; the connection retries by itself.
  void disconnected();
  // Graceful shutdown began: STOPPING=1. Also stops the watchdog pings.
  void stopping();
  // Starts the WATCHDOG=1 pings if systemd asked for them (WATCHDOG_USEC); else nothing.
  void start_watchdog();
  // Cancels the pings, so that the io loop can finish.
  void stop_watchdog();
  // The watchdog interval systemd asked for, zero if none.
  std::chrono::microseconds watchdog_interval() const { return interval_; }

 private:
  void schedule_ping();

  asio::steady_timer timer_;
  std::chrono::microseconds interval_{0};
  bool ready_ = false;
  bool pinging_ = false;
};

// Sends one notification (e.g. "READY=1\nSTATUS=…"); false if not delivered (no
// NOTIFY_SOCKET, or an error).
bool systemd_notify(const std::string& state);

}  // namespace legate
