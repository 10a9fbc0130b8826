// The id map's write path: the keyed hash, the key table merged in batches, what a crash
// leaves unmerged, and eviction of merged mappings only.
#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <string>
#include <thread>

#include "storage/database.hpp"
#include "storage/id_map.hpp"
#include "storage/json.hpp"
#include "storage/keyed_hash.hpp"
#include "storage/storage_writer.hpp"
#include "storage/user_store.hpp"
#include "tests/unit/storage_test_util.hpp"

using legate::Database;
using legate::IdMap;
using legate::Jid;
using legate::Json;
using legate::KeyedHash;
using legate::StorageWriter;
using legate::UserStore;
using legate::test::query_int;
using legate::test::TempDir;

namespace {
// Keys in both key tables (the recent and the main one).
std::int64_t keys(Database& db) {
  return query_int(db, "SELECT count(*) FROM message_id_keys") +
         query_int(db, "SELECT count(*) FROM message_id_recent_keys");
}
}  // namespace

TEST_CASE("keyed hash: SipHash-2-4 reference vectors") {
  const KeyedHash hash("000102030405060708090a0b0c0d0e0f");
  CHECK(hash("") == 0x726fdb47dd0e0e31ULL);
  std::string fifteen;
  for (char c = 0; c < 15; ++c) fifteen.push_back(c);
  CHECK(hash(fifteen) == 0xa129ca6149be45e5ULL);
  CHECK(KeyedHash("ff0102030405060708090a0b0c0d0e0f")("") != 0x726fdb47dd0e0e31ULL);
  CHECK_THROWS(KeyedHash("0011"));
  CHECK_THROWS(KeyedHash("zz0102030405060708090a0b0c0d0e0f"));
}

TEST_CASE("id map: rows a crash left without keys are merged when the map is opened") {
  TempDir tmp;
  Database db(tmp.db_path());
  const auto alice = UserStore(db).add(Jid("alice@example.org"), Json{});
  {
    IdMap ids(db);
    ids.put(alice.id, "message", "x0", "l0");
  }
  CHECK(keys(db) == 2);
  // What a kill -9 between a commit and its merge leaves: rows, no keys.
  for (int i = 1; i <= 3; ++i)
    db.exec("INSERT INTO message_ids (user_id, kind, xmpp_id, legacy_id, created) VALUES (" +
            std::to_string(alice.id) + ", 'message', 'x" + std::to_string(i) + "', 'l" +
            std::to_string(i) + "', 0)");
  IdMap reopened(db);
  CHECK(keys(db) == 8);
  CHECK(reopened.legacy_id(alice.id, "message", "x2") == "l2");
  CHECK(reopened.xmpp_id(alice.id, "message", "l3") == "x3");
  CHECK(reopened.legacy_id(alice.id, "message", "x0") == "l0");
}

TEST_CASE("id map: unmerged mappings stay cached past the cache size; merged ones leave") {
  TempDir tmp;
  Database db(tmp.db_path());
  const auto alice = UserStore(db).add(Jid("alice@example.org"), Json{});
  legate::asio::io_context io;
  StorageWriter writer(db);
  IdMap ids(db, io.get_executor(), &writer, 4);
  for (int i = 0; i < 100; ++i)
    ids.put(alice.id, "message", "x" + std::to_string(i), "l" + std::to_string(i));
  ids.flush();  // committed soon, but not merged: fewer than a merge's worth, within a second
  writer.wait(writer.submit([](Database&) {}));
  CHECK(ids.queued() == 0);
  CHECK(ids.unmerged() == 100);
  CHECK(query_int(db, "SELECT COUNT(*) FROM message_ids") == 100);
  CHECK(keys(db) == 0);
  // The cache (4) holds all 100: the key table is not needed yet.
  CHECK(ids.legacy_id(alice.id, "message", "x3") == "l3");
  CHECK(ids.xmpp_id(alice.id, "message", "l50") == "x50");
  ids.sync();  // merges
  CHECK(ids.unmerged() == 0);
  CHECK(keys(db) == 200);
  ids.put(alice.id, "message", "y", "m");  // the next put evicts the merged ones
  ids.sync();
  CHECK(ids.recent_legacy_id(alice.id, "message", "x3") == std::nullopt);
  CHECK(ids.legacy_id(alice.id, "message", "x3") == "l3");  // from the key table
  CHECK(ids.xmpp_id(alice.id, "message", "l50") == "x50");
  CHECK(ids.xmpp_id(alice.id, "message", "l100") == std::nullopt);
}

