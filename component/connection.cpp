// Connection: connect, open, authenticate, then read and write until the stream ends;
// reconnect with backoff unless stopped.
// (The stream's state and its reading and writing halves: connection_impl.hpp,
// connection_read.cpp, connection_write.cpp.)
#include "component/connection.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/experimental/awaitable_operators.hpp>

#include "component/connection_impl.hpp"
#include "component/handshake.hpp"
#include "component/sender_check.hpp"

namespace legate {

using tcp = asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;
using asio::use_awaitable;

// During the handshake: turns a failure into an exception (after telling the peer).
asio::awaitable<void> Connection::Impl::throw_if_failed() {
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

asio::awaitable<void> Connection::Impl::authenticate() {
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
  std::string handshake = "<handshake>" + handshake_digest(stream_id, opt.secret) + "</handshake>";
  co_await asio::async_write(socket, asio::buffer(handshake), use_awaitable);
  while (phase != Phase::ready) {
    feed(co_await read_some());
    co_await throw_if_failed();
  }
}

// Turns an exception into a value, so that operator|| sees the operation finish.
asio::awaitable<std::exception_ptr> Connection::Impl::captured(asio::awaitable<void> operation) {
  try {
    co_await std::move(operation);
  } catch (...) {
    co_return std::current_exception();
  }
  co_return nullptr;
}

void Connection::Impl::reset_stream_state() {
  end_reason.clear();
  parser.reset();
  phase = Phase::opening;
  peer_closed = stream_opened = discard_input = false;
  peer_error.reset();
  local_error.reset();
  stream_id.clear();
  tail.clear();
}

asio::awaitable<void> Connection::Impl::session() {
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

asio::awaitable<void> Connection::Impl::run() {
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

void Connection::Impl::stop() {
  stopping = true;
  backoff_timer.cancel();
  if (phase == Phase::ready) {
    begin_close("</stream:stream>");
  } else if (phase != Phase::closing) {
    boost::system::error_code ignored;
    socket.close(ignored);  // aborts a connect or handshake in progress
  }
}

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
