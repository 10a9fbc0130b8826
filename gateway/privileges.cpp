// XEP-0356 grants and roster pushes.
#include "gateway/privileges.hpp"

#include "component/stanza.hpp"

namespace legate {

std::optional<Privileges> parse_privileges(const Element& message) {
  const Element* privilege = message.child("privilege", kPrivilegeNs);
  if (!privilege) return std::nullopt;
  Privileges grants;
  for (const auto& perm : privilege->children()) {
    if (!perm.is("perm", kPrivilegeNs)) continue;
    const std::string_view access = perm.attr_or("access");
    if (access == "roster") grants.roster = perm.attr_or("type");
    if (access == "message") grants.message = perm.attr_or("type");
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

}  // namespace legate
