// Carbons: what the user did on the legacy network outside XMPP (in its official app),
// injected into the user's account as privileged messages (XEP-0356 §5.3) from their bare
// JID, so that the server archives them and copies them to every resource (Prosody's
// carbons), as if a client had sent them. The server then routes each one on to its
// addressee, i.e. back to the gateway: that echo is recognised by its id and dropped.
// Without the grant nothing is injected: the admin is told once per server, and with
// `[gateway] carbons_fallback = prefix` the bridge's report is shown as a message from the
// contact, prefixed "You (elsewhere): ".
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "../component/component.hpp"
#include "gateway_status.hpp"
#include "privilege_grants.hpp"

namespace legate {

enum class CarbonsFallback { off, prefix };

inline constexpr std::string_view kCarbonIdPrefix = "legate-carbon-";

class Carbons {
 public:
  struct Parts {
    Component& component;
    const PrivilegeGrants& grants;
    GatewayStatus& status;  // admins see there that carbons are off
    std::vector<Jid> admins;
    CarbonsFallback fallback = CarbonsFallback::off;
  };
  explicit Carbons(Parts parts) : p_(std::move(parts)) {}

  // A fresh id for a carbon (recognisable when the server routes the message back).
  std::string next_id();
  // Sends `message` (from the user's bare JID to a contact, in the component namespace, with
  // an id from next_id()) as a privileged message: false when the user's server does not
  // grant it (nothing was sent).
  bool inject(const Jid& user, Element message);
  // Whether a stanza to a contact is one of our carbons routed back by the server.
  static bool is_echo(const Element& stanza);
  CarbonsFallback fallback() const { return p_.fallback; }

 private:
  void tell_not_granted(const Jid& user, std::string_view unusable);

  Parts p_;
  std::set<std::string, std::less<>> told_;  // servers the admin was told about
};

}  // namespace legate
