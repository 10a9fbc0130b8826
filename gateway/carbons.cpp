// Carbons: privileged messages, their echo, and the admin's notice.
#include "gateway/carbons.hpp"

#include <spdlog/spdlog.h>

#include "component/stanza.hpp"

namespace legate {

std::string Carbons::next_id() {
  std::string id(kCarbonIdPrefix);
  id += p_.component.router().next_id();
  return id;
}

bool Carbons::inject(const Jid& user, Element message) {
  const Privileges* grants = p_.grants.of(user);
  if (!grants || !grants->can_send_messages()) {
    tell_not_granted(user, grants ? grants->message_unusable : std::string());
    return false;
  }
  to_client_namespace(message);
  Element outer("message", std::string(kComponentNs));
  outer.set_attr("from", p_.component.jid().str()).set_attr("to", user.domain());
  outer.add_child("privilege", grants->ns)
      .add_child("forwarded", std::string(kForwardNs))
      .add_child(std::move(message));
  p_.component.send(outer);
  return true;
}

bool Carbons::is_echo(const Element& stanza) {
  if (!stanza.attr_or("id").starts_with(kCarbonIdPrefix)) return false;
  // Clients send from a full JID; a bare one is the server injecting on our behalf.
  const auto from = stanza.attr("from");
  return from && from->find('/') == std::string_view::npos;
}

void Carbons::tell_not_granted(const Jid& user, std::string_view unusable) {
  const std::string domain(user.domain());
  if (!told_.insert(domain).second) return;
  const bool fallback = p_.fallback == CarbonsFallback::prefix;
  const char* shown =
      fallback ? "shown as the contact's messages (carbons_fallback)" : "not shown in XMPP";
  if (unusable.empty())
    spdlog::warn(
        "XEP-0356: {} does not grant the gateway message permission: what users of {} do in "
        "the legacy app is {} (grant message = \"outgoing\", see docs/admin.md)",
        domain, domain, shown);
  else
    spdlog::warn(
        "XEP-0356: the message permission of {} is unusable ({}): what users of {} do in the "
        "legacy app is {} (see docs/admin.md)",
        domain, unusable, domain, shown);
  const std::string notice =
      "carbons off for " + domain +
      (unusable.empty() ? " (no XEP-0356 message permission)"
                        : " (the server's XEP-0356 message permission is unusable)");
  for (const Jid& admin : p_.admins) p_.status.add_notice(admin, notice);
}

}  // namespace legate
