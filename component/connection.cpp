// Connection: connect, open, authenticate, then read and write until the stream ends;
// reconnect with backoff unless stopped.
#include "component/connection.hpp"
#include "component/sender_check.hpp"

#include <spdlog/spdlog.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>

#include <optional>
#include <vector>

#include "component/backoff.hpp"
#include "component/handshake.hpp"
#include "component/metrics.hpp"
#include "component/stanza.hpp"
#include "component/stanza_refusals.hpp"

namespace legate {

using tcp = asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;
using asio::use_awaitable;

namespace {

constexpr auto kForever = std::chrono::hours(24 * 365);

}  // namespace

struct Connection::Impl : StreamEvents {
  enum class Phase { idle, opening, handshaking, ready, closing };

  ConnectionOptions opt;
  tcp::socket socket;
  asio::steady_timer wake;  // new data for the writer, or closing started
  asio::steady_timer peer_closed_signal;
  asio::steady_timer close_started;
  asio::steady_timer backoff_timer;
  XmlStreamParser parser;
  Backoff backoff;
  StanzaHandler stanza_handler;
  StateHandler state_handler;
  std::string queue;    // whole stanzas waiting to be written
  std::string writing;  // the batch being written
  std::string tail;     // the last bytes of a closing stream
  std::vector<char> read_buffer = std::vector<char>(64 * 1024);
  Phase phase = Phase::idle;
  bool announced = false;  // the connected callbacks have run for this stream
  static constexpr std::size_t kMaxEarly = 1024;
  struct Early {
    Element stanza;  // or the head of a refused one
    std::optional<StanzaRefusal> refusal;
  };
  std::vector<Early> early;  // stanzas that arrived with <handshake/>
  bool stopping = false;
  bool peer_closed = false;
  bool stream_opened = false;
  bool discard_input = false;
  bool warned_full = false;
  std::string stream_id;
  std::optional<StreamFailure> peer_error;
  std::optional<StreamFailure> local_error;
  std::uint64_t connects = 0;
  Metrics* metrics = nullptr;
  StanzaRefusals refusals;
  std::string end_reason;  // why the last session ended, when it was not our choice

  Impl(asio::any_io_executor ex, ConnectionOptions o)
      : opt(std::move(o)),
        socket(ex),
        wake(ex),
        peer_closed_signal(ex),
        close_started(ex),
        backoff_timer(ex),
        parser(*this, opt.limits),
        backoff(opt.backoff_initial, opt.backoff_max) {}

  // --- StreamEvents (called from inside the parser; must not throw) ---
  void on_stream_open(const Element& header) override {
    stream_opened = true;
    stream_id = header.attr_or("id");
    if (header.name() != "stream" || header.ns() != kStreamsNs ||
        header.attr_or("xmlns") != kComponentNs) {
      local_error = StreamFailure{StreamCondition::invalid_namespace, "not a component stream"};
    }
  }

