// The receiving side of XEP-0047: <open/>, <data/> over iq and message, <close/>, and
// the aborts of received streams.
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <charconv>

#include "component/base64.hpp"
#include "component/ibb_core.hpp"

namespace legate::detail {
namespace {

// XEP-0047 only asks for an NMTOKEN; we bound the length and refuse blanks and control
// characters, which no NMTOKEN has, so that the sid is safe to log and to key on.
bool valid_sid(std::string_view sid) {
  if (sid.empty() || sid.size() > 256) return false;
  for (unsigned char c : sid)
    if (c <= 0x20 || c == 0x7F) return false;
  return true;
}

// The receiver (our JID) and the peer of an inbound stanza.
std::pair<Jid, Jid> addresses(const Element& stanza) {
  auto to = Jid::parse(stanza.attr_or("to"));
  auto from = Jid::parse(stanza.attr_or("from"));
  if (!to || !from)
    throw StanzaError(ErrorCondition::bad_request, ErrorType::modify, "missing or invalid address");
  return {std::move(*to), std::move(*from)};
}

}  // namespace

Element ibb_element(std::string name, std::string_view sid) {
  Element e(std::move(name), std::string(kIbbNs));
  e.set_attr("sid", sid);
  return e;
}

void IbbCore::check_open(const Element& iq, const Jid& jid, const Jid& from) {
  const Element& open = *iq.first_child();
  const std::string_view sid = open.attr_or("sid");
  if (!valid_sid(sid))
    throw StanzaError(ErrorCondition::bad_request, ErrorType::modify, "missing or invalid sid");
  const std::string_view size_text = open.attr_or("block-size");
  std::size_t block_size = 0;
  auto [end, ec] =
      std::from_chars(size_text.data(), size_text.data() + size_text.size(), block_size);
  const bool too_large = ec == std::errc::result_out_of_range;
  if (size_text.empty() || end != size_text.data() + size_text.size() ||
      (ec != std::errc() && !too_large) || (!too_large && block_size == 0)) {
    throw StanzaError(ErrorCondition::bad_request, ErrorType::modify, "invalid block-size");
  }
  const std::string_view stanza = open.attr_or("stanza", "iq");
  if (stanza != "iq" && stanza != "message")
    throw StanzaError(ErrorCondition::bad_request, ErrorType::modify, "invalid stanza attribute");
  // XEP-0047 §2.1: too large a block-size gets resource-constraint (modify: retry smaller).
  // Checked, like every refusal, before authorization, which may consume a preauthorization.
  if (too_large || block_size > options.max_block_size) {
    throw StanzaError(ErrorCondition::resource_constraint, ErrorType::modify,
                      "block-size above " + std::to_string(options.max_block_size));
  }
  // A second <open/> for a live sid: XEP-0047 names no error for it. RFC 6120's conflict
  // ("an existing resource exists with the same name") fits, and leaves the live stream
  // untouched rather than letting a repeated open reset it.
  StreamKey key{jid, std::string(sid), from};
  if (streams.contains(key) || outgoing.contains(key))
    throw StanzaError(ErrorCondition::conflict, ErrorType::cancel, "sid already in use");
  // Per bare JID: a peer's resources share its quota.
  std::size_t from_peer = 0;
  for (const auto& [k, s] : streams)
    if (k.from.local() == from.local() && k.from.domain() == from.domain()) ++from_peer;
  if (streams.size() >= options.max_streams || from_peer >= options.max_streams_per_peer)
    throw StanzaError(ErrorCondition::resource_constraint, ErrorType::wait, "too many streams");
  if (!stream_handler)
    throw StanzaError(ErrorCondition::not_acceptable, ErrorType::cancel, "no consumer for streams");
  // XEP-0047 §2.1: a responder that does not wish to proceed answers not-acceptable.
  const bool accepted =
      (authorized_sid_hook ? authorized_sid_hook(jid, sid, from, iq)
                           : default_authorized_sid(jid, sid, from)) ||
      (authorized_hook ? authorized_hook(jid, sid, from, iq) : options.auto_accept);
  if (!accepted) throw StanzaError(ErrorCondition::not_acceptable, ErrorType::cancel, {});
  auto stream =
      std::make_shared<IbbStream>(router.executor(), jid, from, std::string(sid), block_size,
                                  stanza == "message" ? IbbStanza::message : IbbStanza::iq);
  stream->window_ = options.window;
  stream->start_idle_timer(options.idle_timeout,
                           [weak = weak_from_this()](IbbStream& s, const StanzaError& e) {
                             if (auto core = weak.lock()) core->abort_stream(s, e, true);
                           });
  streams.emplace(std::move(key), stream);
  spdlog::info("IBB stream {} from {} to {} accepted (block-size {}, over {})", stream->sid(),
               from.full(), jid.full(), block_size, stanza);
  // After the open's result goes out, so the consumer's first stanzas follow it.
  asio::post(router.executor(), [handler = stream_handler, stream] { handler(stream); });
}

Router::IqPayload IbbCore::handle_open(const Element& iq) {
  if (detached) throw StanzaError(ErrorCondition::service_unavailable);
  auto [jid, from] = addresses(iq);
  try {
    check_open(iq, jid, from);
  } catch (const StanzaError& e) {
    const std::string_view sid = iq.first_child()->attr_or("sid");
    spdlog::info("IBB stream {} from {} to {} refused: {}", valid_sid(sid) ? sid : "(invalid)",
                 from.full(), jid.full(), e.what());
    throw;
  }
  return std::nullopt;
}

bool IbbCore::default_authorized_sid(const Jid& jid, std::string_view sid, const Jid& from) {
  auto it = preauthorized.find(StreamKey{jid, std::string(sid), from});
  if (it == preauthorized.end()) return false;
  preauthorized.erase(it);  // one stream per preauthorization, as in slixmpp
  return true;
}

void IbbCore::fail(IbbStream& stream, StanzaError error) {
  abort_stream(stream, error, false);  // the error reply tells the peer
  throw error;
}

std::shared_ptr<IbbStream> IbbCore::take_data(const Element& stanza, const Element& data,
                                              std::uint64_t& index) {
  if (detached) throw StanzaError(ErrorCondition::service_unavailable);
  auto [jid, from] = addresses(stanza);
  const std::string_view sid = data.attr_or("sid");
  if (sid.empty()) throw StanzaError(ErrorCondition::bad_request, ErrorType::modify, "missing sid");
  auto it = streams.find(StreamKey{std::move(jid), std::string(sid), std::move(from)});
  if (it == streams.end()) {
    spdlog::debug("IBB data for unknown stream {} from {}", valid_sid(sid) ? sid : "(invalid)",
                  stanza.attr_or("from"));
    throw StanzaError(ErrorCondition::item_not_found, ErrorType::cancel, "unknown stream");
  }
  std::shared_ptr<IbbStream> stream = it->second;
  IbbStream& s = *stream;
  s.touch();
  const std::string_view seq_text = data.attr_or("seq");
  std::uint16_t seq = 0;
  auto [end, ec] = std::from_chars(seq_text.data(), seq_text.data() + seq_text.size(), seq);
  if (seq_text.empty() || ec != std::errc() || end != seq_text.data() + seq_text.size())
    fail(s, StanzaError(ErrorCondition::bad_request, ErrorType::modify, "invalid seq"));
  // XEP-0047 §2.2: a repeated or skipped seq gets unexpected-request, and the stream is
  // over (a lost or duplicated chunk cannot be repaired in IBB).
  if (seq != s.next_seq_) {
    fail(s, StanzaError(ErrorCondition::unexpected_request, ErrorType::cancel,
                        "expected seq " + std::to_string(s.next_seq_)));
  }
  ++s.next_seq_;
  // RFC 4648 §4 only; line breaks are tolerated since the XEP's own examples wrap lines.
  auto bytes = base64_decode(data.text(), Base64Whitespace::skip);
  if (!bytes)
    fail(s, StanzaError(ErrorCondition::bad_request, ErrorType::modify, "invalid base64"));
  if (bytes->size() > s.block_size()) {
    fail(s, StanzaError(ErrorCondition::resource_constraint, ErrorType::cancel,
                        "chunk larger than block-size " + std::to_string(s.block_size())));
  }
  if (s.bytes_received_ + bytes->size() > options.max_stream_bytes) {
    fail(s,
         StanzaError(ErrorCondition::not_acceptable, ErrorType::cancel,
                     "stream larger than " + std::to_string(options.max_stream_bytes) + " bytes"));
  }
  if (s.buffered_bytes_ + bytes->size() > options.max_buffered_bytes) {
    fail(s, StanzaError(ErrorCondition::resource_constraint, ErrorType::cancel,
                        "receiver buffer full"));
  }
  s.bytes_received_ += bytes->size();
  index = s.push(std::move(*bytes));
  return stream;
}

asio::awaitable<Router::IqPayload> IbbCore::handle_data(Element iq) {
  std::uint64_t index = 0;
  std::shared_ptr<IbbStream> stream = take_data(iq, *iq.first_child(), index);
  // Flow control: the ack (our result) goes once the chunk is within the reader's window.
  co_await stream->wait_for_room(index);
  co_return std::nullopt;
}

void IbbCore::handle_message(Element& message) {
  const Element* data = message.child("data", kIbbNs);
  if (message.attr_or("type") == "error") {
    // The peer refused a chunk we sent as a message: our send stops at its next chunk.
    auto to = Jid::parse(message.attr_or("to"));
    auto from = Jid::parse(message.attr_or("from"));
    if (!to || !from) return;
    auto it = outgoing.find(StreamKey{*to, std::string(data->attr_or("sid")), *from});
    if (it != outgoing.end() && !it->second->failure)
      it->second->failure = StanzaError::from_stanza(message);
    return;
  }
  // A refusal becomes a message error (Router::dispatch); the stream is already aborted.
  std::uint64_t index = 0;
  take_data(message, *data, index);
}

void IbbCore::close_by_peer(const Element& iq) {
  if (detached) throw StanzaError(ErrorCondition::service_unavailable);
  auto [jid, from] = addresses(iq);
  const std::string_view sid = iq.first_child()->attr_or("sid");
  if (sid.empty()) throw StanzaError(ErrorCondition::bad_request, ErrorType::modify, "missing sid");
  StreamKey key{std::move(jid), std::string(sid), std::move(from)};
  if (auto it = streams.find(key); it != streams.end()) {
    std::shared_ptr<IbbStream> stream = std::move(it->second);
    streams.erase(it);
    spdlog::info("IBB stream {} from {} to {} closed after {} bytes", stream->sid(),
                 stream->from().full(), stream->jid().full(), stream->bytes_received());
    stream->finish();
    return;
  }
  // XEP-0047 §3: either party may close; for a stream we send, that stops our sending.
  if (auto it = outgoing.find(key); it != outgoing.end()) {
    if (!it->second->failure)
      it->second->failure = StanzaError(ErrorCondition::not_acceptable, ErrorType::cancel,
                                        "the peer closed the stream");
    return;
  }
  throw StanzaError(ErrorCondition::item_not_found, ErrorType::cancel, "unknown stream");
}

asio::awaitable<Router::IqPayload> IbbCore::handle_close(Element iq) {
  // A coroutine only so that it runs after the data iqs that came before it (those wait
  // in line as coroutines too): a pipelined last chunk is not lost to its own close.
  close_by_peer(iq);
  co_return std::nullopt;
}

void IbbCore::send_close(const Jid& from, const Jid& to, std::string_view sid) {
  // Fire and forget: the answer (whatever it is) finds no waiter and is dropped.
  Element iq = make_iq(IqType::set, from.full(), to.full(), router.next_id());
  iq.add_child(ibb_element("close", sid));
  router.outbox().send(iq);
}

void IbbCore::abort_stream(IbbStream& stream, const StanzaError& error, bool notify_peer) {
  if (!stream.is_open()) return;
  auto it = streams.find(StreamKey{stream.jid(), stream.sid(), stream.from()});
  if (it != streams.end() && it->second.get() == &stream) streams.erase(it);
  spdlog::warn("IBB stream {} from {} to {} aborted after {} bytes: {}", stream.sid(),
               stream.from().full(), stream.jid().full(), stream.bytes_received(), error.what());
  if (notify_peer && !detached) send_close(stream.jid(), stream.from(), stream.sid());
  stream.fail(error);
}

void IbbCore::drop_all(const StanzaError& error) {
  auto dropped = std::move(streams);
  streams.clear();
  for (auto& [key, stream] : dropped) abort_stream(*stream, error, false);
  for (auto& [key, state] : outgoing)
    if (!state->failure) state->failure = error;
}

}  // namespace legate::detail
