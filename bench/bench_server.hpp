// The server end of the XEP-0114 stream that the component under test opens to a
// benchmark: the stream headers, the handshake, a loop of non-blocking reads and writes
// with poll(), and the closing of the stream. Each benchmark derives from it to send its
// load and to count what comes back. A plain socket rather than Asio keeps the generator's
// own cost small (the "generator CPU" figure).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "bench/clock.hpp"
#include "component/xml_stream_parser.hpp"

namespace legate::bench {

// The namespace of the component protocol's stanzas (XEP-0114).
inline constexpr std::string_view kComponentNs = "jabber:component:accept";

// A stanza id of ours (a decimal counter); false unless all of `text` is that number.
bool parse_id(std::string_view text, std::uint64_t& id);

struct StreamSettings {
  std::string jid;     // the component's JID: the "from" of our stream header
  std::string secret;  // the handshake secret
  std::size_t read_buffer = 64 * 1024;
  int idle_poll_ms = 1000;  // bounds each wait where the caller sets none; 0: busy-poll
  std::string stream_name;  // in the error "<stream_name> failed to parse: …"
};

class BenchServer : public legate::StreamEvents {
 public:
  // Takes the accepted connection `fd` (non-blocking); the caller closes it.
  BenchServer(int fd, StreamSettings settings, Clock::time_point deadline);

  // (Parser callbacks must not throw: libxml2 is C; errors are raised after feed().)
  void on_stream_open(const legate::Element& header) final;
  void on_stanza(legate::Element& stanza) final;
  void on_refused_stanza(const legate::Element&, const legate::StanzaRefusal& why) final {
    protocol_error_ = "the component sent a stanza over the limits: " + why.text;
  }
  void on_stream_close() final { closed_ = true; }

  // Reads until `done()`, calling `fill()` before each wait; throws on timeout, parse
  // failure or an unexpected EOF. `poll_ms` bounds each wait (a paced sender needs ~1 ms).
  template <typename Done, typename Fill>
  void pump(Done done, Fill fill, int poll_ms) {
    while (!done()) {
      fill();
      read_some(poll_ms, false);
    }
  }
  template <typename Done, typename Fill>
  void pump(Done done, Fill fill) {
    pump(done, fill, settings_.idle_poll_ms);
  }
  template <typename Done>
  void pump(Done done) {
    pump(done, [] {});
  }

  void send(std::string_view bytes);

  // Answers the component's stream header and checks its handshake. `before_handshake`
  // runs just before <handshake/> goes out (a gateway logs everyone in as soon as it gets
  // it, so that is where its start-up figures begin).
  void authenticate(const std::function<void()>& before_handshake = {});

  // Ends the stream: after SIGTERM the component closes first and we answer; otherwise we
  // close first (as a server going down would) and wait for its answer.
  void close_stream(bool peer_first, Clock::time_point until);

 protected:
  // A stanza from the component after the handshake.
  virtual void on_component_stanza(legate::Element& stanza) = 0;

  // Writes what `out_` holds, as far as the socket takes it.
  void flush();

  std::string out_;             // stanzas to send; the next wait (or flush()) writes them
  Clock::time_point deadline_;  // a wait past it throws "timed out"
  Clock::time_point read_at_;   // when the bytes being parsed were read

 private:
  // One wait and one read, after writing what is pending. False only at the end of the
  // stream when `eof_ok`.
  bool read_some(int poll_ms, bool eof_ok);

  int fd_;
  StreamSettings settings_;
  legate::XmlStreamParser parser_;
  std::vector<char> buffer_;
  std::size_t out_off_ = 0;
  bool opened_ = false, closed_ = false, got_handshake_ = false, authenticated_ = false;
  std::string handshake_;
  std::string protocol_error_;
};

}  // namespace legate::bench
