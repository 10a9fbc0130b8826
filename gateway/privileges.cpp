// XEP-0356 grants and roster stanzas.
#include "gateway/privileges.hpp"

namespace legate {
namespace {

bool covers(std::string_view granted, IqType type) {
  if (granted == "both") return true;
  return granted == (type == IqType::get ? "get" : "set");
}

// Every <namespace/> under `node`, however deep.
void collect_namespaces(const Element& node, std::string_view ns, Privileges& grants) {
  for (const auto& child : node.children()) {
    if (child.is("namespace", ns)) {
      const std::string_view payload = child.attr_or("ns");
      const std::string_view type = child.attr_or("type");
      if (!payload.empty() && (type == "get" || type == "set" || type == "both"))
        grants.iq.emplace_back(std::string(payload), std::string(type));
    }
    collect_namespaces(child, ns, grants);
  }
}

std::string short_ns(std::string_view ns) {
  constexpr std::string_view kJabberOrg = "http://jabber.org/protocol/";
  if (ns.starts_with(kJabberOrg)) ns.remove_prefix(kJabberOrg.size());
  return std::string(ns);
}

}  // namespace

bool Privileges::can_iq(IqType type, std::string_view payload_ns) const {
  for (const auto& [ns, granted] : iq)
    if (ns == payload_ns && covers(granted, type)) return true;
  return false;
}

std::string Privileges::describe() const {
  std::string out;
  const auto add = [&out](std::string_view part) {
    if (!out.empty()) out += ", ";
    out += part;
  };
  if (!roster.empty()) add("roster " + roster);
  if (!message.empty()) add("message " + message);
  if (!presence.empty()) add("presence " + presence);
  for (const auto& [ns, type] : iq) add("iq " + short_ns(ns) + " " + type);
  if (out.empty()) out = "nothing";
  out += ns == kPrivilegeV1Ns ? " (privilege:1)" : " (privilege:2)";
  return out;
}

std::optional<Privileges> parse_privileges(const Element& message) {
  const Element* privilege = message.child("privilege", kPrivilegeNs);
  if (!privilege) privilege = message.child("privilege", kPrivilegeV1Ns);
  if (!privilege) return std::nullopt;
  Privileges grants;
  grants.ns = std::string(privilege->ns());
  for (const auto& perm : privilege->children()) {
    if (!perm.is("perm", privilege->ns())) continue;
    const std::string_view access = perm.attr_or("access");
    std::string type(perm.attr_or("type"));
    if (type == "none") type.clear();
    if (access == "roster") grants.roster = std::move(type);
    if (access == "message") grants.message = std::move(type);
    if (access == "presence") grants.presence = std::move(type);
    if (access == "iq") collect_namespaces(perm, privilege->ns(), grants);
  }
  return grants;
}

Element roster_push(std::string_view component, std::string_view user, std::string_view contact,
                    std::string_view name, std::string_view group, std::string_view id) {
  Element iq = make_iq(IqType::set, component, user, id);
  Element& item =
      iq.add_child("query", std::string(kRosterNs)).add_child("item", std::string(kRosterNs));
  item.set_attr("jid", contact).set_attr("subscription", "both");
  if (!name.empty()) item.set_attr("name", name);
  if (!group.empty()) item.add_child("group", std::string(kRosterNs)).set_text(std::string(group));
  return iq;
}

Element roster_removal(std::string_view component, std::string_view user, std::string_view contact,
                       std::string_view id) {
  Element iq = make_iq(IqType::set, component, user, id);
  iq.add_child("query", std::string(kRosterNs))
      .add_child("item", std::string(kRosterNs))
      .set_attr("jid", contact)
      .set_attr("subscription", "remove");
  return iq;
}

Element roster_get(std::string_view component, std::string_view user, std::string_view id) {
  Element iq = make_iq(IqType::get, component, user, id);
  iq.add_child("query", std::string(kRosterNs));
  return iq;
}

void to_client_namespace(Element& element) {
  if (element.ns() == kComponentNs) element.set_ns(std::string(kClientNs));
  for (auto& child : element.children()) to_client_namespace(child);
}

}  // namespace legate
