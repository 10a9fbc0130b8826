// Names of room kinds, affiliations and roles, as XEP-0045 and storage spell them.
#include "legacy/room_types.hpp"

#include <array>
#include <utility>

namespace legate {
namespace {

template <class E, std::size_t N>
std::optional<E> find(const std::array<std::pair<E, std::string_view>, N>& names,
                      std::string_view name) {
  for (const auto& [value, text] : names)
    if (text == name) return value;
  return std::nullopt;
}

template <class E, std::size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& names, E value) {
  for (const auto& [v, text] : names)
    if (v == value) return text;
  return {};
}

constexpr std::array<std::pair<RoomKind, std::string_view>, 2> kKinds{
    {{RoomKind::group, "group"}, {RoomKind::channel, "channel"}}};
constexpr std::array<std::pair<Affiliation, std::string_view>, 5> kAffiliations{
    {{Affiliation::none, "none"},
     {Affiliation::member, "member"},
     {Affiliation::admin, "admin"},
     {Affiliation::owner, "owner"},
     {Affiliation::outcast, "outcast"}}};
constexpr std::array<std::pair<Role, std::string_view>, 4> kRoles{
    {{Role::none, "none"},
     {Role::visitor, "visitor"},
     {Role::participant, "participant"},
     {Role::moderator, "moderator"}}};

}  // namespace

std::string_view to_string(RoomKind kind) {
  return name_of(kKinds, kind);
}
std::string_view to_string(Affiliation affiliation) {
  return name_of(kAffiliations, affiliation);
}
std::string_view to_string(Role role) {
  return name_of(kRoles, role);
}
std::optional<RoomKind> room_kind_from(std::string_view name) {
  return find(kKinds, name);
}
std::optional<Affiliation> affiliation_from(std::string_view name) {
  return find(kAffiliations, name);
}
std::optional<Role> role_from(std::string_view name) {
  return find(kRoles, name);
}

}  // namespace legate
