// Component wiring and the built-in disco/ping/version services.
#include "component/component.hpp"

#include <spdlog/spdlog.h>

#include "component/caps.hpp"

namespace legate {

Component::Component(asio::any_io_executor executor, ConnectionOptions options)
    : jid_(options.jid), connection_(executor, std::move(options)), router_(executor, connection_) {
  if (jid_.has_local() || jid_.has_resource())
    throw JidError("component JID must be a bare domain: " + jid_.str());
  connection_.set_metrics(&metrics_);
  connection_.on_stanza([this](Element& stanza) { router_.dispatch(stanza); });
  connection_.on_state([this](bool up) {
    if (!up) {
      router_.fail_pending("component stream lost");
      for (const auto& callback : disconnected_callbacks_) callback();
      return;
    }
    for (const auto& callback : connected_callbacks_) callback();
  });
  install_builtin_services();
}

bool Component::for_own_jid(const Element& iq) const {
  const std::string_view raw_to = iq.attr_or("to");
  if (raw_to == jid_.full()) return true;  // the usual case, without parsing
  auto to = Jid::parse(raw_to);
  return to && *to == jid_;
}

Element version_query(const SoftwareVersion& version) {
  Element query("query", std::string(kVersionNs));
  query.add_child("name", std::string(kVersionNs)).set_text(version.name);
  query.add_child("version", std::string(kVersionNs)).set_text(version.version);
  if (!version.os.empty()) query.add_child("os", std::string(kVersionNs)).set_text(version.os);
  return query;
}

bool Component::is_caps_node(std::string_view node) const {
  const std::string_view ver = disco_.caps_ver();
  return node.size() == kCapsNode.size() + 1 + ver.size() && node.starts_with(kCapsNode) &&
         node[kCapsNode.size()] == '#' && node.ends_with(ver);
}

Router::IqPayload Component::for_node(const Element& iq) const {
  if (!node_handler_) throw StanzaError(ErrorCondition::item_not_found, "unknown node");
  return node_handler_(iq);
}

Router::IqPayload Component::for_entity(const Element& iq) const {
  if (!entity_handler_) throw StanzaError(ErrorCondition::service_unavailable);
  return entity_handler_(iq);
}

void Component::install_builtin_services() {
  router_.on_iq(IqType::get, "query", kDiscoInfoNs, [this](const Element& iq) -> Router::IqPayload {
    if (!for_own_jid(iq)) return for_entity(iq);
    const std::string_view node = iq.first_child()->attr_or("node");
    if (node.empty()) return disco_.info();
    // XEP-0115 §6.2: the caps of the component's presences name "node#ver".
    if (is_caps_node(node)) {
      Element info = disco_.info();
      info.set_attr("node", node);
      return info;
    }
    return for_node(iq);
  });
  router_.on_iq(IqType::get, "query", kDiscoItemsNs,
                [this](const Element& iq) -> Router::IqPayload {
                  if (!for_own_jid(iq)) return for_entity(iq);
                  if (!iq.first_child()->attr_or("node").empty()) return for_node(iq);
                  if (!items_extension_) return disco_.items();
                  Element items = disco_.items();
                  items_extension_(iq, items);
                  return items;
                });
  router_.on_iq(IqType::get, "ping", kPingNs, [this](const Element& iq) -> Router::IqPayload {
    if (!for_own_jid(iq)) return for_entity(iq);
    return std::nullopt;
  });
  router_.on_iq(IqType::get, "query", kVersionNs, [this](const Element& iq) -> Router::IqPayload {
    if (!for_own_jid(iq)) return for_entity(iq);
    return version_query(version_);
  });
  disco_.add_feature(kPingNs);
  disco_.add_feature(kVersionNs);
}

}  // namespace legate
