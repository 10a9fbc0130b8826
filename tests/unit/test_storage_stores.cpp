// Storage, store level: UserStore, ContactStore and IdMap against real SQLite files.
#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "storage/contact_store.hpp"
#include "storage/database.hpp"
#include "storage/id_map.hpp"
#include "storage/json.hpp"
#include "storage/migrations.hpp"
#include "storage/storage_writer.hpp"
#include "storage/user_store.hpp"
#include "tests/unit/storage_test_util.hpp"

using legate::ContactRecord;
using legate::ContactStore;
using legate::Database;
using legate::IdMap;
using legate::Jid;
using legate::Json;
using legate::StorageError;
using legate::StorageWriter;
using legate::UserStore;
using legate::test::TempDir;

namespace {

ContactRecord contact(std::int64_t user_id, std::string legacy_id, std::string local) {
  ContactRecord c;
  c.user_id = user_id;
  c.legacy_id = std::move(legacy_id);
  c.local = std::move(local);
  return c;
}

}  // namespace

TEST_CASE("storage: users add, find, all, update, remove, count") {
  TempDir tmp;
  Database db(tmp.db_path());
  UserStore users(db);
  CHECK(users.count() == 0);
  CHECK_FALSE(users.find(Jid("alice@example.org")).has_value());

  const auto alice =
      users.add(Jid("Alice@Example.org/phone"), legate::parse_json_text(R"({"k":1})"));
  CHECK(alice.id > 0);
  CHECK(alice.jid == Jid("alice@example.org"));  // bare, normalised
  CHECK(alice.registered_at > 1700000000);
  CHECK(alice.preferences == boost::json::object());
  const auto bob = users.add(Jid("bob@example.org"), Json{});
  CHECK(users.count() == 2);

  // Duplicates are refused, whatever the resource.
  CHECK_THROWS_AS(users.add(Jid("alice@example.org/laptop"), Json{}), StorageError);
  CHECK(users.count() == 2);

  const auto found = users.find(Jid("alice@example.org/any"));
  REQUIRE(found.has_value());
  CHECK(found->id == alice.id);
  CHECK(found->jid.full() == "alice@example.org");
  CHECK(found->registered_at == alice.registered_at);
  CHECK(found->legacy_data.at("k") == 1);

  const auto all = users.all();
  REQUIRE(all.size() == 2);
  CHECK(all[0].jid == alice.jid);
  CHECK(all[1].jid == bob.jid);

  users.update_legacy_data(Jid("alice@example.org"), legate::parse_json_text(R"({"k":2})"));
  users.update_preferences(Jid("alice@example.org/x"), legate::parse_json_text(R"({"sync":true})"));
  const auto updated = users.find(Jid("alice@example.org"));
  REQUIRE(updated.has_value());
  CHECK(updated->legacy_data.at("k") == 2);
  CHECK(updated->preferences.at("sync") == true);
  CHECK_THROWS_AS(users.update_legacy_data(Jid("nobody@example.org"), Json{}), StorageError);
  CHECK_THROWS_AS(users.update_preferences(Jid("nobody@example.org"), Json{}), StorageError);

  CHECK(users.remove(Jid("alice@example.org/phone")));
  CHECK_FALSE(users.remove(Jid("alice@example.org")));
  CHECK_FALSE(users.find(Jid("alice@example.org")).has_value());
  CHECK(users.count() == 1);
}

TEST_CASE("storage: removing a user removes their contacts and id mappings") {
  TempDir tmp;
  Database db(tmp.db_path());
  UserStore users(db);
  ContactStore contacts(db);
  IdMap ids(db);
  const auto alice = users.add(Jid("alice@example.org"), Json{});
  const auto bob = users.add(Jid("bob@example.org"), Json{});
  contacts.upsert(contact(alice.id, "1", "one"));
  contacts.upsert(contact(alice.id, "2", "two"));
  contacts.upsert(contact(bob.id, "1", "one"));
  ids.put(alice.id, "message", "x1", "l1");
  ids.put(bob.id, "message", "x1", "l1");

  ids.forget(alice.id);  // as unregistration does (the id map has no foreign key)
  REQUIRE(users.remove(Jid("alice@example.org")));
  CHECK(contacts.count(alice.id) == 0);
  CHECK_FALSE(ids.legacy_id(alice.id, "message", "x1").has_value());
  CHECK(legate::test::query_int(db, "SELECT COUNT(*) FROM contacts") == 1);
  CHECK(legate::test::query_int(db, "SELECT COUNT(*) FROM message_ids") == 1);
  // Bob's rows are untouched.
  CHECK(contacts.count(bob.id) == 1);
  CHECK(ids.legacy_id(bob.id, "message", "x1") == "l1");
  // Rows for a user that does not exist are refused (the foreign keys are enforced).
  CHECK_THROWS_AS(contacts.upsert(contact(alice.id, "3", "three")), StorageError);
}

