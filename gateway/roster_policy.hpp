// RosterPolicy: how contacts enter a user's roster — a XEP-0356 roster push where the
// user's server granted the gateway that privilege, a subscription request otherwise — and
// the subscription handshake with a contact the user added.
#pragma once

#include <set>
#include <string>

#include "../component/component.hpp"
#include "../legacy/contact.hpp"
#include "../legacy/session_host.hpp"
#include "privileges.hpp"

namespace legate {

class RosterPolicy {
 public:
  // `group`: the roster group of pushed contacts (the gateway's name).
  RosterPolicy(Component& component, std::string group);

  // A server told which privileges it grants (XEP-0356).
  void on_privileges(const Jid& server, const Privileges& grants);
  RosterMode mode(const Jid& user) const;
  const std::string& group() const { return group_; }
  // Puts a contact in its user's roster, by push or by asking.
  void add(Contact& contact);
  // Accepts the user's subscription to a contact, and asks back when needed.
  void approve_subscription(const Jid& user, Contact& contact);

 private:
  Component& component_;
  std::string group_;
  std::set<std::string, std::less<>> push_domains_;  // servers that granted roster pushes
  bool logged_mode_ = false;
};

}  // namespace legate
