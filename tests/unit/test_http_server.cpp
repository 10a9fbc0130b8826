// HttpServer over loopback: GET answers from the handler, 405 for other methods, 400 for
// an oversized request, a silent client cut off by the read timeout, keep-alive, refused
// listen addresses.
#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

#include "gateway/http_server.hpp"

using legate::HttpResponse;
using legate::HttpServer;
using legate::HttpServerOptions;
using tcp = boost::asio::ip::tcp;

namespace {

// A server on a free loopback port, run on its own io thread for the blocking clients here.
struct Running {
  boost::asio::io_context io;
  HttpServer server;
  std::thread thread;

  explicit Running(HttpServerOptions options = {})
      : server(
            io.get_executor(),
            [](std::string_view path) -> HttpResponse {
              if (path == "/hello") return {200, "text/plain", "hi\n"};
              return {404, "text/plain", "not found\n"};
            },
            options) {
    server.listen("127.0.0.1:0");
    thread = std::thread([this] { io.run(); });
  }
  ~Running() {
    boost::asio::post(io, [this] { server.stop(); });
    thread.join();
  }
};

// Sends `request` on a new connection and reads until the server closes it.
std::string exchange(std::uint16_t port, const std::string& request) {
  boost::asio::io_context io;
  tcp::socket socket(io);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  boost::asio::write(socket, boost::asio::buffer(request));
  std::string reply;
  boost::system::error_code ec;
  boost::asio::read(socket, boost::asio::dynamic_buffer(reply), ec);
  return reply;
}

}  // namespace

TEST_CASE("http server: GET answers from the handler, other paths 404, other methods 405") {
  Running r;
  const std::uint16_t port = r.server.port();
  REQUIRE(port != 0);
  std::string reply =
      exchange(port, "GET /hello?x=1 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  CHECK(reply.starts_with("HTTP/1.1 200 OK\r\n"));
  CHECK(reply.find("Content-Type: text/plain\r\n") != std::string::npos);
  CHECK(reply.ends_with("\r\n\r\nhi\n"));
  reply = exchange(port, "GET /nope HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  CHECK(reply.starts_with("HTTP/1.1 404 "));
  reply = exchange(port,
                   "POST /hello HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n"
                   "Connection: close\r\n\r\n");
  CHECK(reply.starts_with("HTTP/1.1 405 "));
  CHECK(reply.find("Allow: GET\r\n") != std::string::npos);
}

TEST_CASE("http server: keep-alive serves several requests on one connection") {
  Running r;
  const std::string reply = exchange(r.server.port(),
                                     "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n"
                                     "GET /hello HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  std::size_t answers = 0;
  for (auto at = reply.find("HTTP/1.1 200"); at != std::string::npos;
       at = reply.find("HTTP/1.1 200", at + 1))
    ++answers;
  CHECK(answers == 2);
}

TEST_CASE("http server: oversized and malformed requests get 400 and the connection closes") {
  HttpServerOptions options;
  options.max_request_bytes = 512;
  Running r(options);
  std::string reply =
      exchange(r.server.port(),
               "GET /hello HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n");
  CHECK(reply.starts_with("HTTP/1.1 400 "));
  reply = exchange(r.server.port(), "NOT HTTP AT ALL\r\n\r\n");
  CHECK(reply.starts_with("HTTP/1.1 400 "));
}

TEST_CASE("http server: a client that sends nothing is cut off by the read timeout") {
  HttpServerOptions options;
  options.read_timeout = std::chrono::milliseconds(200);
  Running r(options);
  const auto start = std::chrono::steady_clock::now();
  const std::string reply = exchange(r.server.port(), "GET /hel");
  CHECK(reply.empty());
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}

TEST_CASE("http server: malformed listen addresses are refused") {
  boost::asio::io_context io;
  HttpServer server(io.get_executor(), [](std::string_view) { return HttpResponse{}; });
  CHECK_THROWS_AS(server.listen("127.0.0.1"), std::invalid_argument);
  CHECK_THROWS_AS(server.listen("127.0.0.1:http"), std::invalid_argument);
  CHECK_THROWS_AS(server.listen("127.0.0.1:70000"), std::invalid_argument);
  CHECK_THROWS_AS(server.listen("::1:80"), std::invalid_argument);
  CHECK_THROWS_AS(server.listen("203.0.113.1:0"), std::runtime_error);  // not ours to bind
}
