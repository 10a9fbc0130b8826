// Room: the user's own nick in a group, and its changes shown to the joined resources
// (XEP-0045 §7.6); forgetting the nick of a participant who is gone.
#include <spdlog/spdlog.h>

#include "component/component.hpp"
#include "legacy/room.hpp"
#include "legacy/room_stanzas.hpp"
#include "legacy/session.hpp"
#include "storage/room_store.hpp"

namespace legate {

void Room::set_user_nick(std::string nick) {
  if (nick.empty() || nick == record_.user_nick) return;
  load_participants();
  if (auto held = by_nick_.find(nick); held != by_nick_.end() && !held->second->is_user()) {
    if (held->second->present()) {
      spdlog::warn("{}: {} is a participant's nick in {}: the user's stays",
                   session_.user_jid().str(), nick, jid_.str());
      return;
    }
    // Someone who left under that nick: forgotten (a UNIQUE nick per room).
    unindex(*held->second);
    RoomStore(session_.host().database()).remove_participant(record_.id, nick);
    by_nick_.erase(held);
  }
  Component& component = session_.host().component();
  const bool announce = !resources_.empty() && nick != user_nick();
  if (announce) {
    Participant& me = user();
    for (const auto& resource : resources_) {
      Element gone = presence_of(me, full_jid(resource), "unavailable");
      gone.child("x", kMucUserNs)->child("item", kMucUserNs)->set_attr("nick", nick);
      add_status(gone, MucStatus::self);
      add_status(gone, MucStatus::new_nick);
      component.send(gone);
    }
  }
  record_.user_nick = std::move(nick);
  save();
  if (!announce) return;
  Participant& renamed = user();  // renames the user's occupant row and index
  for (const auto& resource : resources_) {
    Element back = presence_of(renamed, full_jid(resource));
    add_status(back, MucStatus::self);
    component.send(back);
  }
  spdlog::info("{}: is {} in {}", session_.user_jid().str(), renamed.nick(), jid_.str());
}

bool Room::forget_participant(std::string_view nick) {
  load_participants();
  auto it = by_nick_.find(nick);
  if (it == by_nick_.end()) return false;
  Participant& gone = *it->second;
  if (gone.is_user() || gone.present()) return false;
  unindex(gone);
  RoomStore(session_.host().database()).remove_participant(record_.id, gone.nick());
  by_nick_.erase(it);
  return true;
}

}  // namespace legate
