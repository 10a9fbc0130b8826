// GatewayStatus: what the gateway JID's presence shows each user about their legacy
// session ("Logging in…", "Logged in", "Could not log in: …"), sent on change, on probes
// and on the user's available presences.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "../component/component.hpp"
#include "../legacy/types.hpp"

namespace legate {

class GatewayStatus {
 public:
  // `avatar_hash`: SHA-1 of the gateway's avatar (XEP-0153), empty when it has none.
  GatewayStatus(Component& component, std::string avatar_hash);

  // Shows a new state to the user.
  void set(const Jid& user, PresenceShow show, std::string_view text);
  // Sends the current state again.
  void send(const Jid& user);
  std::string_view text(const Jid& user) const;
  void forget(const Jid& user) { shown_.erase(user.bare_str()); }
  // A standing notice for this user (an admin), after the state in every status sent, e.g.
  // "Logged in · carbons off for example.org (…)". Each notice is added once.
  void add_notice(const Jid& user, std::string_view notice);

 private:
  struct Shown {
    PresenceShow show = PresenceShow::offline;
    std::string text;
  };
  Component& component_;
  std::string avatar_hash_;
  std::map<std::string, Shown, std::less<>> shown_;
  std::map<std::string, std::string, std::less<>> notices_;  // by bare JID, joined by " · "
};

}  // namespace legate
