// Internal to InBandBytestreams (shared by ibb.cpp, ibb_receive.cpp and ibb_send.cpp; it is
// installed only because every layer header is): the state behind the public object, owned
// jointly with the router's handlers so that late stanzas never reach freed memory.
#pragma once

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "element.hpp"
#include "ibb.hpp"
#include "router.hpp"

namespace legate::detail {

// (local JID, sid, peer JID): one side of one stream. The peer is part of the key so that
// nobody else can feed, close or probe someone's stream by guessing its sid.
struct StreamKey {
  Jid jid;
  std::string sid;
  Jid from;
  auto operator<=>(const StreamKey&) const = default;
};

// <name xmlns='http://jabber.org/protocol/ibb' sid='…'/>
Element ibb_element(std::string name, std::string_view sid);

class IbbCore : public std::enable_shared_from_this<IbbCore> {
 public:
  struct Outgoing {
    std::optional<StanzaError> failure;  // set when the peer closed or refused mid-stream
  };

  IbbCore(Router& r, IbbOptions o) : router(r), options(std::move(o)) {
    options.window = std::max<std::size_t>(options.window, 1);
  }

  Router::IqPayload handle_open(const Element& iq);
  asio::awaitable<Router::IqPayload> handle_data(Element iq);
  asio::awaitable<Router::IqPayload> handle_close(Element iq);
  void handle_message(Element& message);
  // Ends a received stream from our side; `notify_peer` sends it a <close/>.
  void abort_stream(IbbStream& stream, const StanzaError& error, bool notify_peer);
  // Fails every stream (connection lost, service gone).
  void drop_all(const StanzaError& error);
  bool default_authorized_sid(const Jid& jid, std::string_view sid, const Jid& from);
  static asio::awaitable<void> send(std::shared_ptr<IbbCore> self, Jid from, Jid to,
                                    std::string sid, InBandBytestreams::ByteSource source,
                                    IbbSendOptions send_options);

  Router& router;
  IbbOptions options;
  bool detached = false;  // the InBandBytestreams object is gone
  InBandBytestreams::AuthHook authorized_sid_hook;
  InBandBytestreams::AuthHook authorized_hook;
  InBandBytestreams::StreamHandler stream_handler;
  std::set<StreamKey> preauthorized;
  std::map<StreamKey, std::shared_ptr<IbbStream>> streams;
  std::map<StreamKey, std::shared_ptr<Outgoing>> outgoing;

 private:
  void check_open(const Element& iq, const Jid& jid, const Jid& from);
  // Validates one <data/> chunk and queues it on its stream; throws StanzaError (after
  // aborting the stream when the chunk breaks it). `index` is the chunk's number.
  std::shared_ptr<IbbStream> take_data(const Element& stanza, const Element& data,
                                       std::uint64_t& index);
  [[noreturn]] void fail(IbbStream& stream, StanzaError error);
  void close_by_peer(const Element& iq);
  void send_close(const Jid& from, const Jid& to, std::string_view sid);
};

}  // namespace legate::detail
