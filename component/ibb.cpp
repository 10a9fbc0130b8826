// InBandBytestreams: wiring into the component (handlers, message interception, disco,
// disconnection), the hooks and registry of slixmpp's API, and the send() entry points.
#include "component/ibb.hpp"

#include <random>

#include "component/component.hpp"
#include "component/ibb_core.hpp"

namespace legate {

InBandBytestreams::InBandBytestreams(Component& component, IbbOptions options)
    : core_(std::make_shared<detail::IbbCore>(component.router(), std::move(options))) {
  Router& router = component.router();
  auto core = core_;
  router.on_iq(IqType::set, "open", kIbbNs,
               [core](const Element& iq) { return core->handle_open(iq); });
  router.on_iq_async(IqType::set, "data", kIbbNs,
                     [core](Element iq) { return core->handle_data(std::move(iq)); });
  router.on_iq_async(IqType::set, "close", kIbbNs,
                     [core](Element iq) { return core->handle_close(std::move(iq)); });
  router.on_message_payload("data", kIbbNs,
                            [core](Element& message) { core->handle_message(message); });
  component.on_disconnected([weak = std::weak_ptr<detail::IbbCore>(core_)] {
    if (auto core = weak.lock())
      core->drop_all(StanzaError(ErrorCondition::remote_server_timeout, ErrorType::cancel,
                                 "component stream lost"));
  });
  component.disco().add_feature(kIbbNs);
}

InBandBytestreams::~InBandBytestreams() {
  // The router still holds the core: make it refuse everything and let go of user code.
  core_->drop_all(StanzaError(ErrorCondition::service_unavailable, ErrorType::cancel,
                              "in-band bytestreams stopped"));
  core_->detached = true;
  core_->stream_handler = nullptr;
  core_->authorized_hook = nullptr;
  core_->authorized_sid_hook = nullptr;
  core_->preauthorized.clear();
}

const IbbOptions& InBandBytestreams::options() const {
  return core_->options;
}

void InBandBytestreams::set_auto_accept(bool accept) {
  core_->options.auto_accept = accept;
}

void InBandBytestreams::on_stream(StreamHandler handler) {
  core_->stream_handler = std::move(handler);
}

void InBandBytestreams::set_authorized_sid(AuthHook hook) {
  core_->authorized_sid_hook = std::move(hook);
}

void InBandBytestreams::set_authorized(AuthHook hook) {
  core_->authorized_hook = std::move(hook);
}

bool InBandBytestreams::authorized_sid(const Jid& jid, std::string_view sid, const Jid& from,
                                       const Element& iq) {
  if (core_->authorized_sid_hook) return core_->authorized_sid_hook(jid, sid, from, iq);
  return core_->default_authorized_sid(jid, sid, from);
}

bool InBandBytestreams::authorized(const Jid& jid, std::string_view sid, const Jid& from,
                                   const Element& iq) {
  if (core_->authorized_hook) return core_->authorized_hook(jid, sid, from, iq);
  return core_->options.auto_accept;
}

void InBandBytestreams::preauthorize_sid(const Jid& jid, std::string_view sid, const Jid& from) {
  core_->preauthorized.insert(detail::StreamKey{jid, std::string(sid), from});
}

std::shared_ptr<IbbStream> InBandBytestreams::get_stream(const Jid& jid, std::string_view sid,
                                                         const Jid& from) const {
  auto it = core_->streams.find(detail::StreamKey{jid, std::string(sid), from});
  return it == core_->streams.end() ? nullptr : it->second;
}

void InBandBytestreams::set_stream(std::shared_ptr<IbbStream> stream) {
  if (!stream) return;
  detail::StreamKey key{stream->jid(), stream->sid(), stream->from()};
  core_->streams[std::move(key)] = std::move(stream);
}

bool InBandBytestreams::del_stream(const Jid& jid, std::string_view sid, const Jid& from) {
  return core_->streams.erase(detail::StreamKey{jid, std::string(sid), from}) > 0;
}

std::size_t InBandBytestreams::stream_count() const {
  return core_->streams.size();
}

asio::awaitable<void> InBandBytestreams::send(Jid from, Jid to, std::string sid, ByteSource source,
                                              IbbSendOptions options) {
  // Not a coroutine itself: the core's coroutine owns a reference to the core.
  return detail::IbbCore::send(core_, std::move(from), std::move(to), std::move(sid),
                               std::move(source), options);
}

asio::awaitable<void> InBandBytestreams::send(Jid from, Jid to, std::string sid,
                                              std::string_view bytes, IbbSendOptions options) {
  // Pieces of 64 KiB, so that the sender never holds more than one piece plus a block.
  ByteSource source = [bytes]() mutable -> asio::awaitable<std::optional<std::string>> {
    if (bytes.empty()) co_return std::nullopt;
    const std::string_view piece = bytes.substr(0, 64 * 1024);
    bytes.remove_prefix(piece.size());
    co_return std::string(piece);
  };
  return send(std::move(from), std::move(to), std::move(sid), std::move(source), options);
}

std::string InBandBytestreams::make_sid() {
  // Seeded with 128 bits: sids need not be secret (streams are keyed by peer too), but
  // must not repeat across restarts.
  thread_local std::mt19937_64 random = [] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device()};
    return std::mt19937_64(seed);
  }();
  static constexpr char kHex[] = "0123456789abcdef";
  std::string sid;
  sid.reserve(32);
  for (int half = 0; half < 2; ++half) {
    std::uint64_t bits = random();
    for (int i = 0; i < 16; ++i, bits >>= 4) sid += kHex[bits & 0xF];
  }
  return sid;
}

}  // namespace legate