TEST_CASE("storage: contacts upsert, lookups, presence, remove") {
  TempDir tmp;
  Database db(tmp.db_path());
  const auto user = UserStore(db).add(Jid("alice@example.org"), Json{});
  ContactStore contacts(db);

  ContactRecord c = contact(user.id, "+33 6 12", "+33\\206\\2012");
  c.name = "Zoé";
  c.nick = "zo";
  c.avatar_hash = "abc123";
  c.is_friend = true;
  const auto inserted = contacts.upsert(c);
  CHECK(inserted.id > 0);
  CHECK(inserted.name == "Zoé");

  // Same legacy id: an update of the same row, every field replaced.
  c.name = "Zoé B.";
  c.in_roster = true;
  c.is_friend = false;
  c.avatar_hash = "";
  const auto updated = contacts.upsert(c);
  CHECK(updated.id == inserted.id);
  CHECK(contacts.count(user.id) == 1);

  const auto by_id = contacts.by_legacy_id(user.id, "+33 6 12");
  REQUIRE(by_id.has_value());
  CHECK(by_id->id == inserted.id);
  CHECK(by_id->user_id == user.id);
  CHECK(by_id->local == "+33\\206\\2012");
  CHECK(by_id->name == "Zoé B.");
  CHECK(by_id->nick == "zo");
  CHECK(by_id->avatar_hash.empty());
  CHECK_FALSE(by_id->is_friend);
  CHECK(by_id->in_roster);
  CHECK(by_id->presence_show.empty());

  const auto by_local = contacts.by_local(user.id, "+33\\206\\2012");
  REQUIRE(by_local.has_value());
  CHECK(by_local->legacy_id == "+33 6 12");
  CHECK_FALSE(contacts.by_local(user.id, "nobody").has_value());
  CHECK_FALSE(contacts.by_legacy_id(user.id + 1, "+33 6 12").has_value());

  contacts.set_presence(user.id, "+33 6 12", "away", "lunch", 1700000123);
  const auto present = contacts.by_legacy_id(user.id, "+33 6 12");
  REQUIRE(present.has_value());
  CHECK(present->presence_show == "away");
  CHECK(present->presence_status == "lunch");
  CHECK(present->last_seen == 1700000123);
  CHECK(present->name == "Zoé B.");  // untouched
  CHECK_THROWS_AS(contacts.set_presence(user.id, "nobody", "away", "", 0), StorageError);
  CHECK_THROWS_AS(contacts.set_presence(user.id, "+33 6 12", "busy", "", 0), StorageError);

  // A second contact may not take the first one's local part.
  CHECK_THROWS_AS(contacts.upsert(contact(user.id, "other", "+33\\206\\2012")), StorageError);
  contacts.upsert(contact(user.id, "b", "b"));
  contacts.upsert(contact(user.id, "a", "a"));
  const auto all = contacts.all(user.id);
  REQUIRE(all.size() == 3);
  CHECK(all[0].legacy_id == "+33 6 12");  // insertion order
  CHECK(all[1].legacy_id == "b");
  CHECK(all[2].legacy_id == "a");

  CHECK(contacts.remove(user.id, "b"));
  CHECK_FALSE(contacts.remove(user.id, "b"));
  CHECK(contacts.count(user.id) == 2);
}

