// Connection: the XEP-0114 component stream to the XMPP server. Connects, opens the
// stream, authenticates with the handshake, reads stanzas into a handler, writes queued
// stanzas in batches, keeps the link alive, and reconnects with backoff on any loss.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "asio.hpp"
#include "outbox.hpp"
#include "xml_stream_parser.hpp"

namespace legate {

class Metrics;

struct ConnectionOptions {
  std::string jid;  // the component's domain, e.g. gw.example.org
  std::string secret;
  std::string host = "127.0.0.1";
  std::uint16_t port = 5347;
  std::chrono::milliseconds keepalive{std::chrono::seconds(60)};
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
  std::chrono::milliseconds backoff_initial{std::chrono::milliseconds(500)};
  std::chrono::milliseconds backoff_max{std::chrono::seconds(30)};
  std::chrono::milliseconds close_timeout{std::chrono::seconds(2)};
  std::size_t max_queued_bytes = 16 * 1024 * 1024;
  ParserLimits limits;
};

class Connection : public Outbox {
 public:
  using StanzaHandler = std::function<void(Element& stanza)>;
  using StateHandler = std::function<void(bool up)>;

  Connection(asio::any_io_executor executor, ConnectionOptions options);
  ~Connection() override;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Called for every stanza once the stream is authenticated; must not throw.
  void on_stanza(StanzaHandler handler);
  // Called with true after each successful handshake, false when the stream is lost.
  void on_state(StateHandler handler);

  // Connects and stays connected until stop(); returns after the clean close.
  asio::awaitable<void> run();
  // Closes the stream cleanly (</stream:stream>, flushed) and ends run().
  void stop();

  // Queues a stanza; while disconnected, stanzas wait (bounded) for the next stream.
  void send(const Element& stanza) override;
  bool is_up() const;
  // Counts stanzas in/out by kind, IQ errors sent, reconnects and the stream state into
  // `metrics` (nullptr: not counted); it must outlive the connection.
  void set_metrics(Metrics* metrics);
  std::uint64_t connects() const;
  const ConnectionOptions& options() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace legate
