// Rooms: one session's rooms, loaded from and stored in SQLite on demand.
#include "legacy/rooms.hpp"

#include "component/component.hpp"
#include "legacy/session.hpp"

namespace legate {

Rooms::~Rooms() = default;

std::unique_ptr<Room> Rooms::make_room(RoomRecord record) {
  return std::make_unique<Room>(session_, std::move(record));
}

std::string Rooms::local_part(const LegacyId& legacy_id) const {
  return escape_local(legacy_id);
}

Room& Rooms::load(RoomRecord record) {
  std::unique_ptr<Room> room = make_room(std::move(record));
  Room& ref = *room;
  by_local_.insert_or_assign(std::string(ref.jid().local()), &ref);
  rooms_.insert_or_assign(ref.legacy_id(), std::move(room));
  return ref;
}

Room& Rooms::by_legacy_id(const LegacyId& legacy_id) {
  if (auto it = rooms_.find(legacy_id); it != rooms_.end()) return *it->second;
  RoomStore store(session_.host().database());
  const std::int64_t user_id = session_.user().id;
  std::optional<RoomRecord> record = store.by_legacy_id(user_id, legacy_id);
  if (!record) {
    RoomRecord fresh;
    fresh.user_id = user_id;
    fresh.legacy_id = legacy_id;
    fresh.local = Jid(local_part(legacy_id) + "@x").local();  // as servers case-fold it
    record = store.upsert(fresh);
  }
  return load(std::move(*record));
}

Room* Rooms::by_jid(const Jid& jid) {
  if (jid.domain() != session_.host().component().jid().domain() || !jid.has_local())
    return nullptr;
  if (!all_loaded_) all();
  auto it = by_local_.find(jid.local());
  return it == by_local_.end() ? nullptr : it->second;
}

Room* Rooms::for_join(const Jid& jid) {
  if (Room* room = by_jid(jid)) return room;
  if (jid.domain() != session_.host().component().jid().domain() || !jid.has_local())
    return nullptr;
  auto legacy_id = legacy_id_of(jid.local());
  if (!legacy_id) return nullptr;
  const bool existed = rooms_.contains(*legacy_id);  // by_jid() loaded every stored room
  Room& room = by_legacy_id(*legacy_id);
  // The room must answer to the JID joined; another spelling of a room the user has (IRC's
  // case mapping) is refused, never the room itself deleted.
  if (room.jid().local() != jid.local()) {
    if (!existed) forget(room);
    return nullptr;
  }
  return &room;
}

std::vector<Room*> Rooms::all() {
  std::vector<Room*> out;
  for (auto& record : RoomStore(session_.host().database()).all(session_.user().id)) {
    auto it = rooms_.find(record.legacy_id);
    out.push_back(it != rooms_.end() ? it->second.get() : &load(std::move(record)));
  }
  all_loaded_ = true;
  return out;
}

void Rooms::forget(Room& room) {
  auto it = rooms_.find(room.legacy_id());
  if (it == rooms_.end() || it->second.get() != &room) return;
  RoomStore(session_.host().database()).remove(session_.user().id, room.legacy_id());
  by_local_.erase(std::string(room.jid().local()));
  forgotten_.push_back(std::move(it->second));
  rooms_.erase(it);
}

}  // namespace legate
