// The group chats of each user: rooms (how a legacy group id maps to a JID local part, its
// name, kind and subject), their participants (nick, affiliation, role, still present or
// not) and which of the user's resources joined each room, so that rooms come back from
// storage at start-up and answer disco and admin queries without asking the legacy network.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace legate {

class Database;

struct RoomRecord {
  std::int64_t id = 0;
  std::int64_t user_id = 0;
  std::string legacy_id, local;
  std::string kind = "group";  // group or channel
  std::string name, description, subject, subject_by;
  std::int64_t subject_at = 0;  // unix seconds, 0 if unknown
  std::string avatar_hash, user_nick;
  bool participants_filled = false;
};

struct ParticipantRecord {
  std::int64_t id = 0;
  std::int64_t room_id = 0;
  std::string nick;
  std::string legacy_id;  // "": anonymous or unknown
  bool is_user = false;
  bool present = true;
  std::string affiliation = "member";  // none, member, admin, owner, outcast
  std::string role = "participant";    // none, visitor, participant, moderator
};

// Methods throw StorageError on database failures, including constraint violations (an
// unknown user or room, a local part or nick taken, a value outside its list).
class RoomStore {
 public:
  explicit RoomStore(Database& db) : db_(db) {}

  // Inserts, or updates every field of the user's room with the same legacy_id; returns the
  // record with its id (record.id is ignored).
  RoomRecord upsert(const RoomRecord& record);
  std::optional<RoomRecord> by_legacy_id(std::int64_t user_id, std::string_view legacy_id);
  std::optional<RoomRecord> by_local(std::int64_t user_id, std::string_view local);
  // The user's rooms, in insertion order.
  std::vector<RoomRecord> all(std::int64_t user_id);
  bool remove(std::int64_t user_id, std::string_view legacy_id);

  // Inserts, or updates the participant with the same nick in the room.
  ParticipantRecord upsert_participant(const ParticipantRecord& record);
  std::vector<ParticipantRecord> participants(std::int64_t room_id);
  bool remove_participant(std::int64_t room_id, std::string_view nick);
  // A rename keeps the row (and its occupant id): false when `from` is unknown.
  bool rename_participant(std::int64_t room_id, std::string_view from, std::string_view to);

  // The user's resources joined to a room (survive a crash: traffic keeps flowing to them).
  void add_resource(std::int64_t room_id, std::string_view resource, std::int64_t joined_at);
  bool remove_resource(std::int64_t room_id, std::string_view resource);
  std::vector<std::string> resources(std::int64_t room_id);
  void clear_resources(std::int64_t room_id);

 private:
  std::optional<RoomRecord> find_one(std::string_view sql, std::int64_t user_id,
                                     std::string_view key);

  Database& db_;
};

}  // namespace legate
