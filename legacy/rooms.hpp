// Rooms: the group chats of one session (XEP-0045 rooms `group@gw`). Bridges override
// fill() to list the user's legacy groups after login and make_room() to build their Room
// subclass, and may override the legacy id <-> JID local part mapping (keep it disjoint
// from the contacts': a local part is a room when the user has a stored room there).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../component/asio.hpp"
#include "room.hpp"

namespace legate {

class Session;

class Rooms {
 public:
  explicit Rooms(Session& session) : session_(session) {}
  virtual ~Rooms();
  Rooms(const Rooms&) = delete;
  Rooms& operator=(const Rooms&) = delete;

  // --- hooks ---
  // The user's groups on the legacy network, called after each login.
  virtual asio::awaitable<std::vector<LegacyId>> fill() { co_return std::vector<LegacyId>{}; }
  // The bridge's Room for a stored record (default: a Room refusing messages).
  virtual std::unique_ptr<Room> make_room(RoomRecord record);
  // JID local part of a group's legacy id (default: XEP-0106 escaping).
  virtual std::string local_part(const LegacyId& legacy_id) const;
  // A join to `local_part@gw` where the user has no room yet (networks whose groups anyone
  // can enter by name, like IRC channels): the group's legacy id, and the room is created
  // and stored for the join; nullopt, item-not-found. Default: nullopt (rooms come from
  // fill() and by_legacy_id()).
  virtual std::optional<LegacyId> legacy_id_of(std::string_view /*local_part*/) const {
    return std::nullopt;
  }

  // --- lookups ---
  // The room with this legacy id (created and stored on first use).
  Room& by_legacy_id(const LegacyId& legacy_id);
  // The stored room a JID of this gateway addresses (bare or occupant JID); nullptr if none.
  Room* by_jid(const Jid& jid);
  // by_jid(), else the room legacy_id_of() names, created (for a join); nullptr if none.
  Room* for_join(const Jid& jid);
  // Every stored room of the user.
  std::vector<Room*> all();
  // The user left the group for good: the room, its participants and joined resources are
  // deleted from storage. The object lives on until the session ends (tasks queued for it
  // may still hold it); a later by_legacy_id() starts afresh.
  void forget(Room& room);
  Session& session() { return session_; }

 private:
  Room& load(RoomRecord record);

  Session& session_;
  std::map<LegacyId, std::unique_ptr<Room>, std::less<>> rooms_;
  std::map<std::string, Room*, std::less<>> by_local_;
  // Every stored room is in memory: by_jid() then never asks SQLite, which matters as it
  // runs for every stanza to a contact too (a user has few rooms, and they are small).
  bool all_loaded_ = false;
  std::vector<std::unique_ptr<Room>> forgotten_;
};

}  // namespace legate
