// Internal to the HTTP client: one connection (TCP, or TLS over it) to the host of a URL,
// with a watchdog that closes it when the request's deadline passes.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "../component/asio.hpp"

namespace legate::http_detail {

struct Target {
  bool tls = false;
  std::string host;       // for DNS, SNI and the certificate check: no brackets, decoded
  std::string port;       // service for the resolver
  std::string authority;  // the Host header: host[:port] as written in the URL
  std::string resource;   // path and query
  bool host_is_name = false;
};

// Throws std::invalid_argument for anything but an http(s) URL with a host.
Target parse_target(std::string_view url);

// Everything the watchdog may touch. The request's coroutine owns it; the watchdog holds a
// weak_ptr, so a late timer handler never reaches a destroyed connection.
struct Connection {
  explicit Connection(const asio::any_io_executor& executor)
      : resolver(executor), socket(executor), timer(executor) {}
  ~Connection() { timer.cancel(); }
  asio::ip::tcp::resolver resolver;
  asio::ip::tcp::socket socket;
  std::optional<asio::ssl::stream<asio::ip::tcp::socket&>> tls;
  asio::steady_timer timer;
  bool timed_out = false;

  // Calls f(stream) with the TLS stream or the plain socket.
  template <class F>
  auto on_stream(F&& f) {
    return tls ? f(*tls) : f(socket);
  }
  void close();
};

// Resolves, connects and (for https) handshakes, with the deadline `timeout` from now
// covering this and everything done on the connection afterwards.
asio::awaitable<void> connect(std::shared_ptr<Connection> connection, const Target& target,
                              std::chrono::seconds timeout);

// A system_error from a connection as the runtime_error callers see ("what" names the
// request and says "timed out" when the watchdog fired).
[[noreturn]] void fail(const Connection& connection, std::string_view what,
                       std::chrono::seconds timeout, const std::exception& e);

}  // namespace legate::http_detail
