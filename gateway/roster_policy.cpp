// RosterPolicy: roster pushes vs subscriptions.
#include "gateway/roster_policy.hpp"

#include <spdlog/spdlog.h>

#include "legacy/contact_stanzas.hpp"
#include "legacy/session.hpp"

namespace legate {

RosterPolicy::RosterPolicy(Component& component, std::string group)
    : component_(component), group_(std::move(group)) {}

void RosterPolicy::on_privileges(const Jid& server, const Privileges& grants) {
  if (grants.can_set_roster()) {
    push_domains_.insert(std::string(server.domain()));
    spdlog::info("XEP-0356: {} lets the gateway push roster items", server.str());
  } else {
    push_domains_.erase(std::string(server.domain()));
  }
}

RosterMode RosterPolicy::mode(const Jid& user) const {
  return push_domains_.count(user.domain()) ? RosterMode::privileged : RosterMode::subscribe;
}

void RosterPolicy::add(Contact& contact) {
  const Jid user = contact.session().user_jid();
  const RosterMode roster_mode = mode(user);
  if (!logged_mode_) {
    logged_mode_ = true;
    spdlog::info("contacts join rosters by {}", roster_mode == RosterMode::privileged
                                                    ? "privileged roster push (XEP-0356)"
                                                    : "subscription requests");
  }
  if (roster_mode == RosterMode::privileged) {
    component_.send(roster_push(component_.jid().str(), user.str(), contact.jid().str(),
                                contact.name(), group_, component_.router().next_id()));
    contact.mark_in_roster(true);
    contact.send_presence_to(user);
  } else {
    component_.send(subscription_request(contact.jid().str(), user.str(),
                                         contact.nick().empty() ? contact.name() : contact.nick()));
  }
}

// The seed's handshake: approve, and ask back when we are not in their roster yet.
void RosterPolicy::approve_subscription(const Jid& user, Contact& contact) {
  component_.send(make_presence(contact.jid().str(), user.str(), "subscribed"));
  if (!contact.in_roster())
    component_.send(make_presence(contact.jid().str(), user.str(), "subscribe"));
  contact.mark_in_roster(true);
  contact.send_presence_to(user);
}

}  // namespace legate