TEST_CASE("id map: a replace among unmerged puts is answered right after eviction") {
  TempDir tmp;
  Database db(tmp.db_path());
  const auto alice = UserStore(db).add(Jid("alice@example.org"), Json{});
  legate::asio::io_context io;
  StorageWriter writer(db);
  IdMap ids(db, io.get_executor(), &writer, 2);
  ids.put(alice.id, "message", "a", "L");
  ids.put(alice.id, "message", "b", "L");  // L's newest XMPP id is b
  ids.flush();
  ids.put(alice.id, "message", "b", "M");  // b remapped: L is a's again
  CHECK(ids.xmpp_id(alice.id, "message", "L") == "a");
  CHECK(ids.xmpp_id(alice.id, "message", "M") == "b");
  CHECK(ids.legacy_id(alice.id, "message", "b") == "M");
  for (int i = 0; i < 10; ++i) ids.put(alice.id, "message", "z" + std::to_string(i), "Z");
  ids.sync();
  ids.put(alice.id, "message", "last", "N");  // evicts everything merged
  CHECK(ids.xmpp_id(alice.id, "message", "L") == "a");
  CHECK(ids.legacy_id(alice.id, "message", "b") == "M");
  CHECK(ids.xmpp_id(alice.id, "message", "Z") == "z9");
}

namespace {
// Polls `done` for up to 10 s (chained writer jobs: folds and collections run in slices).
template <typename Done>
bool eventually(Done done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}
}  // namespace

TEST_CASE("id map: recent keys fold into the main table; a forgotten user's keys are collected") {
  TempDir tmp;
  Database db(tmp.db_path());
  UserStore users(db);
  const auto alice = users.add(Jid("alice@example.org"), Json{});
  const auto bob = users.add(Jid("bob@example.org"), Json{});
  legate::asio::io_context io;
  StorageWriter writer(db);
  IdMap ids(db, io.get_executor(), &writer, 16);
  for (int i = 0; i < 20000; ++i)  // 40,000 keys: more than a fold's minimum
    ids.put(alice.id, "message", "a" + std::to_string(i), "la" + std::to_string(i));
  for (int i = 0; i < 100; ++i)
    ids.put(bob.id, "message", "b" + std::to_string(i), "lb" + std::to_string(i));
  ids.sync();
  REQUIRE(eventually([&] { return query_int(db, "SELECT folding FROM message_id_merge") == 0; }));
  CHECK(keys(db) == 40200);
  CHECK(query_int(db, "SELECT count(*) FROM message_id_keys") >= 40000);
  ids.put(bob.id, "message", "evict", "all merged");
  CHECK(ids.recent_legacy_id(alice.id, "message", "a7") == std::nullopt);
  CHECK(ids.legacy_id(alice.id, "message", "a7") == "la7");
  CHECK(ids.xmpp_id(alice.id, "message", "la19999") == "a19999");
  CHECK(ids.xmpp_id(bob.id, "message", "lb42") == "b42");

  ids.forget(alice.id);
  CHECK(query_int(db, "SELECT count(*) FROM message_ids WHERE user_id = " +
                          std::to_string(alice.id)) == 0);
  CHECK(eventually([&] { return keys(db) == 202; }));
  CHECK_FALSE(ids.legacy_id(alice.id, "message", "a7").has_value());
  CHECK(ids.legacy_id(bob.id, "message", "b42") == "lb42");
  CHECK(ids.xmpp_id(bob.id, "message", "all merged") == "evict");
}
