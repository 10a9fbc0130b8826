// A minimal HTTP/1.1 client for what the gateway itself sends over HTTP: today the PUT of a
// XEP-0363 upload. Plain http and https (system CA store, host name checked, SNI sent).
// Boost.Beast stays in http_client.cpp: this header is cheap to include.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "component/asio.hpp"

namespace legate {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

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

// `url` without its query and fragment, which may carry credentials: for log and error
// messages. Returns the input unchanged when it does not parse.
std::string redact_url(std::string_view url);

}  // namespace legate
