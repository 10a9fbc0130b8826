// queued_call: runs `work` on the user's session queue (in order with their messages and
// everything else of theirs) and waits for its result, so that an iq handler answers with
// what a bridge hook returned or threw.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "../component/asio.hpp"
#include "../component/router.hpp"
#include "../legacy/session.hpp"

namespace legate {

class QueuedCall {  // a class: the session's queue is for its friends
 public:
  static asio::awaitable<Router::IqPayload> run(
      std::shared_ptr<Session> session, std::function<asio::awaitable<Router::IqPayload>()> work,
      std::chrono::seconds timeout);
};

// Throws what `work` threw; remote-server-timeout when it did not end within `timeout`, and
// service-unavailable when the gateway stopped before it ran.
inline asio::awaitable<Router::IqPayload> queued_call(
    std::shared_ptr<Session> session, std::function<asio::awaitable<Router::IqPayload>()> work,
    std::chrono::seconds timeout = std::chrono::seconds(60)) {
  return QueuedCall::run(std::move(session), std::move(work), timeout);
}

}  // namespace legate
