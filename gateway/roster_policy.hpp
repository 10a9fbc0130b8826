// RosterPolicy: how contacts enter a user's roster — a XEP-0356 roster push where the
// user's server granted the gateway that privilege, a subscription request otherwise — and
// the subscription handshake with a contact the user added. A push the server answers with
// an error (ejabberd 23.01 grants roster set, then fails every push) turns that user over to
// subscription requests.
#pragma once

#include <chrono>
#include <set>
#include <string>

#include "../component/component.hpp"
#include "../legacy/contact.hpp"
#include "../legacy/session_host.hpp"
#include "privilege_grants.hpp"

namespace legate {

class RosterPolicy {
 public:
  // `group`: the roster group of pushed contacts (the gateway's name).
  RosterPolicy(Component& component, const PrivilegeGrants& grants, std::string group);

  // privileged when the user's server grants roster set and no push for this user failed.
  RosterMode mode(const Jid& user) const;
  const std::string& group() const { return group_; }
  // Puts a contact in its user's roster, by push or by asking.
  void add(Contact& contact);
  // Accepts the user's subscription to a contact, and asks back when needed.
  void approve_subscription(const Jid& user, Contact& contact);
  // Where the user's server grants roster get: reads the user's roster and brings the
  // contacts' flags in line with it, so that a contact the user removed while the gateway was
  // down is not pushed back at login. Errors are logged, not thrown.
  asio::awaitable<void> reconcile(Session& session);

 private:
  Component& component_;
  std::string group_;
  const PrivilegeGrants& grants_;
  bool logged_mode_ = false;
  // Bare JIDs of users whose server answered a roster push with an error: subscription
  // requests from then on (until the gateway restarts: the server may have been fixed).
  std::set<std::string, std::less<>> push_failed_;

  asio::awaitable<void> push(Session& session, Element push, std::string contact);
  void fall_back(Session& session, const Jid& contact, const StanzaError& why);
};

}  // namespace legate
