// FakeServer: the server side of XEP-0114 over loopback, for stanza-level tests. It accepts
// the component, checks its handshake, then lets a test inject stanzas and expect replies.
// Blocking sockets with timeouts: the component under test runs on its own thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "component/element.hpp"
#include "component/xml_stream_parser.hpp"

namespace legate::test {

using namespace std::chrono_literals;

class FakeServer : public StreamEvents {
 public:
  FakeServer(std::string component_jid, std::string secret);
  ~FakeServer() override;

  std::uint16_t port() const { return port_; }
  // Accepts the next connection and runs the handshake. Returns false (with reason())
  // on timeout, wrong JID or wrong digest (the latter answered with not-authorized).
  bool accept_component(std::chrono::milliseconds timeout = 5s);
  const std::string& reason() const { return reason_; }
  // Bytes sent in the same write as the next <handshake/> (stanzas that race the handshake).
  void send_with_handshake(std::string bytes) { with_handshake_ = std::move(bytes); }

  // Sends raw bytes (one or more stanzas, or anything hostile).
  void inject(std::string_view bytes);
  // The next stanza from the component, or nullopt after `timeout` or on close.
  std::optional<Element> next(std::chrono::milliseconds timeout = 5s);
  // Waits until the component closes the TCP connection; true if it did within timeout.
  bool wait_closed(std::chrono::milliseconds timeout = 5s);
  // Whether the component sent </stream:stream>; its stream error, if any.
  bool stream_closed() const { return peer_closed_; }
  const std::optional<Element>& stream_error() const { return stream_error_; }
  // Closes our side of the stream (</stream:stream>) and the socket.
  void close_stream();
  void drop_connection();
  // Bytes received that were whitespace keepalives between stanzas.
  std::size_t keepalive_bytes() const { return keepalive_bytes_; }

 private:
  void on_stream_open(const Element& header) override;
  void on_stanza(Element& stanza) override;
  void on_refused_stanza(const Element& head, const StanzaRefusal& why) override;
  void on_stream_close() override;
  bool read_more(std::chrono::steady_clock::time_point deadline);

  std::string jid_;
  std::string secret_;
  int listen_fd_ = -1;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::string reason_;
  std::string with_handshake_;
  std::optional<XmlStreamParser> parser_;
  std::optional<Element> header_;
  std::deque<Element> stanzas_;
  std::optional<Element> stream_error_;
  bool peer_closed_ = false;
  std::size_t keepalive_bytes_ = 0;
};

}  // namespace legate::test
