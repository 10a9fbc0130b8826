// The sending side of XEP-0047: open, data chunks over iq (each awaiting its ack) or
// message (paced), close; a best-effort close when anything fails after the open.
#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <stdexcept>

#include "component/base64.hpp"
#include "component/ibb_core.hpp"
#include "component/scope_exit.hpp"

namespace legate::detail {

asio::awaitable<void> IbbCore::send(std::shared_ptr<IbbCore> self, Jid from, Jid to,
                                    std::string sid, InBandBytestreams::ByteSource source,
                                    IbbSendOptions send_options) {
  const std::size_t block_size = send_options.block_size;
  if (block_size == 0 || block_size > 65535)
    throw std::invalid_argument("IBB block size must be 1..65535");
  if (self->detached) throw StanzaError(ErrorCondition::service_unavailable);
  if (sid.empty()) {
    do sid = InBandBytestreams::make_sid();
    while (self->outgoing.contains(StreamKey{from, sid, to}));
  }
  StreamKey key{from, sid, to};
  if (self->outgoing.contains(key) || self->streams.contains(key))
    throw StanzaError(ErrorCondition::conflict, ErrorType::cancel, "sid already in use");
  auto state = std::make_shared<Outgoing>();
  self->outgoing.emplace(key, state);
  ScopeExit unregister{[&core = *self, &key, registered = state.get()] {
    auto it = core.outgoing.find(key);
    if (it != core.outgoing.end() && it->second.get() == registered) core.outgoing.erase(it);
  }};

  const bool over_iq = send_options.stanza == IbbStanza::iq;
  const auto timeout = self->options.request_timeout;
  Element open = make_iq(IqType::set, from.full(), to.full(), "");
  open.add_child(ibb_element("open", sid))
      .set_attr("block-size", std::to_string(block_size))
      .set_attr("stanza", to_string(send_options.stanza));
  try {
    co_await self->router.request(std::move(open), timeout);
  } catch (const StanzaError& e) {
    spdlog::info("IBB stream {} from {} to {} refused: {}", sid, from.full(), to.full(), e.what());
    throw;
  }
  spdlog::info("IBB stream {} from {} to {} opened (block-size {}, over {})", sid, from.full(),
               to.full(), block_size, to_string(send_options.stanza));

  std::string pending;  // bytes from the source not yet sent, from `offset` on
  std::size_t offset = 0;
  bool exhausted = false;
  std::uint16_t seq = 0;  // wraps from 65535 to 0 (XEP-0047 §2.2)
  std::uint64_t sent = 0;
  bool closing = false;
  const asio::any_io_executor executor = self->router.executor();  // named: see co_await below
  asio::steady_timer pause(executor);
  try {
    for (;;) {
      while (!exhausted && pending.size() - offset < block_size) {
        std::optional<std::string> piece = co_await source();
        if (!piece) {
          exhausted = true;
        } else {
          pending.erase(0, offset);
          offset = 0;
          pending += *piece;
        }
      }
      if (offset == pending.size()) break;
      if (state->failure) throw *state->failure;
      const std::string_view chunk = std::string_view(pending).substr(offset, block_size);
      Element data = ibb_element("data", sid);
      data.set_attr("seq", std::to_string(seq));
      data.set_text(base64_encode(chunk));
      offset += chunk.size();
      if (over_iq) {
        Element iq = make_iq(IqType::set, from.full(), to.full(), "");
        iq.add_child(std::move(data));
        co_await self->router.request(std::move(iq), timeout);
      } else {
        Element message = make_message(from.full(), to.full(), {});
        message.set_attr("id", self->router.next_id());
        message.add_child(std::move(data));
        self->router.outbox().send(message);
        if (send_options.message_interval.count() > 0) {
          pause.expires_after(send_options.message_interval);
          co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
        } else {
          co_await asio::post(executor, asio::use_awaitable);  // let others run
        }
      }
      ++seq;
      sent += chunk.size();
    }
    if (state->failure) throw *state->failure;
    Element close = make_iq(IqType::set, from.full(), to.full(), "");
    close.add_child(ibb_element("close", sid));
    closing = true;
    co_await self->router.request(std::move(close), timeout);
  } catch (const std::exception& e) {
    spdlog::warn("IBB stream {} from {} to {} failed after {} bytes: {}", sid, from.full(),
                 to.full(), sent, e.what());
    // Harmless if the peer already dropped the stream (it answers item-not-found, ignored).
    if (!closing && !self->detached) self->send_close(from, to, sid);
    throw;
  }
  spdlog::info("IBB stream {} from {} to {} sent {} bytes and closed", sid, from.full(), to.full(),
               sent);
}

}  // namespace legate::detail
