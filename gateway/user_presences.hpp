// UserPresences: the presence of each resource of each user, merged into the one presence
// the bridge sees (the most available resource wins), and the resource to send files to.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "../component/jid.hpp"
#include "../legacy/types.hpp"

namespace legate {

class UserPresences {
 public:
  // Records a resource's available/unavailable presence; returns the user's merged
  // presence when it changed (offline once no resource is left).
  std::optional<UserPresence> update(const Jid& from, std::string_view type, std::string_view show,
                                     std::string_view status);
  UserPresence merged(const Jid& user) const;
  // The user's most available online resource, if any.
  std::optional<Jid> best_resource(const Jid& user) const;
  void forget(const Jid& user) { users_.erase(user.bare_str()); }

 private:
  struct Resources {
    std::map<std::string, UserPresence, std::less<>> by_resource;
    UserPresence merged;
  };
  std::map<std::string, Resources, std::less<>> users_;
};

}  // namespace legate
