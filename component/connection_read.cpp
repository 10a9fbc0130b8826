// Connection (reading): the parser's events, stanzas delivered or refused alone, the read
// loop that ends a stream on a stream-level failure, and quick ACKs after a pause.
#include "component/connection_impl.hpp"

#include <spdlog/spdlog.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

namespace legate {

using asio::use_awaitable;

void Connection::Impl::on_stream_open(const Element& header) {
  stream_opened = true;
  stream_id = header.attr_or("id");
  if (header.name() != "stream" || header.ns() != kStreamsNs ||
      header.attr_or("xmlns") != kComponentNs) {
    local_error = StreamFailure{StreamCondition::invalid_namespace, "not a component stream"};
  }
}

void Connection::Impl::on_stanza(Element& stanza) {
  if (stanza.is("error", kStreamsNs)) {
    peer_error = parse_stream_error(stanza);
    return;
  }
  if (phase == Phase::handshaking && stanza.name() == "handshake") {
    phase = Phase::ready;
    announced = false;
    return;
  }
  if (phase != Phase::ready) return;
  if (!announced) {
    // Came in the same read as <handshake/>: held until the connected callbacks ran, so
    // handlers never see a stream their owner has not been told is up.
    if (early.size() < kMaxEarly) early.push_back({std::move(stanza), std::nullopt});
    return;
  }
  deliver(stanza);
}

// A user's stanza over a per-stanza limit: bounced alone; the stream stays up. Before the
// handshake completed, no server would send one: that ends the stream.
void Connection::Impl::on_refused_stanza(const Element& head, const StanzaRefusal& why) {
  if (phase != Phase::ready) {
    if (!local_error) local_error = StreamFailure{StreamCondition::policy_violation, why.text};
    return;
  }
  if (!announced) {  // in order with the stanzas held for the same reason
    if (early.size() < kMaxEarly) early.push_back({head, why});
    return;
  }
  bounce(head, why);
}

void Connection::Impl::on_stream_close() {
  peer_closed = true;
  peer_closed_signal.cancel();
}

void Connection::Impl::bounce(const Element& head, const StanzaRefusal& why) {
  if (auto reply = refusals.refuse(head, why, metrics)) enqueue(*reply);
}

void Connection::Impl::deliver(Element& stanza) {
  if (metrics) metrics->stanzas_in(stanza_kind(stanza)).inc();
  if (!stanza_handler) return;
  if (spdlog::should_log(spdlog::level::trace)) spdlog::trace("RECV {}", stanza.str(kComponentNs));
  try {
    stanza_handler(stanza);
  } catch (const std::exception& e) {
    spdlog::error("stanza handler failed: {}", e.what());
  }
}

void Connection::Impl::quick_ack_after_idle() {
  const auto now = std::chrono::steady_clock::now();
  if (now - last_read > kIdleBeforeQuickAck) quick_ack();
  last_read = now;
}

void Connection::Impl::quick_ack() {
#ifdef TCP_QUICKACK
  const int on = 1;
  ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_QUICKACK, &on, sizeof on);
#endif
}

asio::awaitable<std::size_t> Connection::Impl::read_some() {
  co_return co_await socket.async_read_some(asio::buffer(read_buffer), use_awaitable);
}

void Connection::Impl::feed(std::size_t n) {
  if (discard_input) return;
  parser.feed(std::string_view(read_buffer.data(), n));
}

asio::awaitable<void> Connection::Impl::read_loop() {
  for (;;) {
    auto [ec, n] =
        co_await socket.async_read_some(asio::buffer(read_buffer), asio::as_tuple(use_awaitable));
    if (ec) {
      // Returning (not throwing) ends the session: operator|| waits for a *success*.
      if (phase != Phase::closing && end_reason.empty()) end_reason = ec.message();
      co_return;
    }
    quick_ack_after_idle();
    if (discard_input) continue;
    if (!parser.feed(std::string_view(read_buffer.data(), n))) {
      const StreamFailure& failure = *parser.failure();
      spdlog::warn("closing the component stream: {} ({})", to_string(failure.condition),
                   failure.text);
      discard_input = true;
      begin_close(stream_error_bytes(failure));
      continue;
    }
    if (peer_error) {
      // A server being stopped says so: a normal event, followed by a reconnection.
      const auto level = peer_error->condition == StreamCondition::system_shutdown
                             ? spdlog::level::warn
                             : spdlog::level::err;
      spdlog::log(level, "stream error from the server: {}{}{}", to_string(peer_error->condition),
                  stream_error_hint(peer_error->condition),
                  peer_error->text.empty() ? "" : " - " + peer_error->text);
      peer_error.reset();
      begin_close("</stream:stream>");
    }
    if (peer_closed && phase != Phase::closing) {
      spdlog::warn("the server closed the component stream");
      begin_close("</stream:stream>");
    }
  }
}

}  // namespace legate
