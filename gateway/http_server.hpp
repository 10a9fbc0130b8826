// HttpServer: a small HTTP/1.1 listener on the io_context for operations — /health and
// Prometheus /metrics. GET only, bounded requests, a read timeout, a few connections at a
// time. Boost.Beast stays in http_server.cpp: this header is cheap to include.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "../component/asio.hpp"

namespace legate {

class Component;

struct HttpResponse {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

struct HttpServerOptions {
  std::chrono::milliseconds read_timeout{std::chrono::seconds(10)};
  std::size_t max_request_bytes = 8 * 1024;  // request line, headers and body together
  std::size_t max_connections = 8;           // more are closed at once
};

class HttpServer {
 public:
  // Called for each GET with the path (query removed); runs on the io thread.
  using Handler = std::function<HttpResponse(std::string_view path)>;

  HttpServer(asio::any_io_executor executor, Handler handler, HttpServerOptions options = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds to "host:port" ("[v6]:port"; port 0 picks a free one) and starts accepting.
  // Throws std::invalid_argument for a malformed address, std::runtime_error when it
  // cannot be bound.
  void listen(std::string_view address);
  // The bound port (after listen()).
  std::uint16_t port() const;
  // Stops accepting and closes open connections.
  void stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;  // shared with the running coroutines
};

// /health: 200 "ok" while the component stream is up, else 503. /metrics: the component's
// metrics in the Prometheus text format. Anything else: 404.
HttpServer::Handler status_handler(Component& component);

}  // namespace legate
