// IbbStream: the receiving end of one XEP-0047 in-band bytestream, handed to the consumer
// (e.g. bridge code that forwards a file) by InBandBytestreams. It buffers a few decoded
// chunks; the sender's acks wait for room in that buffer, so a slow reader slows the sender.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/steady_timer.hpp>

#include "asio.hpp"
#include "jid.hpp"
#include "stanza_error.hpp"

namespace legate {

inline constexpr std::string_view kIbbNs = "http://jabber.org/protocol/ibb";

// Which stanza carries the <data/> chunks (the 'stanza' attribute of <open/>).
enum class IbbStanza { iq, message };
std::string_view to_string(IbbStanza stanza);

namespace detail {
class IbbCore;
}

class IbbStream : public std::enable_shared_from_this<IbbStream> {
 public:
  using Clock = std::chrono::steady_clock;
  // Called when the stream ends abnormally from our side (reader abort, idle timeout), so the
  // owner unregisters it and tells the peer.
  using AbortHook = std::function<void(IbbStream& stream, const StanzaError& error)>;

  // Created by InBandBytestreams when it accepts an <open/>.
  IbbStream(asio::any_io_executor executor, Jid jid, Jid from, std::string sid,
            std::size_t block_size, IbbStanza stanza);
  ~IbbStream();
  IbbStream(const IbbStream&) = delete;
  IbbStream& operator=(const IbbStream&) = delete;

  // The local receiver (a JID of this component), the remote sender, the session id.
  const Jid& jid() const { return jid_; }
  const Jid& from() const { return from_; }
  const std::string& sid() const { return sid_; }
  std::size_t block_size() const { return block_size_; }
  IbbStanza stanza() const { return stanza_; }
  // Decoded bytes accepted so far (read or still buffered).
  std::uint64_t bytes_received() const { return bytes_received_; }
  // Still receiving: neither closed by the peer nor aborted.
  bool is_open() const { return state_ == State::open; }

  // The next decoded chunk; nullopt once the peer closed the stream and every chunk was
  // read. Throws StanzaError when the stream was aborted (bad sequence, bad data, size
  // limit, idle timeout, lost connection, abort()). One reader at a time.
  asio::awaitable<std::optional<std::string>> read_chunk();

  // Gives up from the reader's side: the stream is dropped and the peer gets a <close/>.
  void abort(ErrorCondition condition = ErrorCondition::not_acceptable, std::string text = {});

 private:
  friend class detail::IbbCore;
  enum class State { open, closed, aborted };

  // The receiving side, driven by InBandBytestreams.
  // Queues a chunk and returns its index (chunks are numbered from 0 in arrival order).
  std::uint64_t push(std::string chunk);
  // Waits until chunk `index` is within window_ chunks of the reader and every earlier
  // chunk's wait is over (acks go in order), or the stream ended; throws if it was aborted.
  asio::awaitable<void> wait_for_room(std::uint64_t index);
  // Lets the waits at the head of the line go that the reader made room for.
  void release_acks();
  // The peer closed: the reader drains what is buffered, then sees the end.
  void finish();
  // Aborted: the reader and waiting acks see `error`.
  void fail(StanzaError error);
  void touch() { last_activity_ = Clock::now(); }
  void start_idle_timer(std::chrono::milliseconds timeout, AbortHook on_abort);
  void arm_idle_timer(Clock::duration after);
  void on_idle_timer();
  void wake();

  struct AckWaiter {
    std::uint64_t index;
    asio::steady_timer timer;
    bool released = false;
  };

  Jid jid_;
  Jid from_;
  std::string sid_;
  std::size_t block_size_;
  IbbStanza stanza_;
  State state_ = State::open;
  std::optional<StanzaError> error_;
  std::uint16_t next_seq_ = 0;  // wraps from 65535 to 0 by unsigned arithmetic
  std::uint64_t bytes_received_ = 0;
  std::deque<std::string> chunks_;
  std::size_t buffered_bytes_ = 0;
  std::uint64_t pushed_ = 0;  // chunks ever queued
  std::uint64_t taken_ = 0;   // chunks ever read
  std::size_t window_ = 8;
  // Acks waiting for room, in chunk order; each waiter is woken alone (no thundering herd
  // when a sender pipelines many chunks). `releasing_`: woken but not yet resumed.
  std::deque<AckWaiter*> ack_waiters_;
  std::size_t releasing_ = 0;
  // Never expires on its own: cancel() wakes the reader.
  asio::steady_timer readable_;
  asio::steady_timer idle_;
  std::chrono::milliseconds idle_timeout_{0};
  Clock::time_point last_activity_ = Clock::now();
  AbortHook on_abort_;
};

}  // namespace legate
