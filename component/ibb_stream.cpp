// IbbStream: the chunk buffer between the XEP-0047 handlers and the reader, its flow
// control, and its idle timer.
#include "component/ibb_stream.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace legate {

std::string_view to_string(IbbStanza stanza) {
  return stanza == IbbStanza::message ? "message" : "iq";
}

IbbStream::IbbStream(asio::any_io_executor executor, Jid jid, Jid from, std::string sid,
                     std::size_t block_size, IbbStanza stanza)
    : jid_(std::move(jid)),
      from_(std::move(from)),
      sid_(std::move(sid)),
      block_size_(block_size),
      stanza_(stanza),
      readable_(executor, Clock::time_point::max()),
      idle_(std::move(executor)) {}

IbbStream::~IbbStream() = default;

void IbbStream::wake() {
  readable_.cancel();
  // The stream is over: every waiting ack goes (or fails) at once, in order.
  for (AckWaiter* waiter : ack_waiters_) waiter->timer.cancel();
  ack_waiters_.clear();
}

void IbbStream::release_acks() {
  while (!ack_waiters_.empty() && ack_waiters_.front()->index < taken_ + window_) {
    AckWaiter* waiter = ack_waiters_.front();
    ack_waiters_.pop_front();
    waiter->released = true;
    ++releasing_;
    waiter->timer.cancel();
  }
}

std::uint64_t IbbStream::push(std::string chunk) {
  buffered_bytes_ += chunk.size();
  chunks_.push_back(std::move(chunk));
  readable_.cancel();
  return pushed_++;
}

asio::awaitable<void> IbbStream::wait_for_room(std::uint64_t index) {
  // The chunk is already queued; its ack is what waits, so the sender (which waits for the
  // ack before the next chunk) goes at the reader's pace.
  auto self = shared_from_this();  // alive while the ack waits, whatever the registry does
  const bool must_wait = !ack_waiters_.empty() || releasing_ > 0 || index >= taken_ + window_;
  if (state_ == State::open && must_wait) {
    AckWaiter waiter{index, asio::steady_timer(readable_.get_executor(), Clock::time_point::max())};
    ack_waiters_.push_back(&waiter);
    // Unlisted however the wait ends, including the frame being destroyed at shutdown.
    struct Unlist {
      IbbStream& stream;
      AckWaiter& waiter;
      ~Unlist() {
        // Released waiters left the line already; only a destroyed frame may still be in it.
        if (waiter.released)
          --stream.releasing_;
        else
          std::erase(stream.ack_waiters_, &waiter);
      }
    } unlist{*this, waiter};
    co_await waiter.timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  if (state_ == State::aborted) throw *error_;
  release_acks();  // those behind this one may fit now
}

asio::awaitable<std::optional<std::string>> IbbStream::read_chunk() {
  auto self = shared_from_this();
  for (;;) {
    // An aborted transfer is incomplete: the buffered rest is of no use to the reader.
    if (state_ == State::aborted) throw *error_;
    if (!chunks_.empty()) {
      std::string chunk = std::move(chunks_.front());
      chunks_.pop_front();
      buffered_bytes_ -= chunk.size();
      ++taken_;
      touch();  // a reading consumer is progress: the idle timer counts from here too
      release_acks();
      if (chunk.empty()) continue;  // an empty <data/> only carried its seq
      co_return chunk;
    }
    if (state_ == State::closed) co_return std::nullopt;
    co_await readable_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

void IbbStream::finish() {
  if (state_ != State::open) return;
  state_ = State::closed;
  idle_.cancel();
  wake();
}

void IbbStream::fail(StanzaError error) {
  if (state_ == State::aborted) return;
  state_ = State::aborted;
  error_ = std::move(error);
  chunks_.clear();
  buffered_bytes_ = 0;
  idle_.cancel();
  wake();
}

void IbbStream::abort(ErrorCondition condition, std::string text) {
  if (state_ != State::open) {
    // Closed by the peer already: just drop what is left.
    if (state_ == State::closed) fail(StanzaError(condition, ErrorType::cancel, std::move(text)));
    return;
  }
  StanzaError error(condition, ErrorType::cancel,
                    text.empty() ? std::string("aborted by the receiver") : std::move(text));
  if (on_abort_) {
    auto hook = on_abort_;  // the hook may reset on_abort_
    hook(*this, error);
  }
  fail(std::move(error));
}

void IbbStream::start_idle_timer(std::chrono::milliseconds timeout, AbortHook on_abort) {
  idle_timeout_ = timeout;
  on_abort_ = std::move(on_abort);
  touch();
  if (timeout.count() > 0) arm_idle_timer(timeout);
}

void IbbStream::arm_idle_timer(Clock::duration after) {
  // One wait per idle period, not one per chunk: on expiry it re-arms for what is left
  // since the last activity.
  idle_.expires_after(after);
  idle_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    if (ec) return;
    if (auto self = weak.lock()) self->on_idle_timer();
  });
}

void IbbStream::on_idle_timer() {
  if (state_ != State::open) return;
  const auto idle = Clock::now() - last_activity_;
  if (idle < idle_timeout_) return arm_idle_timer(idle_timeout_ - idle);
  StanzaError error(ErrorCondition::remote_server_timeout, ErrorType::cancel,
                    "no activity for " + std::to_string(idle_timeout_.count()) + " ms");
  spdlog::debug("IBB stream {} from {} to {} is idle", sid_, from_.full(), jid_.full());
  if (on_abort_) {
    auto hook = on_abort_;
    hook(*this, error);
  }
  fail(std::move(error));
}

}  // namespace legate
