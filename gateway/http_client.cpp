// http_put, http_put_stream and HttpGet with Boost.Beast, one connection per request.
#include "gateway/http_client.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <stdexcept>

#include "gateway/http_connection.hpp"

namespace legate {

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using http_detail::Connection;
using http_detail::Target;

constexpr std::uint64_t kResponseBodyLimit = 1024 * 1024;
constexpr std::size_t kReadPiece = 64 * 1024;

// Reads the response to a request that was (perhaps only partly) written. When the server
// answers (e.g. 413) and closes before it has read the whole body, the write fails; the
// response may still be readable, and its status says more than "broken pipe".
template <class Stream>
asio::awaitable<unsigned> read_status(Stream& stream, boost::system::error_code write_error) {
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

template <class Body>
void prepare(http::request<Body>& request, const Target& target, const HttpHeaders& headers,
             std::string_view content_type, std::uint64_t size) {
  request.set(http::field::host, target.authority);
  request.set(http::field::user_agent, "legate");
  if (!content_type.empty()) request.set(http::field::content_type, content_type);
  for (const auto& [name, value] : headers) request.set(name, value);
  request.content_length(size);
  request.keep_alive(false);
}

// Writes the request with its body pulled from `source` piece by piece (Beast's buffer_body:
// each write returns need_buffer once the piece is out). Returns the first write error.
template <class Stream>
asio::awaitable<boost::system::error_code> write_streamed(Stream& stream,
                                                          http::request<http::buffer_body>& request,
                                                          std::uint64_t size,
                                                          const HttpBodySource& source) {
  http::request_serializer<http::buffer_body> serializer(request);
  auto [header_error, n] =
      co_await http::async_write_header(stream, serializer, asio::as_tuple(asio::use_awaitable));
  if (header_error) co_return header_error;
  std::uint64_t sent = 0;
  for (;;) {
    std::optional<std::string> piece = co_await source();
    if (piece && sent + piece->size() > size)
      throw std::runtime_error("the file is larger than its announced " + std::to_string(size) +
                               " bytes");
    if (!piece && sent != size)
      throw std::runtime_error("the file ended after " + std::to_string(sent) + " of " +
                               std::to_string(size) + " bytes");
    if (piece && piece->empty()) continue;
    request.body().data = piece ? piece->data() : nullptr;
    request.body().size = piece ? piece->size() : 0;
    request.body().more = piece.has_value();
    auto [error, written] =
        co_await http::async_write(stream, serializer, asio::as_tuple(asio::use_awaitable));
    if (error == http::error::need_buffer) error = {};
    if (error) co_return error;
    if (!piece) co_return boost::system::error_code{};
    sent += piece->size();
  }
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
  auto remaining = std::make_shared<std::string_view>(body);
  HttpBodySource source = [remaining]() -> asio::awaitable<std::optional<std::string>> {
    if (remaining->empty()) co_return std::nullopt;
    std::string piece(remaining->substr(0, kReadPiece));
    remaining->remove_prefix(piece.size());
    co_return piece;
  };
  co_return co_await http_put_stream(std::move(executor), url, headers, content_type, body.size(),
                                     std::move(source), timeout);
}

asio::awaitable<unsigned> http_put_stream(asio::any_io_executor executor, std::string_view url,
                                          const HttpHeaders& headers, std::string_view content_type,
                                          std::uint64_t size, HttpBodySource source,
                                          std::chrono::seconds timeout) {
  const Target target = http_detail::parse_target(url);
  http::request<http::buffer_body> request{http::verb::put, target.resource, 11};
  prepare(request, target, headers, content_type, size);
  auto connection = std::make_shared<Connection>(executor);
  const std::string what = "HTTP PUT " + target.authority;
  try {
    co_await http_detail::connect(connection, target, timeout);
    const unsigned status =
        co_await connection->on_stream([&](auto& stream) -> asio::awaitable<unsigned> {
          const auto write_error = co_await write_streamed(stream, request, size, source);
          co_return co_await read_status(stream, write_error);
        });
    // No TLS close_notify exchange: the request carried Connection: close and a response
    // was read in full, so waiting for the peer's close_notify would only add latency.
    connection->close();
    co_return status;
  } catch (const std::runtime_error& e) {
    if (!dynamic_cast<const boost::system::system_error*>(&e) && !connection->timed_out)
      throw std::runtime_error(what + ": " + e.what());  // the source's own failure
    http_detail::fail(*connection, what, timeout, e);
  }
}

// --- HttpGet ---

struct HttpGet::Impl {
  std::shared_ptr<Connection> connection;
  beast::flat_buffer buffer;
  http::response_parser<http::buffer_body> parser;
  std::string what;
  std::chrono::seconds timeout;
  std::uint64_t max_size = 0;
  std::uint64_t received = 0;
};

HttpGet::HttpGet(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpGet::~HttpGet() = default;

std::optional<std::uint64_t> HttpGet::content_length() const {
  auto length = impl_->parser.content_length();
  if (!length) return std::nullopt;
  return *length;
}

std::string HttpGet::content_type() const {
  return std::string(impl_->parser.get()[http::field::content_type]);
}

asio::awaitable<std::unique_ptr<HttpGet>> HttpGet::open(asio::any_io_executor executor,
                                                        std::string url, std::uint64_t max_size,
                                                        std::chrono::seconds timeout) {
  const Target target = http_detail::parse_target(url);
  auto impl = std::make_unique<Impl>();
  impl->connection = std::make_shared<Connection>(executor);
  impl->what = "HTTP GET " + redact_url(url);
  impl->timeout = timeout;
  impl->max_size = max_size;
  impl->parser.body_limit(boost::none);  // enforced per piece below, with a clearer error
  try {
    co_await http_detail::connect(impl->connection, target, timeout);
    http::request<http::empty_body> request{http::verb::get, target.resource, 11};
    request.set(http::field::host, target.authority);
    request.set(http::field::user_agent, "legate");
    request.keep_alive(false);
    co_await impl->connection->on_stream([&](auto& stream) -> asio::awaitable<void> {
      co_await http::async_write(stream, request, asio::use_awaitable);
      co_await http::async_read_header(stream, impl->buffer, impl->parser, asio::use_awaitable);
    });
  } catch (const std::exception& e) {
    http_detail::fail(*impl->connection, impl->what, timeout, e);
  }
  const unsigned status = impl->parser.get().result_int();
  if (status != 200) throw std::runtime_error(impl->what + ": answered " + std::to_string(status));
  if (auto length = impl->parser.content_length(); length && *length > max_size)
    throw std::runtime_error(impl->what + ": " + std::to_string(*length) +
                             " bytes, over the limit of " + std::to_string(max_size));
  co_return std::unique_ptr<HttpGet>(new HttpGet(std::move(impl)));
}

asio::awaitable<std::optional<std::string>> HttpGet::read() {
  Impl& s = *impl_;
  if (s.parser.is_done()) co_return std::nullopt;
  std::string piece(kReadPiece, '\0');
  s.parser.get().body().data = piece.data();
  s.parser.get().body().size = piece.size();
  try {
    auto [error, n] = co_await s.connection->on_stream([&](auto& stream) {
      return http::async_read(stream, s.buffer, s.parser, asio::as_tuple(asio::use_awaitable));
    });
    if (error == http::error::need_buffer) error = {};
    if (error) throw boost::system::system_error(error);
  } catch (const std::exception& e) {
    http_detail::fail(*s.connection, s.what, s.timeout, e);
  }
  piece.resize(piece.size() - s.parser.get().body().size);
  s.received += piece.size();
  if (s.received > s.max_size)
    throw std::runtime_error(s.what + ": more than the limit of " + std::to_string(s.max_size) +
                             " bytes");
  if (piece.empty() && s.parser.is_done()) {
    s.connection->close();
    co_return std::nullopt;
  }
  co_return piece;
}

}  // namespace legate
