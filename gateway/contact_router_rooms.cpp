// ContactRouter: the iqs addressed to rooms that wait (requests queued behind the user's
// events, occupants' software versions asked of the legacy network).
#include "component/component.hpp"
#include "gateway/contact_router.hpp"
#include "legacy/room.hpp"
#include "legacy/session.hpp"

namespace legate {

asio::awaitable<Router::IqPayload> ContactRouter::on_room_request(Element iq) {
  auto from = Jid::parse(iq.attr_or("from"));
  auto to = Jid::parse(iq.attr_or("to"));
  if (!from || !to) throw StanzaError(ErrorCondition::jid_malformed);
  auto session = p_.sessions.find(from->bare());
  if (!session) throw StanzaError(ErrorCondition::registration_required);
  if (!session->rooms().by_jid(*to)) throw StanzaError(ErrorCondition::service_unavailable);
  co_return co_await p_.rooms.on_request(session, *to, std::move(iq));
}

bool ContactRouter::is_room(std::string_view from, const Jid& to) {
  auto jid = Jid::parse(from);
  auto session = jid ? p_.sessions.find(jid->bare()) : nullptr;
  return session && session->rooms().by_jid(to);
}

asio::awaitable<Router::IqPayload> ContactRouter::occupant_version(Element iq) {
  auto from = Jid::parse(iq.attr_or("from"));
  auto to = Jid::parse(iq.attr_or("to"));
  if (!from || !to) throw StanzaError(ErrorCondition::jid_malformed);
  auto session = p_.sessions.find(from->bare());
  Room* room = session ? session->rooms().by_jid(*to) : nullptr;
  if (!room) throw StanzaError(ErrorCondition::item_not_found, "no such group");
  Participant* who = room->find_participant(to->resource());
  if (!who || !who->present() || who->is_user())
    throw StanzaError(ErrorCondition::item_not_found, "no such occupant");
  // The room lives as long as the session (held here); `who` is not used after the wait.
  const OccupantVersion got = co_await room->on_occupant_version(*who);
  co_return version_query(SoftwareVersion{got.name, got.version, got.os});
}

}  // namespace legate
