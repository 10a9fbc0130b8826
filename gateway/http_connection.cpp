// One HTTP connection with its deadline (see http_connection.hpp).
#include "gateway/http_connection.hpp"

#include <openssl/ssl.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/url/parse.hpp>
#include <stdexcept>

#include "gateway/http_client.hpp"

namespace legate::http_detail {
namespace ssl = asio::ssl;
using asio::ip::tcp;

namespace {

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

}  // namespace

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

void Connection::close() {
  boost::system::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

asio::awaitable<void> connect(std::shared_ptr<Connection> state, const Target& target,
                              std::chrono::seconds timeout) {
  state->timer.expires_after(timeout);
  state->timer.async_wait([weak = std::weak_ptr<Connection>(state)](boost::system::error_code ec) {
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
  if (target.tls) {
    auto& tls = state->tls.emplace(state->socket, tls_context());
    if (target.host_is_name && !SSL_set_tlsext_host_name(tls.native_handle(), target.host.c_str()))
      throw std::runtime_error("cannot set the TLS server name");
    tls.set_verify_callback(ssl::host_name_verification(target.host));
    co_await tls.async_handshake(ssl::stream_base::client, asio::use_awaitable);
  }
}

void fail(const Connection& connection, std::string_view what, std::chrono::seconds timeout,
          const std::exception& e) {
  if (connection.timed_out)
    throw std::runtime_error(std::string(what) + ": no complete response within " +
                             std::to_string(timeout.count()) + " s");
  if (auto* system = dynamic_cast<const boost::system::system_error*>(&e))
    throw std::runtime_error(std::string(what) + ": " + system->code().message());
  throw std::runtime_error(std::string(what) + ": " + e.what());
}

}  // namespace legate::http_detail
