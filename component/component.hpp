// Component: the facade a gateway builds on — the connection, the router, and the
// built-in services of the component JID (disco, XEP-0199 ping, XEP-0092 version).
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "asio.hpp"
#include "connection.hpp"
#include "disco.hpp"
#include "jid.hpp"
#include "metrics.hpp"
#include "router.hpp"

namespace legate {

inline constexpr std::string_view kPingNs = "urn:xmpp:ping";
inline constexpr std::string_view kVersionNs = "jabber:iq:version";

struct SoftwareVersion {
  std::string name = "legate";
  std::string version = "0.1.0";
  std::string os;  // empty: not disclosed
};

// The <query xmlns='jabber:iq:version'/> of a reply (XEP-0092).
Element version_query(const SoftwareVersion& version);

class Component {
 public:
  Component(asio::any_io_executor executor, ConnectionOptions options);
  Component(const Component&) = delete;
  Component& operator=(const Component&) = delete;

  const Jid& jid() const { return jid_; }
  Router& router() { return router_; }
  Disco& disco() { return disco_; }
  Connection& connection() { return connection_; }
  // Counters and gauges of this component (and of the gateway built on it).
  Metrics& metrics() { return metrics_; }
  void set_version(SoftwareVersion version) { version_ = std::move(version); }
  const SoftwareVersion& version() const { return version_; }
  // Answers disco#info, disco#items, ping and version for other JIDs of this component
  // (a gateway's contacts); without one they get service-unavailable.
  void set_entity_handler(Router::IqHandler handler) { entity_handler_ = std::move(handler); }
  // Adds per-requester items to the component's own disco#items (e.g. the user's rooms).
  using ItemsExtension = std::function<void(const Element& iq, Element& items)>;
  void set_items_extension(ItemsExtension extension) { items_extension_ = std::move(extension); }
  // Answers disco#info/#items of the component JID that name a node (e.g. ad-hoc
  // commands); without one they get item-not-found.
  void set_node_handler(Router::IqHandler handler) { node_handler_ = std::move(handler); }

  void send(const Element& stanza) { connection_.send(stanza); }
  asio::awaitable<Element> request(Element iq,
                                   std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    return router_.request(std::move(iq), timeout);
  }

  // Called after every successful handshake (the first one and each reconnect).
  void on_connected(std::function<void()> callback) {
    connected_callbacks_.push_back(std::move(callback));
  }
  // Called each time the stream is lost (the connection then retries by itself).
  void on_disconnected(std::function<void()> callback) {
    disconnected_callbacks_.push_back(std::move(callback));
  }

  asio::awaitable<void> run() { return connection_.run(); }
  void stop() { connection_.stop(); }

 private:
  void install_builtin_services();
  // Built-in services answer for the component JID itself; other addressees (contacts)
  // go to the entity handler.
  bool for_own_jid(const Element& iq) const;
  Router::IqPayload for_entity(const Element& iq) const;
  Router::IqPayload for_node(const Element& iq) const;
  bool is_caps_node(std::string_view node) const;

  Jid jid_;
  Metrics metrics_;  // before connection_: it counts into it
  Connection connection_;
  Router router_;
  Disco disco_;
  SoftwareVersion version_;
  Router::IqHandler entity_handler_;
  ItemsExtension items_extension_;
  Router::IqHandler node_handler_;
  std::vector<std::function<void()>> connected_callbacks_;
  std::vector<std::function<void()>> disconnected_callbacks_;
};

}  // namespace legate
