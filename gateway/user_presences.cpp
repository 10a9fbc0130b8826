// UserPresences: merging by availability rank.
#include "gateway/user_presences.hpp"

#include "legacy/contact_stanzas.hpp"

namespace legate {
namespace {

int rank(PresenceShow show) {  // most available first
  switch (show) {
    case PresenceShow::online:
      return 0;
    case PresenceShow::busy:
      return 1;
    case PresenceShow::away:
      return 2;
    case PresenceShow::extended_away:
      return 3;
    case PresenceShow::offline:
      return 4;
  }
  return 4;
}

}  // namespace

std::optional<UserPresence> UserPresences::update(const Jid& from, std::string_view type,
                                                  std::string_view show, std::string_view status) {
  Resources& user = users_[from.bare_str()];
  const std::string resource(from.resource());
  if (type == "unavailable") {
    user.by_resource.erase(resource);
  } else {
    user.by_resource[resource] = UserPresence{show_from_element(show), std::string(status)};
  }
  UserPresence merged;  // offline when no resource is left
  for (const auto& [r, p] : user.by_resource)
    if (rank(p.show) < rank(merged.show)) merged = p;
  if (merged.show == user.merged.show && merged.status == user.merged.status) return std::nullopt;
  user.merged = merged;
  return merged;
}

UserPresence UserPresences::merged(const Jid& user) const {
  auto it = users_.find(user.bare_str());
  return it == users_.end() ? UserPresence{} : it->second.merged;
}

std::optional<Jid> UserPresences::best_resource(const Jid& user) const {
  auto it = users_.find(user.bare_str());
  if (it == users_.end()) return std::nullopt;
  const std::pair<const std::string, UserPresence>* best = nullptr;
  for (const auto& entry : it->second.by_resource)
    if (!best || rank(entry.second.show) < rank(best->second.show)) best = &entry;
  if (!best) return std::nullopt;
  return Jid::parse(user.bare_str() + "/" + best->first);
}

}  // namespace legate