  void on_stanza(Element& stanza) override {
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
  void on_refused_stanza(const Element& head, const StanzaRefusal& why) override {
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

  void bounce(const Element& head, const StanzaRefusal& why) {
    if (auto reply = refusals.refuse(head, why, metrics)) enqueue(*reply);
  }

  void deliver(Element& stanza) {
    if (metrics) metrics->stanzas_in(stanza_kind(stanza)).inc();
    if (!stanza_handler) return;
    if (spdlog::should_log(spdlog::level::trace))
      spdlog::trace("RECV {}", stanza.str(kComponentNs));
    try {
      stanza_handler(stanza);
    } catch (const std::exception& e) {
      spdlog::error("stanza handler failed: {}", e.what());
    }
  }

  void on_stream_close() override {
    peer_closed = true;
    peer_closed_signal.cancel();
  }

  // --- writing ---
  void enqueue(const Element& stanza) {
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

  void begin_close(std::string bytes) {
    if (phase == Phase::closing) return;
    phase = Phase::closing;
    tail = std::move(bytes);
    wake.cancel();
    close_started.cancel();
  }

  asio::awaitable<void> write_loop() {
    try {
      co_await write_until_closed();
    } catch (const std::exception& e) {
      if (phase != Phase::closing && end_reason.empty())
        end_reason = std::string("write failed: ") + e.what();
    }
  }

  asio::awaitable<void> write_until_closed() {
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
  asio::awaitable<void> close_watchdog() {
    while (phase != Phase::closing) {
      close_started.expires_after(kForever);
      co_await close_started.async_wait(asio::as_tuple(use_awaitable));
    }
    close_started.expires_after(opt.close_timeout);
    co_await close_started.async_wait(asio::as_tuple(use_awaitable));
  }

  // --- reading ---
  // Linux delays an ACK up to 40 ms, and a server that does not set TCP_NODELAY (Prosody)
  // holds its next small stanza until the ACK comes: ACK at once (re-armed after each read).
  // Only for what comes after a pause (a lone join): on a busy stream the extra ACKs cost
  // the server more than the delays they save (measured: XMPP → IRC 15% slower).
  static constexpr auto kIdleBeforeQuickAck = std::chrono::milliseconds(10);
  std::chrono::steady_clock::time_point last_read{};
  void quick_ack_after_idle() {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_read > kIdleBeforeQuickAck) quick_ack();
    last_read = now;
  }
  void quick_ack() {
#ifdef TCP_QUICKACK
    const int on = 1;
    ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_QUICKACK, &on, sizeof on);
#endif
  }

  asio::awaitable<std::size_t> read_some() {
    co_return co_await socket.async_read_some(asio::buffer(read_buffer), use_awaitable);
  }

  void feed(std::size_t n) {
    if (discard_input) return;
    parser.feed(std::string_view(read_buffer.data(), n));
  }

  // During the handshake: turns a failure into an exception (after telling the peer).
  asio::awaitable<void> throw_if_failed() {
    std::optional<StreamFailure> ours = parser.failure() ? parser.failure() : local_error;
    if (ours) {
      std::string bytes = stream_error_bytes(*ours);
      co_await asio::async_write(socket, asio::buffer(bytes), use_awaitable);
      throw std::runtime_error("stream error " + std::string(to_string(ours->condition)) + ": " +
                               ours->text);
    }
    if (peer_error) {
      throw std::runtime_error(
          "server refused the component stream: " + std::string(to_string(peer_error->condition)) +
          std::string(stream_error_hint(peer_error->condition)) +
          (peer_error->text.empty() ? "" : " - " + peer_error->text));
    }
    if (peer_closed) throw std::runtime_error("server closed the stream");
  }

  asio::awaitable<void> authenticate() {
    std::string header =
        "<?xml version='1.0'?><stream:stream xmlns='jabber:component:accept' "
        "xmlns:stream='http://etherx.jabber.org/streams' to='" +
        opt.jid + "'>";
    co_await asio::async_write(socket, asio::buffer(header), use_awaitable);
    while (!stream_opened) {
      feed(co_await read_some());
      co_await throw_if_failed();
    }
    phase = Phase::handshaking;
    std::string handshake =
        "<handshake>" + handshake_digest(stream_id, opt.secret) + "</handshake>";
    co_await asio::async_write(socket, asio::buffer(handshake), use_awaitable);
    while (phase != Phase::ready) {
      feed(co_await read_some());
      co_await throw_if_failed();
    }
  }

  asio::awaitable<void> read_loop() {
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

  // Turns an exception into a value, so that operator|| sees the operation finish.
  static asio::awaitable<std::exception_ptr> captured(asio::awaitable<void> operation) {
    try {
      co_await std::move(operation);
    } catch (...) {
      co_return std::current_exception();
    }
    co_return nullptr;
  }

  void reset_stream_state() {
    end_reason.clear();
    parser.reset();
    phase = Phase::opening;
    peer_closed = stream_opened = discard_input = false;
    peer_error.reset();
    local_error.reset();
    stream_id.clear();
    tail.clear();
  }

  asio::awaitable<void> session() {
    reset_stream_state();
    tcp::resolver resolver(socket.get_executor());
    auto endpoints =
        co_await resolver.async_resolve(opt.host, std::to_string(opt.port), use_awaitable);
    asio::steady_timer deadline(socket.get_executor(), opt.connect_timeout);
    // as_tuple: operator|| would otherwise wait out the deadline after a failure.
    auto connected =
        co_await (asio::async_connect(socket, endpoints, asio::as_tuple(use_awaitable)) ||
                  deadline.async_wait(asio::as_tuple(use_awaitable)));
    if (connected.index() == 1) throw std::runtime_error("connection timed out");
    if (auto ec = std::get<0>(std::get<0>(connected)); ec) throw boost::system::system_error(ec);
    socket.set_option(tcp::no_delay(true));
    socket.set_option(asio::socket_base::keep_alive(true));  // notices a vanished peer
    deadline.expires_after(opt.connect_timeout);
    auto authenticated =
        co_await (captured(authenticate()) || deadline.async_wait(asio::as_tuple(use_awaitable)));
    if (authenticated.index() == 1) throw std::runtime_error("handshake timed out");
    if (auto failure = std::get<0>(authenticated)) std::rethrow_exception(failure);

    ++connects;
    backoff.reset();
    if (metrics) {
      if (connects > 1) metrics->reconnects().inc();
      metrics->component_up().set(1);
    }
    spdlog::info("component {} connected to {}:{}", opt.jid, opt.host, opt.port);
    if (state_handler) state_handler(true);
    announced = true;
    for (Early& e : early) {
      if (e.refusal) {
        bounce(e.stanza, *e.refusal);
      } else {
        deliver(e.stanza);
      }
    }
    early.clear();
    struct Down {
      Impl& impl;
      ~Down() {
        if (impl.metrics) impl.metrics->component_up().set(0);
        if (impl.state_handler) impl.state_handler(false);
      }
    } down{*this};
    if (!queue.empty()) wake.cancel();
    co_await (read_loop() || write_loop() || close_watchdog());
  }

  asio::awaitable<void> run() {
    while (!stopping) {
      try {
        co_await session();
        if (!stopping) {
          spdlog::warn("component stream to {}:{} ended{}{}", opt.host, opt.port,
                       end_reason.empty() ? "" : ": ", end_reason);
        }
      } catch (const std::exception& e) {
        if (!stopping)
          spdlog::warn("component stream to {}:{} lost: {}", opt.host, opt.port, e.what());
      }
      boost::system::error_code ignored;
      socket.shutdown(tcp::socket::shutdown_both, ignored);
      socket.close(ignored);
      phase = Phase::idle;
      if (stopping) break;
      const auto delay = backoff.next();
      spdlog::info("reconnecting to {}:{} in {:.1f} s", opt.host, opt.port,
                   static_cast<double>(delay.count()) / 1000.0);
      backoff_timer.expires_after(delay);
      co_await backoff_timer.async_wait(asio::as_tuple(use_awaitable));
    }
    spdlog::info("component {} disconnected", opt.jid);
  }

  void stop() {
    stopping = true;
    backoff_timer.cancel();
    if (phase == Phase::ready) {
      begin_close("</stream:stream>");
    } else if (phase != Phase::closing) {
      boost::system::error_code ignored;
      socket.close(ignored);  // aborts a connect or handshake in progress
    }
  }
};

Connection::Connection(asio::any_io_executor executor, ConnectionOptions options)
    : impl_(std::make_unique<Impl>(std::move(executor), std::move(options))) {}

Connection::~Connection() = default;

void Connection::on_stanza(StanzaHandler handler) {
  impl_->stanza_handler = std::move(handler);
}
void Connection::on_state(StateHandler handler) {
  impl_->state_handler = std::move(handler);
}
asio::awaitable<void> Connection::run() {
  return impl_->run();
}
void Connection::stop() {
  impl_->stop();
}
void Connection::send(const Element& stanza) {
  if (!from_component_domain(stanza, impl_->opt.jid)) {
    spdlog::error("dropped a <{}> from {} to {}: not from {} (a bug of the gateway)", stanza.name(),
                  stanza.attr_or("from"), stanza.attr_or("to"), impl_->opt.jid);
    return;
  }
  impl_->enqueue(stanza);
}
bool Connection::is_up() const {
  return impl_->phase == Impl::Phase::ready;
}
void Connection::set_metrics(Metrics* metrics) {
  impl_->metrics = metrics;
}
std::uint64_t Connection::connects() const {
  return impl_->connects;
}
const ConnectionOptions& Connection::options() const {
  return impl_->opt;
}

}  // namespace legate
