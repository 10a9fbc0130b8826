// The one place that pulls Boost.Asio's coroutine types into headers (it is slow to compile;
// keep the full <boost/asio.hpp> in .cpp files).
#pragma once

#include <utility>  // Boost.Asio's awaitable.hpp needs it first under g++ 12

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

namespace legate {
namespace asio = boost::asio;
}  // namespace legate
