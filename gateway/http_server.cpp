// HttpServer with Boost.Beast: an accept loop and one coroutine per connection (bounded
// in number), each reading bounded requests under a timeout; plus the /health and
// /metrics handler of a component.
#include "gateway/http_server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <set>
#include <stdexcept>

#include "component/component.hpp"
#include "component/task_group.hpp"

namespace legate {

namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {

struct Address {
  std::string host;
  std::string port;
};

// "host:port", "[v6]:port" or ":port" (all IPv4 interfaces).
Address parse_address(std::string_view text) {
  const auto bad = [&](std::string_view why) {
    return std::invalid_argument("HTTP listen address '" + std::string(text) +
                                 "': " + std::string(why) + " (expected host:port)");
  };
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) throw bad("no port");
  std::string_view host = text.substr(0, colon);
  const std::string_view port = text.substr(colon + 1);
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535)
    throw bad("bad port");
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    throw bad("an IPv6 address needs brackets");
  }
  return {host.empty() ? "0.0.0.0" : std::string(host), std::string(port)};
}

}  // namespace

struct HttpServer::Impl {
  Impl(asio::any_io_executor ex, Handler h, HttpServerOptions o)
      : executor(ex), acceptor(ex), handler(std::move(h)), opt(o), tasks(ex) {}

  asio::any_io_executor executor;
  tcp::acceptor acceptor;
  Handler handler;
  HttpServerOptions opt;
  std::set<beast::tcp_stream*> live;
  bool stopped = false;
  TaskGroup tasks;  // the accept loop and one task per connection; stop() cancels them

  HttpResponse respond(const http::request<http::string_body>& request) {
    if (request.method() != http::verb::get) return {405, "text/plain", "method not allowed\n"};
    std::string_view path = request.target();
    path = path.substr(0, path.find('?'));
    try {
      return handler(path);
    } catch (const std::exception& e) {
      spdlog::error("HTTP: GET {} failed: {}", path, e.what());
      return {500, "text/plain", "internal error\n"};
    }
  }

  static asio::awaitable<void> serve(std::shared_ptr<Impl> self, tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    struct Live {
      Impl& impl;
      beast::tcp_stream* stream;
      ~Live() { impl.live.erase(stream); }
    } live{*self, &stream};
    self->live.insert(&stream);
    beast::flat_buffer buffer(self->opt.max_request_bytes);
    while (!self->stopped) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(self->opt.max_request_bytes));
      parser.body_limit(self->opt.max_request_bytes);
      stream.expires_after(self->opt.read_timeout);
      auto [ec, n] =
          co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
      if (ec) {
        // A malformed or oversized request gets a 400; a timeout or a close just ends.
        if (ec.category() == http::make_error_code(http::error::bad_version).category() &&
            ec != http::error::end_of_stream && !self->stopped) {
          http::response<http::string_body> bad{http::status::bad_request, 11};
          bad.set(http::field::content_type, "text/plain");
          bad.set(http::field::connection, "close");
          bad.body() = "bad request\n";
          bad.prepare_payload();
          stream.expires_after(self->opt.read_timeout);
          co_await http::async_write(stream, bad, asio::as_tuple(asio::use_awaitable));
        }
        break;
      }
      const auto& request = parser.get();
      HttpResponse answer = self->respond(request);
      http::response<http::string_body> response{static_cast<http::status>(answer.status),
                                                 request.version()};
      response.set(http::field::server, "legate");
      response.set(http::field::content_type, answer.content_type);
      response.set(http::field::cache_control, "no-store");
      if (answer.status == 405) response.set(http::field::allow, "GET");
      response.body() = std::move(answer.body);
      response.keep_alive(request.keep_alive() && !self->stopped);
      response.prepare_payload();
      stream.expires_after(self->opt.read_timeout);
      auto [write_error, written] =
          co_await http::async_write(stream, response, asio::as_tuple(asio::use_awaitable));
      if (write_error || !response.keep_alive()) break;
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.socket().close(ignored);
  }

  static asio::awaitable<void> accept_loop(std::shared_ptr<Impl> self) {
    asio::steady_timer pause(self->executor);
    while (!self->stopped) {
      auto [ec, socket] = co_await self->acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
      if (self->stopped) break;
      if (ec) {
        // E.g. out of file descriptors: try again shortly instead of spinning.
        spdlog::warn("HTTP: accept failed: {}", ec.message());
        pause.expires_after(std::chrono::milliseconds(200));
        co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
        continue;
      }
      if (self->live.size() >= self->opt.max_connections) {
        boost::system::error_code ignored;
        socket.close(ignored);
        continue;
      }
      self->tasks.spawn(serve(self, std::move(socket)), "HTTP connection");
    }
  }
};

HttpServer::HttpServer(asio::any_io_executor executor, Handler handler, HttpServerOptions options)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(handler), options)) {}

HttpServer::~HttpServer() {
  stop();
}

void HttpServer::listen(std::string_view address) {
  const Address where = parse_address(address);
  try {
    tcp::resolver resolver(impl_->executor);
    auto results = resolver.resolve(where.host, where.port,
                                    tcp::resolver::passive | tcp::resolver::numeric_service);
    if (results.empty()) throw std::runtime_error("no address for " + where.host);
    const tcp::endpoint endpoint = results.begin()->endpoint();
    impl_->acceptor.open(endpoint.protocol());
    impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
    impl_->acceptor.bind(endpoint);
    impl_->acceptor.listen(asio::socket_base::max_listen_connections);
  } catch (const std::exception& e) {
    boost::system::error_code ignored;
    impl_->acceptor.close(ignored);
    throw std::runtime_error("cannot listen for HTTP on " + std::string(address) + ": " + e.what());
  }
  spdlog::info("HTTP: listening on {} port {} (/health, /metrics)", address, port());
  impl_->stopped = false;
  impl_->tasks.spawn(Impl::accept_loop(impl_), "HTTP accept loop");
}

std::uint16_t HttpServer::port() const {
  boost::system::error_code ec;
  const auto endpoint = impl_->acceptor.local_endpoint(ec);
  return ec ? 0 : endpoint.port();
}

void HttpServer::stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->tasks.cancel_all();
  boost::system::error_code ignored;
  impl_->acceptor.close(ignored);
  for (beast::tcp_stream* stream : impl_->live) stream->socket().close(ignored);
}

HttpServer::Handler status_handler(Component& component) {
  return [&component](std::string_view path) -> HttpResponse {
    if (path == "/health") {
      if (component.connection().is_up()) return {200, "text/plain", "ok\n"};
      return {503, "text/plain", "component stream down\n"};
    }
    if (path == "/metrics")
      return {200, "text/plain; version=0.0.4; charset=utf-8", component.metrics().exposition()};
    return {404, "text/plain", "not found\n"};
  };
}

}  // namespace legate