namespace {
// The id map's contract, whatever its caching and write mode.
void check_id_map_contract(Database& db, IdMap& ids) {
  UserStore users(db);
  const auto alice = users.add(Jid("alice@example.org"), Json{});
  const auto bob = users.add(Jid("bob@example.org"), Json{});

  ids.put(alice.id, "message", "xmpp-1", "legacy-1");
  CHECK(ids.legacy_id(alice.id, "message", "xmpp-1") == "legacy-1");
  CHECK(ids.xmpp_id(alice.id, "message", "legacy-1") == "xmpp-1");
  CHECK_FALSE(ids.legacy_id(alice.id, "message", "xmpp-2").has_value());
  CHECK_FALSE(ids.xmpp_id(alice.id, "message", "legacy-2").has_value());

  // Replace on conflict: the same XMPP id now names another legacy message.
  ids.flush();  // deferred: now on its way to the database, not waited for
  ids.put(alice.id, "message", "xmpp-1", "legacy-9");
  CHECK(ids.legacy_id(alice.id, "message", "xmpp-1") == "legacy-9");
  CHECK_FALSE(ids.xmpp_id(alice.id, "message", "legacy-1").has_value());

  // Several XMPP ids for one legacy id: the most recent wins, even after a replace.
  ids.put(alice.id, "message", "xmpp-a", "legacy-2");
  ids.flush();
  ids.put(alice.id, "message", "xmpp-b", "legacy-2");
  CHECK(ids.xmpp_id(alice.id, "message", "legacy-2") == "xmpp-b");
  ids.put(alice.id, "message", "xmpp-a", "legacy-2");
  CHECK(ids.xmpp_id(alice.id, "message", "legacy-2") == "xmpp-a");

  // Isolation: another user, another kind.
  CHECK_FALSE(ids.legacy_id(bob.id, "message", "xmpp-1").has_value());
  CHECK_FALSE(ids.legacy_id(alice.id, "reaction", "xmpp-1").has_value());
  ids.put(bob.id, "message", "xmpp-1", "bob-legacy");
  ids.put(alice.id, "reaction", "xmpp-1", "reaction-legacy");
  CHECK(ids.legacy_id(alice.id, "message", "xmpp-1") == "legacy-9");
  CHECK(ids.legacy_id(bob.id, "message", "xmpp-1") == "bob-legacy");
  CHECK(ids.legacy_id(alice.id, "reaction", "xmpp-1") == "reaction-legacy");
  CHECK(ids.xmpp_id(bob.id, "message", "legacy-9") == std::nullopt);
}
}  // namespace

TEST_CASE("storage: id map both ways, replace on conflict, per user and per kind") {
  TempDir tmp;
  Database db(tmp.db_path());
  SUBCASE("written through, uncached") {
    IdMap ids(db);
    check_id_map_contract(db, ids);
  }
  SUBCASE("cached, deferred, committed on the loop (in-memory database: no writer thread)") {
    Database memory(":memory:");
    legate::asio::io_context io;
    IdMap ids(memory, io.get_executor(), nullptr, 4);
    check_id_map_contract(memory, ids);
    io.run();
    CHECK(ids.queued() == 0);
  }
  SUBCASE("cached, with writes deferred to the writer thread") {
    legate::asio::io_context io;
    StorageWriter writer(db);
    IdMap ids(db, io.get_executor(), &writer, 4);  // a small cache, so evictions happen too
    check_id_map_contract(db, ids);
    io.run();
    ids.sync();
    CHECK(ids.queued() == 0);
  }
}

TEST_CASE("storage: deferred id map writes commit on the event loop, and at destruction") {
  TempDir tmp;
  Database db(tmp.db_path());
  UserStore users(db);
  const auto alice = users.add(Jid("alice@example.org"), Json{});
  legate::asio::io_context io;
  StorageWriter writer(db);
  {
    IdMap ids(db, io.get_executor(), &writer);
    for (int i = 0; i < 100; ++i)
      ids.put(alice.id, "message", "x" + std::to_string(i), "l" + std::to_string(i));
    CHECK(ids.queued() == 100);
    CHECK(legate::test::query_int(db, "SELECT COUNT(*) FROM message_ids") == 0);
    // Served from the cache without touching the database.
    CHECK(ids.legacy_id(alice.id, "message", "x42") == "l42");
    CHECK(ids.queued() == 100);
    io.run();  // the timer hands the queue to the writer thread: one transaction
    ids.sync();
    CHECK(ids.queued() == 0);
    CHECK(legate::test::query_int(db, "SELECT COUNT(*) FROM message_ids") == 100);
    ids.put(alice.id, "message", "last", "l-last");
  }  // destroyed with a write still queued
  CHECK(legate::test::query_int(
            db, "SELECT legacy_id = 'l-last' FROM message_ids WHERE xmpp_id = 'last'") == 1);
  IdMap reopened(db);
  CHECK(reopened.xmpp_id(alice.id, "message", "l7") == "x7");
}

TEST_CASE("storage: forgetting a user drops their queued and cached mappings") {
  TempDir tmp;
  Database db(tmp.db_path());
  UserStore users(db);
  const auto alice = users.add(Jid("alice@example.org"), Json{});
  const auto bob = users.add(Jid("bob@example.org"), Json{});
  legate::asio::io_context io;
  StorageWriter writer(db);
  IdMap ids(db, io.get_executor(), &writer);
  ids.put(alice.id, "message", "a1", "la1");
  ids.put(bob.id, "message", "b1", "lb1");
  ids.forget(alice.id);
  REQUIRE(users.remove(Jid("alice@example.org")));
  CHECK_FALSE(ids.legacy_id(alice.id, "message", "a1").has_value());
  CHECK(ids.legacy_id(bob.id, "message", "b1") == "lb1");
  io.run();
  ids.sync();
  CHECK(legate::test::query_int(db, "SELECT COUNT(*) FROM message_ids") == 1);
}

