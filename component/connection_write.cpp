// Connection (writing): the outgoing queue (bounded), batched writes, keepalives, and a
// close that ends the stream cleanly within a deadline.
#include "component/connection_impl.hpp"

#include <spdlog/spdlog.h>

namespace legate {

using asio::use_awaitable;

namespace {

constexpr auto kForever = std::chrono::hours(24 * 365);

}  // namespace

void Connection::Impl::enqueue(const Element& stanza) {
  if (queue.size() >= opt.max_queued_bytes) {
    if (!warned_full) {
      spdlog::warn("outgoing queue full ({} bytes); dropping stanzas until it drains",
                   queue.size());
    }
    warned_full = true;
    return;
  }
  if (metrics) {
    const StanzaKind kind = stanza_kind(stanza);
    metrics->stanzas_out(kind).inc();
    if (kind == StanzaKind::iq && stanza.attr_or("type") == "error")
      metrics->iq_errors_sent().inc();
  }
  const std::size_t start = queue.size();
  stanza.append_to(queue, kComponentNs);
  if (spdlog::should_log(spdlog::level::trace)) {
    spdlog::trace("SEND {}", std::string_view(queue).substr(start));
  }
  if (phase == Phase::ready) wake.cancel();
}

void Connection::Impl::begin_close(std::string bytes) {
  if (phase == Phase::closing) return;
  phase = Phase::closing;
  tail = std::move(bytes);
  wake.cancel();
  close_started.cancel();
}

asio::awaitable<void> Connection::Impl::write_loop() {
  try {
    co_await write_until_closed();
  } catch (const std::exception& e) {
    if (phase != Phase::closing && end_reason.empty())
      end_reason = std::string("write failed: ") + e.what();
  }
}

asio::awaitable<void> Connection::Impl::write_until_closed() {
  for (;;) {
    if (!queue.empty()) {
      writing.clear();
      std::swap(writing, queue);
      warned_full = false;
      co_await asio::async_write(socket, asio::buffer(writing), use_awaitable);
      continue;
    }
    if (phase == Phase::closing) break;
    wake.expires_after(opt.keepalive);
    auto [ec] = co_await wake.async_wait(asio::as_tuple(use_awaitable));
    if (!ec && queue.empty() && phase == Phase::ready) queue.push_back(' ');  // keepalive
  }
  co_await asio::async_write(socket, asio::buffer(tail), use_awaitable);
  // RFC 6120 §4.4: wait (briefly) for the peer to close its side as well.
  while (!peer_closed) {
    peer_closed_signal.expires_after(kForever);
    co_await peer_closed_signal.async_wait(asio::as_tuple(use_awaitable));
  }
}

// Bounds a close: a peer that stops reading cannot keep us waiting.
asio::awaitable<void> Connection::Impl::close_watchdog() {
  while (phase != Phase::closing) {
    close_started.expires_after(kForever);
    co_await close_started.async_wait(asio::as_tuple(use_awaitable));
  }
  close_started.expires_after(opt.close_timeout);
  co_await close_started.async_wait(asio::as_tuple(use_awaitable));
}

}  // namespace legate
