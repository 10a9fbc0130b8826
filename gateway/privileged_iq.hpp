// Privileged iqs (XEP-0356 §6.3): the gateway acting on a user's own account (their PEP,
// e.g. bookmarks and read markers) through their server, where it granted the namespace.
// The iq to the user is wrapped in <privileged_iq/>; the server answers with an outer result
// carrying the inner reply (an inner error arrives inside an outer result) or with an outer
// error for a permission or shape problem.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "../component/asio.hpp"
#include "../component/component.hpp"
#include "privilege_grants.hpp"

namespace legate {

// The wrapped form of `inner` (get or set, one payload child): the outer iq from the
// component to the user's bare JID, the inner one in the client namespace, addressed to the
// user too (older mod_privilege requires it).
Element wrap_privileged_iq(std::string_view component, const Jid& user, Element inner,
                           std::string_view privilege_ns, std::string_view outer_id,
                           std::string_view inner_id);
// The inner reply in an outer result: the inner result iq, or StanzaError for an inner error
// or a reply of the wrong shape.
Element unwrap_privileged_reply(const Element& outer_result, std::string_view privilege_ns);

class PrivilegedIq {
 public:
  static constexpr std::chrono::milliseconds kDefaultTimeout{10000};

  PrivilegedIq(Component& component, const PrivilegeGrants& grants)
      : component_(component), grants_(grants) {}

  // Sends `inner` for `user` and returns the inner result. Throws StanzaError: forbidden
  // (nothing sent) when the user's server did not grant this iq type and payload namespace;
  // the condition of an outer or inner error; remote-server-timeout.
  asio::awaitable<Element> operator()(Jid user, Element inner,
                                      std::chrono::milliseconds timeout = kDefaultTimeout);
  // Whether an iq of `type` with a payload in `ns` may be sent for `user`.
  bool granted(const Jid& user, IqType type, std::string_view ns) const;

 private:
  Component& component_;
  const PrivilegeGrants& grants_;
};

}  // namespace legate
