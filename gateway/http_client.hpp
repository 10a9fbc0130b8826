// A minimal HTTP/1.1 client for what the gateway itself sends over HTTP: the PUT of a
// XEP-0363 upload (whole or streamed) and the streamed GET of a file a user shared. Plain
// http and https (system CA store, host name checked, SNI sent), one connection per request.
// Boost.Beast stays in the .cpp files: this header is cheap to include.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../component/asio.hpp"

namespace legate {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;
// The next piece of a request body, nullopt at its end.
using HttpBodySource = std::function<asio::awaitable<std::optional<std::string>>()>;

// PUTs `body` to `url` with Content-Type, Content-Length and the extra `headers`, and returns
// the response status (any status; callers decide what counts as success). Throws
// std::invalid_argument for a URL that is not http(s)://host[:port]/..., and
// std::runtime_error for a network or TLS failure (certificate not trusted included) or when
// the whole exchange, from name resolution to the end of the response, took longer than
// `timeout`. The string_views and `headers` must stay valid until the coroutine completes,
// which a caller that co_awaits it at once guarantees.
asio::awaitable<unsigned> http_put(asio::any_io_executor executor, std::string_view url,
                                   const HttpHeaders& headers, std::string_view content_type,
                                   std::string_view body, std::chrono::seconds timeout);

// The same with the body read from `source` piece by piece as it is sent (never whole in
// memory); exactly `size` bytes must come out of it, or std::runtime_error is thrown.
asio::awaitable<unsigned> http_put_stream(asio::any_io_executor executor, std::string_view url,
                                          const HttpHeaders& headers, std::string_view content_type,
                                          std::uint64_t size, HttpBodySource source,
                                          std::chrono::seconds timeout);

// A streamed GET: open() sends the request and reads the response header; read() then hands
// out the body as it arrives. Failures throw std::runtime_error (network, TLS, a status other
// than 200, a body over `max_size` — announced or actual —, or the whole exchange taking
// longer than `timeout`).
class HttpGet {
 public:
  static asio::awaitable<std::unique_ptr<HttpGet>> open(asio::any_io_executor executor,
                                                        std::string url, std::uint64_t max_size,
                                                        std::chrono::seconds timeout);
  ~HttpGet();
  HttpGet(const HttpGet&) = delete;
  HttpGet& operator=(const HttpGet&) = delete;

  // Content-Length, when the server sent one.
  std::optional<std::uint64_t> content_length() const;
  std::string content_type() const;
  // The next piece of the body (at most 64 KiB), nullopt at its end.
  asio::awaitable<std::optional<std::string>> read();

  struct Impl;

 private:
  explicit HttpGet(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// `url` without its query and fragment, which may carry credentials: for log and error
// messages. Returns the input unchanged when it does not parse.
std::string redact_url(std::string_view url);

}  // namespace legate