TEST_CASE("storage: the id map prunes mappings older than the retention") {
  TempDir tmp;
  Database db(tmp.db_path());
  UserStore users(db);
  const auto alice = users.add(Jid("alice@example.org"), Json{});
  const auto now = std::chrono::system_clock::now();
  SUBCASE("written through") {
    IdMap ids(db);
    ids.put(alice.id, "message", "x1", "l1");
    ids.prune(now - std::chrono::hours(1));  // written after the cutoff: kept
    CHECK(legate::test::query_int(db, "SELECT COUNT(*) FROM message_ids") == 1);
    ids.prune(now + std::chrono::hours(1));
    CHECK(legate::test::query_int(db, "SELECT COUNT(*) FROM message_ids") == 0);
    CHECK_FALSE(ids.legacy_id(alice.id, "message", "x1").has_value());
  }
  SUBCASE("deferred to the writer thread, in slices") {
    legate::asio::io_context io;
    StorageWriter writer(db);
    IdMap ids(db, io.get_executor(), &writer);
    for (int i = 0; i < 12000; ++i)  // more than two slices of 5,000
      ids.put(alice.id, "message", "x" + std::to_string(i), "l" + std::to_string(i));
    ids.prune(now - std::chrono::hours(1));
    ids.sync();
    CHECK(legate::test::query_int(db, "SELECT COUNT(*) FROM message_ids") == 12000);
    ids.prune(now + std::chrono::hours(1));  // the queued rows are written first, then pruned
    ids.sync();  // waits for the first slice only: the others are jobs of their own
    CHECK(legate::test::query_int(db, "SELECT COUNT(*) FROM message_ids") <= 7000);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (legate::test::query_int(db, "SELECT COUNT(*) FROM message_ids") > 0 &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    CHECK(legate::test::query_int(db, "SELECT COUNT(*) FROM message_ids") == 0);
    // Their keys are collected after the prune, in slices of their own.
    const auto keys = [&] {
      return legate::test::query_int(db, "SELECT COUNT(*) FROM message_id_keys") +
             legate::test::query_int(db, "SELECT COUNT(*) FROM message_id_recent_keys");
    };
    while (keys() > 0 && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    CHECK(keys() == 0);
  }
}

TEST_CASE("storage: migration 3 dates the existing id mappings, so the retention keeps them") {
  TempDir tmp;
  {
    Database v2(tmp.db_path(), legate::schema_migrations().first(2));
    v2.exec("INSERT INTO users (jid, registered_at) VALUES ('a@example.org', 0)");
    v2.exec(
        "INSERT INTO id_map (user_id, kind, xmpp_id, legacy_id) VALUES (1, 'message', 'x', 'l')");
  }
  Database db(tmp.db_path());
  CHECK(legate::schema_version(db) == legate::latest_schema_version());
  CHECK(legate::test::query_int(db, "SELECT created > 1700000000 FROM message_ids") == 1);
  IdMap ids(db);
  ids.prune(std::chrono::system_clock::now() - std::chrono::hours(24));
  CHECK(ids.legacy_id(1, "message", "x") == "l");
}

TEST_CASE("storage: migration 4 keeps the contacts, none removed by the user; the flag is kept") {
  TempDir tmp;
  {
    Database v3(tmp.db_path(), legate::schema_migrations().first(3));
    v3.exec("INSERT INTO users (jid, registered_at) VALUES ('a@example.org', 0)");
    v3.exec(
        "INSERT INTO contacts (user_id, legacy_id, local, in_roster) VALUES (1, 'bob', 'bob', 1)");
  }
  Database db(tmp.db_path());
  CHECK(legate::schema_version(db) == legate::latest_schema_version());
  legate::ContactStore contacts(db);
  auto bob = contacts.by_legacy_id(1, "bob");
  REQUIRE(bob);
  CHECK(bob->in_roster);
  CHECK_FALSE(bob->removed_by_user);
  bob->in_roster = false;
  bob->removed_by_user = true;
  contacts.upsert(*bob);
  CHECK(contacts.by_legacy_id(1, "bob")->removed_by_user);
  CHECK_THROWS_AS(db.exec("UPDATE contacts SET removed_by_user = 2"), legate::StorageError);
}
