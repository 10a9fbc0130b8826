// XEP-0047 In-Band Bytestreams over a Component, both directions: accepts streams that peers
// open to any JID of the component (data over iq or message stanzas) and hands each to the
// consumer as an IbbStream; sends byte sources to peers. Hooks and registry follow slixmpp's
// xep_0047 plugin (authorized_sid, authorized, preauthorize_sid, get/set/del_stream).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "asio.hpp"
#include "ibb_stream.hpp"
#include "jid.hpp"

namespace legate {

class Component;
class Element;

struct IbbOptions {
  // Largest block-size accepted in an <open/> (slixmpp's default block size); larger ones
  // are refused with resource-constraint so that the peer retries smaller.
  std::size_t max_block_size = 4096;
  // Decoded bytes one received stream may carry; beyond, it is aborted (not-acceptable).
  std::uint64_t max_stream_bytes = 100 * 1024 * 1024;
  // Chunks a received stream buffers for its reader before the acks of iq data wait.
  std::size_t window = 8;
  // Buffered bytes beyond which a stream is aborted (resource-constraint): reached only by a
  // sender that does not wait for acks (pipelined iqs, or message data outrunning the reader).
  std::size_t max_buffered_bytes = 256 * 1024;
  // Concurrent received streams per peer (bare JID) and in all; more: resource-constraint.
  // Buffered data is thus bounded by max_streams * max_buffered_bytes (64 MiB by default).
  std::size_t max_streams_per_peer = 16;
  std::size_t max_streams = 256;
  // A received stream with no data, close or read for this long is aborted (0: never).
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
  // How long our own open/data/close iqs wait for the peer's answer.
  std::chrono::milliseconds request_timeout{std::chrono::seconds(30)};
  // The default `authorized` hook's answer for streams nobody preauthorized.
  bool auto_accept = false;
};

struct IbbSendOptions {
  std::size_t block_size = 4096;  // 1..65535 (XEP-0047 §2.1)
  IbbStanza stanza = IbbStanza::iq;
  // Message transport has no acks: this pause between chunks (0: just yield) keeps a fast
  // source from filling the connection's bounded send queue.
  std::chrono::milliseconds message_interval{std::chrono::milliseconds(5)};
};

namespace detail {
class IbbCore;
}

class InBandBytestreams {
 public:
  // jid: the local receiver (a JID of this component); sid: the stream id; from: the peer;
  // iq: the <open/> request.
  using AuthHook =
      std::function<bool(const Jid& jid, std::string_view sid, const Jid& from, const Element& iq)>;
  using StreamHandler = std::function<void(std::shared_ptr<IbbStream> stream)>;
  // Yields the bytes to send piece by piece (any sizes; re-chunked), nullopt at the end.
  using ByteSource = std::function<asio::awaitable<std::optional<std::string>>()>;

  // Registers the iq handlers (open, data, close), the message interception of <data/> and
  // the disco feature. Must be destroyed before the component; the component's router keeps
  // the shared state alive, and refuses IBB stanzas with service-unavailable afterwards.
  explicit InBandBytestreams(Component& component, IbbOptions options = {});
  ~InBandBytestreams();
  InBandBytestreams(const InBandBytestreams&) = delete;
  InBandBytestreams& operator=(const InBandBytestreams&) = delete;

  const IbbOptions& options() const;
  void set_auto_accept(bool accept);

  // Called (posted, after the open's result) for every accepted stream. Without a handler
  // streams are refused (not-acceptable): nobody would read them.
  void on_stream(StreamHandler handler);

  // Authorization of an <open/>: authorized_sid first (default: the sid was preauthorized,
  // which is then consumed), then authorized (default: options().auto_accept).
  void set_authorized_sid(AuthHook hook);
  void set_authorized(AuthHook hook);
  bool authorized_sid(const Jid& jid, std::string_view sid, const Jid& from, const Element& iq);
  bool authorized(const Jid& jid, std::string_view sid, const Jid& from, const Element& iq);
  // Accept the next <open/> of `sid` from `from` to `jid` (e.g. negotiated by XEP-0095/0234).
  void preauthorize_sid(const Jid& jid, std::string_view sid, const Jid& from);

  // Registry of received streams, keyed by (local jid, sid, peer).
  std::shared_ptr<IbbStream> get_stream(const Jid& jid, std::string_view sid,
                                        const Jid& from) const;
  void set_stream(std::shared_ptr<IbbStream> stream);
  bool del_stream(const Jid& jid, std::string_view sid, const Jid& from);
  std::size_t stream_count() const;

  // Sends `source` from `from` (a JID of this component) to `to`: open (a refusal throws its
  // StanzaError), data chunks of options.block_size (over iq: each waits for its ack), close.
  // An empty sid gets a fresh random one. Failures throw StanzaError (the peer's error,
  // remote-server-timeout, conflict for a sid in use) or whatever the source threw; after a
  // successful open, a best-effort <close/> goes first. A block size outside 1..65535
  // throws std::invalid_argument.
  asio::awaitable<void> send(Jid from, Jid to, std::string sid, ByteSource source,
                             IbbSendOptions options = {});
  // The same for bytes in memory; `bytes` must stay valid until the send completes.
  asio::awaitable<void> send(Jid from, Jid to, std::string sid, std::string_view bytes,
                             IbbSendOptions options = {});
  // A random stream id (128 bits, hex).
  static std::string make_sid();

 private:
  std::shared_ptr<detail::IbbCore> core_;
};

}  // namespace legate
