// queued_call: a steady_timer cancelled when the queued work ends is the waiter's signal.
#include "gateway/queued_call.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <optional>

#include "component/stanza_error.hpp"
#include "component/task_group.hpp"

namespace legate {
namespace {

struct Call {
  explicit Call(asio::any_io_executor executor) : done(std::move(executor)) {}
  asio::steady_timer done;
  Router::IqPayload result;
  std::exception_ptr error;
  bool finished = false;
  void finish() {
    finished = true;
    done.cancel();
  }
};

}  // namespace

asio::awaitable<Router::IqPayload> QueuedCall::run(
    std::shared_ptr<Session> session, std::function<asio::awaitable<Router::IqPayload>()> work,
    std::chrono::seconds timeout) {
  auto call = std::make_shared<Call>(co_await asio::this_coro::executor);
  call->done.expires_after(timeout);
  session->enqueue(
      [call, work = std::move(work)]() -> asio::awaitable<void> {
        try {
          call->result = co_await work();
        } catch (const std::exception& e) {
          rethrow_if_cancellation(e);  // the queue accounts for it through `dropped`
          call->error = std::current_exception();
        }
        call->finish();
      },
      [call] {
        call->error = std::make_exception_ptr(
            StanzaError(ErrorCondition::service_unavailable, "the gateway is shutting down"));
        call->finish();
      });
  if (!call->finished) co_await call->done.async_wait(asio::as_tuple(asio::use_awaitable));
  if (!call->finished)
    throw StanzaError(ErrorCondition::remote_server_timeout, "the legacy network did not answer");
  if (call->error) std::rethrow_exception(call->error);
  co_return std::move(call->result);
}

}  // namespace legate
