// Connection::Impl: the component stream's state, shared by connection.cpp (the session:
// connect, authenticate, reconnect), connection_read.cpp (parsing, delivering, refusing)
// and connection_write.cpp (the outgoing queue, keepalives, closing). Private: not installed.
#pragma once

#include <boost/asio.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "component/backoff.hpp"
#include "component/connection.hpp"
#include "component/metrics.hpp"
#include "component/stanza.hpp"
#include "component/stanza_refusals.hpp"

namespace legate {

struct Connection::Impl : StreamEvents {
  using tcp = asio::ip::tcp;

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

  // Linux delays an ACK up to 40 ms, and a server that does not set TCP_NODELAY (Prosody)
  // holds its next small stanza until the ACK comes: ACK at once (re-armed after each read).
  // Only for what comes after a pause (a lone join): on a busy stream the extra ACKs cost
  // the server more than the delays they save (measured: XMPP → IRC 15% slower).
  static constexpr auto kIdleBeforeQuickAck = std::chrono::milliseconds(10);
  std::chrono::steady_clock::time_point last_read{};

  // --- StreamEvents, called from inside the parser: must not throw (connection_read.cpp) ---
  void on_stream_open(const Element& header) override;
  void on_stanza(Element& stanza) override;
  void on_refused_stanza(const Element& head, const StanzaRefusal& why) override;
  void on_stream_close() override;
  void bounce(const Element& head, const StanzaRefusal& why);
  void deliver(Element& stanza);

  // --- reading (connection_read.cpp) ---
  void quick_ack_after_idle();
  void quick_ack();
  asio::awaitable<std::size_t> read_some();
  void feed(std::size_t n);
  asio::awaitable<void> read_loop();

  // --- writing (connection_write.cpp) ---
  void enqueue(const Element& stanza);
  void begin_close(std::string bytes);
  asio::awaitable<void> write_loop();
  asio::awaitable<void> write_until_closed();
  asio::awaitable<void> close_watchdog();

  // --- the session: connect, authenticate, run until stopped (connection.cpp) ---
  asio::awaitable<void> throw_if_failed();
  asio::awaitable<void> authenticate();
  static asio::awaitable<std::exception_ptr> captured(asio::awaitable<void> operation);
  void reset_stream_state();
  asio::awaitable<void> session();
  asio::awaitable<void> run();
  void stop();
};

}  // namespace legate
