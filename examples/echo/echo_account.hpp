// EchoAccount: what the echo bridge keeps about a user's account on its toy network (the
// legacy data), as a typed struct read and written through Boost.JSON.
#pragma once

#include <cstdint>
#include <string>

#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>

namespace echo {

struct EchoAccount {
  std::string username;
  bool verified = false;    // the two-factor code was given
  std::int64_t logins = 0;  // refreshed at each login, like a real network's session token
};

inline void tag_invoke(boost::json::value_from_tag, boost::json::value& json,
                       const EchoAccount& account) {
  json = {{"username", account.username},
          {"verified", account.verified},
          {"logins", account.logins}};
}

// Missing keys take their defaults (data stored by older versions of the bridge).
inline EchoAccount tag_invoke(boost::json::value_to_tag<EchoAccount>,
                              const boost::json::value& json) {
  const auto& o = json.as_object();
  EchoAccount account;
  if (const auto* v = o.if_contains("username")) account.username = v->as_string().c_str();
  if (const auto* v = o.if_contains("verified")) account.verified = v->as_bool();
  if (const auto* v = o.if_contains("logins")) account.logins = v->to_number<std::int64_t>();
  return account;
}

}  // namespace echo
