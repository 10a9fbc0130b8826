// Router: dispatches inbound stanzas to handlers registered by kind, iq type and payload
// (name + namespace), answers every inbound iq get/set exactly once, and tracks our own
// outbound iqs so they can be co_awaited with a timeout.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "asio.hpp"
#include "element.hpp"
#include "outbox.hpp"
#include "stanza.hpp"
#include "task_group.hpp"

namespace legate {

class Router {
 public:
  // An iq handler returns the payload of the result (nullopt: an empty result) or throws
  // StanzaError to refuse; any other exception becomes internal-server-error.
  using IqPayload = std::optional<Element>;
  using IqHandler = std::function<IqPayload(const Element& iq)>;
  using AsyncIqHandler = std::function<asio::awaitable<IqPayload>(Element iq)>;
  // Message and presence handlers may move from the stanza.
  using StanzaHandler = std::function<void(Element& stanza)>;
  using Clock = std::chrono::steady_clock;

  Router(asio::any_io_executor executor, Outbox& outbox);
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  void on_iq(IqType type, std::string_view name, std::string_view ns, IqHandler handler);
  void on_iq_async(IqType type, std::string_view name, std::string_view ns, AsyncIqHandler handler);
  void on_message(StanzaHandler handler) { message_handler_ = std::move(handler); }
  void on_presence(StanzaHandler handler) { presence_handler_ = std::move(handler); }
  // Messages with a child `name` in `ns` go to `handler` instead of the message handler
  // (e.g. XEP-0047 data sent as messages, which chat handling must never see). Errors
  // included: the handler decides about those.
  void on_message_payload(std::string_view name, std::string_view ns, StanzaHandler handler);

  // Routes one inbound stanza. Never throws.
  void dispatch(Element& stanza);

  // Sends an iq get/set (an id is assigned when it has none) and waits for the reply from
  // its addressee. Returns the result iq; throws StanzaError for an error reply, or
  // remote-server-timeout when no reply came in time or the connection was lost.
  asio::awaitable<Element> request(Element iq,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Fails every outstanding request (the connection is gone).
  void fail_pending(std::string_view reason);
  std::size_t pending_count() const { return pending_.size(); }
  std::string next_id();

  // The component's background coroutines: async iq handlers run here, and so does every
  // framework task built on this router (cancelled together at shutdown).
  TaskGroup& tasks() { return tasks_; }
  Outbox& outbox() { return outbox_; }
  asio::any_io_executor executor() const { return executor_; }

 private:
  struct Key {
    IqType type;
    std::string name;
    std::string ns;
  };
  struct KeyView {
    IqType type;
    std::string_view name;
    std::string_view ns;
  };
  struct KeyLess {
    using is_transparent = void;
    template <class A, class B>
    bool operator()(const A& a, const B& b) const {
      if (a.type != b.type) return a.type < b.type;
      if (int c = std::string_view(a.ns).compare(b.ns); c != 0) return c < 0;
      return std::string_view(a.name) < std::string_view(b.name);
    }
  };
  struct Handlers {
    IqHandler sync;
    AsyncIqHandler async;
  };
  struct Pending;
  struct PayloadHandler {
    std::string name;
    std::string ns;
    StanzaHandler handler;
  };

  void dispatch_iq(Element& iq);
  bool dispatch_message_payload(Element& message);
  void answer_iq(Element& iq, const Handlers& handlers);
  void deliver_reply(Element& reply);
  void refuse(const Element& stanza, const StanzaError& error);

  asio::any_io_executor executor_;
  Outbox& outbox_;
  std::map<Key, Handlers, KeyLess> iq_handlers_;
  StanzaHandler message_handler_;
  std::vector<PayloadHandler> message_payload_handlers_;  // few: a scan beats a map
  StanzaHandler presence_handler_;
  std::unordered_map<std::string, Pending*> pending_;
  std::string id_prefix_;
  std::uint64_t id_counter_ = 0;
  TaskGroup tasks_;  // last: cancelled before the rest goes
};

}  // namespace legate
