// Storage of group chats: RoomStore's rooms, participants and joined resources against a real
// SQLite file; everything of a user goes with the user.
#include <doctest/doctest.h>

#include "storage/database.hpp"
#include "storage/json.hpp"
#include "storage/room_store.hpp"
#include "storage/user_store.hpp"
#include "tests/unit/storage_test_util.hpp"

using legate::Database;
using legate::Jid;
using legate::Json;
using legate::ParticipantRecord;
using legate::RoomRecord;
using legate::RoomStore;
using legate::StorageError;
using legate::UserStore;
using legate::test::TempDir;

namespace {

RoomRecord room(std::int64_t user_id, std::string legacy_id, std::string local) {
  RoomRecord r;
  r.user_id = user_id;
  r.legacy_id = std::move(legacy_id);
  r.local = std::move(local);
  return r;
}

ParticipantRecord participant(std::int64_t room_id, std::string nick, std::string legacy_id) {
  ParticipantRecord p;
  p.room_id = room_id;
  p.nick = std::move(nick);
  p.legacy_id = std::move(legacy_id);
  return p;
}

}  // namespace

TEST_CASE("room store: rooms upsert, lookups, every field kept, remove") {
  TempDir tmp;
  Database db(tmp.db_path());
  const auto alice = UserStore(db).add(Jid("alice@example.org"), Json{});
  RoomStore rooms(db);
  RoomRecord lounge = room(alice.id, "g-1", "lounge");
  lounge.kind = "channel";
  lounge.name = "Lounge";
  lounge.description = "for chatting";
  lounge.subject = "Welcome";
  lounge.subject_by = "alice";
  lounge.subject_at = 1700000000;
  lounge.avatar_hash = "abc";
  lounge.user_nick = "me";
  lounge.participants_filled = true;
  const RoomRecord stored = rooms.upsert(lounge);
  CHECK(stored.id > 0);
  auto found = rooms.by_legacy_id(alice.id, "g-1");
  REQUIRE(found);
  CHECK(found->local == "lounge");
  CHECK(found->kind == "channel");
  CHECK(found->name == "Lounge");
  CHECK(found->description == "for chatting");
  CHECK(found->subject == "Welcome");
  CHECK(found->subject_by == "alice");
  CHECK(found->subject_at == 1700000000);
  CHECK(found->avatar_hash == "abc");
  CHECK(found->user_nick == "me");
  CHECK(found->participants_filled);
  CHECK(rooms.by_local(alice.id, "lounge")->id == stored.id);

  lounge.subject = "New subject";
  CHECK(rooms.upsert(lounge).id == stored.id);  // same legacy id: updated in place
  CHECK(rooms.by_legacy_id(alice.id, "g-1")->subject == "New subject");
  rooms.upsert(room(alice.id, "g-2", "lobby"));
  REQUIRE(rooms.all(alice.id).size() == 2);
  CHECK(rooms.all(alice.id)[1].kind == "group");  // the default

  // Another room may not take the same local part; a kind outside the list is refused.
  CHECK_THROWS_AS(rooms.upsert(room(alice.id, "g-3", "lounge")), StorageError);
  RoomRecord odd = room(alice.id, "g-4", "odd");
  odd.kind = "forum";
  CHECK_THROWS_AS(rooms.upsert(odd), StorageError);

  CHECK(rooms.remove(alice.id, "g-2"));
  CHECK_FALSE(rooms.remove(alice.id, "g-2"));
  CHECK_FALSE(rooms.by_local(alice.id, "lobby"));
}

TEST_CASE("room store: participants by nick, renames keep the row, resources") {
  TempDir tmp;
  Database db(tmp.db_path());
  const auto alice = UserStore(db).add(Jid("alice@example.org"), Json{});
  RoomStore rooms(db);
  const auto lounge = rooms.upsert(room(alice.id, "g-1", "lounge"));

  ParticipantRecord bob = participant(lounge.id, "bob", "bob-id");
  bob.affiliation = "owner";
  bob.role = "moderator";
  const auto stored = rooms.upsert_participant(bob);
  ParticipantRecord me = participant(lounge.id, "me", "");
  me.is_user = true;
  rooms.upsert_participant(me);
  auto all = rooms.participants(lounge.id);
  REQUIRE(all.size() == 2);
  CHECK(all[0].affiliation == "owner");
  CHECK(all[0].role == "moderator");
  CHECK(all[1].is_user);
  CHECK(all[1].present);

  bob.present = false;
  CHECK(rooms.upsert_participant(bob).id == stored.id);
  CHECK_FALSE(rooms.participants(lounge.id)[0].present);
  CHECK(rooms.rename_participant(lounge.id, "bob", "robert"));
  CHECK(rooms.participants(lounge.id)[0].id == stored.id);
  CHECK(rooms.participants(lounge.id)[0].nick == "robert");
  CHECK_FALSE(rooms.rename_participant(lounge.id, "bob", "x"));
  CHECK_THROWS_AS(rooms.rename_participant(lounge.id, "robert", "me"), StorageError);  // taken
  ParticipantRecord bad = participant(lounge.id, "eve", "");
  bad.affiliation = "king";
  CHECK_THROWS_AS(rooms.upsert_participant(bad), StorageError);
  CHECK(rooms.remove_participant(lounge.id, "robert"));
  CHECK(rooms.participants(lounge.id).size() == 1);

  rooms.add_resource(lounge.id, "phone", 10);
  rooms.add_resource(lounge.id, "desk", 20);
  rooms.add_resource(lounge.id, "phone", 30);  // joined again: one row, later
  CHECK(rooms.resources(lounge.id) == std::vector<std::string>{"desk", "phone"});
  CHECK(rooms.remove_resource(lounge.id, "desk"));
  CHECK_FALSE(rooms.remove_resource(lounge.id, "desk"));
  rooms.clear_resources(lounge.id);
  CHECK(rooms.resources(lounge.id).empty());
}

TEST_CASE("room store: removing a room or its user removes everything under it") {
  TempDir tmp;
  Database db(tmp.db_path());
  UserStore users(db);
  const auto alice = users.add(Jid("alice@example.org"), Json{});
  const auto bob = users.add(Jid("bob@example.org"), Json{});
  RoomStore rooms(db);
  for (auto user : {alice.id, bob.id}) {
    const auto r = rooms.upsert(room(user, "g-1", "lounge"));
    rooms.upsert_participant(participant(r.id, "carol", "c"));
    rooms.add_resource(r.id, "phone", 1);
    db.exec(
        "INSERT INTO room_archive (room_id, ts, stanza_id, xmpp_id, legacy_id, nick, payload) "
        "VALUES (" +
        std::to_string(r.id) + ", 1, 's', 'x', 'l', 'carol', '')");
  }
  REQUIRE(users.remove(Jid("alice@example.org")));
  for (std::string_view table : {"rooms", "participants", "room_resources", "room_archive"})
    CHECK_MESSAGE(legate::test::query_int(db, "SELECT COUNT(*) FROM " + std::string(table)) == 1,
                  table);
  REQUIRE(rooms.remove(bob.id, "g-1"));
  for (std::string_view table : {"participants", "room_resources", "room_archive"})
    CHECK_MESSAGE(legate::test::query_int(db, "SELECT COUNT(*) FROM " + std::string(table)) == 0,
                  table);
  CHECK_THROWS_AS(rooms.upsert(room(alice.id, "g-2", "x")), StorageError);  // no such user
}
