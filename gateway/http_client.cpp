// http_put with Boost.Beast over plain TCP or OpenSSL, one connection per request.
#include "gateway/http_client.hpp"

#include <openssl/ssl.h>
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <memory>
#include <optional>
#include <stdexcept>

namespace legate {

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using asio::ip::tcp;

constexpr std::uint64_t kResponseBodyLimit = 1024 * 1024;

struct Target {
  bool tls = false;
  std::string host;       // for DNS, SNI and the certificate check: no brackets, decoded
  std::string port;       // service for the resolver
  std::string authority;  // the Host header: host[:port] as written in the URL
  std::string resource;   // path and query
  bool host_is_name = false;
};

Target parse_target(std::string_view url) {
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) throw std::invalid_argument("HTTP: not a URL: " + redact_url(url));
  const auto& u = *parsed;
  Target t;
  if (u.scheme_id() == boost::urls::scheme::https)
    t.tls = true;
  else if (u.scheme_id() != boost::urls::scheme::http)
    throw std::invalid_argument("HTTP: only http and https URLs are supported: " + redact_url(url));
  if (u.host_type() == boost::urls::host_type::none || u.encoded_host().empty())
    throw std::invalid_argument("HTTP: URL without a host: " + redact_url(url));
  if (u.host_type() == boost::urls::host_type::ipvfuture)
    throw std::invalid_argument("HTTP: unsupported host address: " + redact_url(url));
  if (u.has_userinfo())
    throw std::invalid_argument("HTTP: credentials in the URL are not supported");
  t.host = u.host_address();
  t.host_is_name = u.host_type() == boost::urls::host_type::name;
  t.port = u.has_port() ? std::string(u.port()) : (t.tls ? "443" : "80");
  t.authority = u.encoded_host_and_port();
  t.resource = u.encoded_path().empty() ? "/" : std::string(u.encoded_path());
  if (u.has_query()) {
    t.resource += '?';
    t.resource += u.encoded_query();
  }
  return t;
}

// One client context for the process: loading the system CA store is not free. OpenSSL
// reads SSL_CERT_FILE / SSL_CERT_DIR here, once, which tests use to trust a private CA.
ssl::context& tls_context() {
  static ssl::context context = [] {
    ssl::context c(ssl::context::tls_client);
    c.set_default_verify_paths();
    c.set_verify_mode(ssl::verify_peer);
    SSL_CTX_set_min_proto_version(c.native_handle(), TLS1_2_VERSION);
    return c;
  }();
  return context;
}

// Everything the timeout watchdog may touch. The coroutine owns it; the watchdog holds a
// weak_ptr, so a late timer handler never reaches a destroyed frame.
struct Exchange {
  explicit Exchange(const asio::any_io_executor& executor)
      : resolver(executor), socket(executor), timer(executor) {}
  tcp::resolver resolver;
  tcp::socket socket;
  std::optional<ssl::stream<tcp::socket&>> tls;
  asio::steady_timer timer;
  bool timed_out = false;
};

// Sends the request and reads the response. When the server answers (e.g. 413) and closes
// before it has read the whole body, the write fails; the response may still be readable,
// and its status says more than "broken pipe".
template <class Stream>
asio::awaitable<unsigned> exchange(Stream& stream,
                                   http::request<http::span_body<const char>>& request) {
  auto [write_error, written] =
      co_await http::async_write(stream, request, asio::as_tuple(asio::use_awaitable));
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kResponseBodyLimit);
  auto [read_error, read] =
      co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
  // A status line is an answer even if the body after it was cut short.
  if (read_error && !parser.is_header_done())
    throw boost::system::system_error(write_error ? write_error : read_error);
  const auto& response = parser.get();
  if (response.result_int() >= 300)
    spdlog::debug("HTTP PUT answered {}: {}", response.result_int(),
                  std::string_view(response.body()).substr(0, 200));
  co_return response.result_int();
}

}  // namespace

std::string redact_url(std::string_view url) {
  auto parsed = boost::urls::parse_uri_reference(url);
  if (!parsed) return std::string(url.substr(0, url.find_first_of("?#")));
  std::string out;
  if (parsed->has_scheme()) {
    out += parsed->scheme();
    out += ':';
  }
  if (parsed->has_authority()) {
    out += "//";
    out += parsed->encoded_host_and_port();  // userinfo dropped too
  }
  out += parsed->encoded_path();
  return out;
}

asio::awaitable<unsigned> http_put(asio::any_io_executor executor, std::string_view url,
                                   const HttpHeaders& headers, std::string_view content_type,
                                   std::string_view body, std::chrono::seconds timeout) {
  const Target target = parse_target(url);

  http::request<http::span_body<const char>> request{http::verb::put, target.resource, 11};
  request.set(http::field::host, target.authority);
  request.set(http::field::user_agent, "legate");
  if (!content_type.empty()) request.set(http::field::content_type, content_type);
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = {body.data(), body.size()};
  request.content_length(body.size());
  request.keep_alive(false);

  auto state = std::make_shared<Exchange>(executor);
  state->timer.expires_after(timeout);
  state->timer.async_wait([weak = std::weak_ptr<Exchange>(state)](boost::system::error_code ec) {
    auto s = weak.lock();
    if (ec || !s) return;
    // Closing the socket fails whatever read, write or handshake is in flight. A resolve
    // already running in the resolver's thread finishes first (getaddrinfo cannot be
    // interrupted), bounded by the system resolver's own timeout.
    s->timed_out = true;
    s->resolver.cancel();
    boost::system::error_code ignored;
    s->socket.close(ignored);
  });
  struct CancelTimer {
    Exchange& e;
    ~CancelTimer() { e.timer.cancel(); }
  } cancel_timer{*state};

  const std::string where = target.authority;
  try {
    auto endpoints =
        co_await state->resolver.async_resolve(target.host, target.port, asio::use_awaitable);
    // The condition stops the walk over the endpoints once the deadline has passed (connect
    // reopens the socket the watchdog closed).
    co_await asio::async_connect(
        state->socket, endpoints,
        [&state](const boost::system::error_code&, const tcp::endpoint&) {
          return !state->timed_out;
        },
        asio::use_awaitable);
    if (state->timed_out) throw boost::system::system_error(asio::error::timed_out);
    unsigned status = 0;
    if (target.tls) {
      auto& tls = state->tls.emplace(state->socket, tls_context());
      if (target.host_is_name &&
          !SSL_set_tlsext_host_name(tls.native_handle(), target.host.c_str()))
        throw std::runtime_error("HTTP PUT " + where + ": cannot set the TLS server name");
      tls.set_verify_callback(ssl::host_name_verification(target.host));
      co_await tls.async_handshake(ssl::stream_base::client, asio::use_awaitable);
      status = co_await exchange(tls, request);
      // No TLS close_notify exchange: the request carried Connection: close and a response
      // was read in full, so waiting for the peer's close_notify would only add latency.
    } else {
      status = co_await exchange(state->socket, request);
    }
    boost::system::error_code ignored;
    state->socket.shutdown(tcp::socket::shutdown_both, ignored);
    state->socket.close(ignored);
    co_return status;
  } catch (const boost::system::system_error& e) {
    if (state->timed_out)
      throw std::runtime_error("HTTP PUT " + where + ": no complete response within " +
                               std::to_string(timeout.count()) + " s");
    throw std::runtime_error("HTTP PUT " + where + ": " + e.code().message());
  }
}

}  // namespace legate
