// RoomArchive against a real SQLite file, with and without the writer thread: appends,
// deduplication by legacy id, and XEP-0313 / XEP-0059 pages (forward, backward, the last
// page, flip-page, time and nick filters, #extended ids, counts and completeness).
#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>

#include "component/stanza_error.hpp"
#include "storage/database.hpp"
#include "storage/json.hpp"
#include "storage/room_archive.hpp"
#include "storage/room_store.hpp"
#include "storage/storage_writer.hpp"
#include "storage/user_store.hpp"
#include "tests/unit/storage_test_util.hpp"

using namespace legate;
using legate::test::TempDir;

namespace {

struct Archive {
  TempDir tmp;
  Database db{tmp.db_path()};
  boost::asio::io_context io;
  std::unique_ptr<StorageWriter> writer;
  std::unique_ptr<RoomArchive> archive;
  std::int64_t room = 0, other = 0;

  explicit Archive(bool with_writer) {
    const auto user = UserStore(db).add(Jid("alice@example.org"), Json{});
    RoomRecord r;
    r.user_id = user.id;
    r.legacy_id = r.local = "lounge";
    room = RoomStore(db).upsert(r).id;
    r.legacy_id = r.local = "lobby";
    other = RoomStore(db).upsert(r).id;
    if (with_writer) writer = std::make_unique<StorageWriter>(db);
    archive = std::make_unique<RoomArchive>(db, io.get_executor(), writer.get());
  }
  // Messages s1..sN at ts 1000, 2000…, from bob (odd) and carol (even), legacy ids L1…
  void fill(int n, std::int64_t room_id = 0) {
    for (int i = 1; i <= n; ++i)
      archive->append({.room_id = room_id ? room_id : room,
                       .ts_ms = i * 1000,
                       .stanza_id = "s" + std::to_string(i),
                       .xmpp_id = "x" + std::to_string(i),
                       .legacy_id = "L" + std::to_string(i),
                       .nick = i % 2 ? "bob" : "carol",
                       .payload = "<body>" + std::to_string(i) + "</body>"});
    io.run();  // the posted flush
    io.restart();
  }
  std::vector<std::string> ids(const ArchivePage& page) {
    std::vector<std::string> out;
    for (const auto& m : page.messages) out.push_back(m.stanza_id);
    return out;
  }
  ArchivePage page(MamQuery q, std::string_view nick = "") { return archive->query(room, q, nick); }
};

std::vector<std::string> range(int from, int to) {
  std::vector<std::string> out;
  for (int i = from; i <= to; ++i) out.push_back("s" + std::to_string(i));
  return out;
}

}  // namespace

TEST_CASE("room archive: pages forward, backward, flipped, filtered") {
  for (bool with_writer : {false, true}) {
    CAPTURE(with_writer);
    Archive a(with_writer);
    a.fill(25);
    a.fill(3, a.other);  // another room's: never in this one's pages

    ArchivePage first = a.page({.max = 10});
    CHECK(a.ids(first) == range(1, 10));
    CHECK(first.page.count == 25);
    CHECK_FALSE(first.page.complete);
    CHECK(first.page.first == "s1");
    CHECK(first.page.last == "s10");
    CHECK(first.messages[0].payload == "<body>1</body>");
    CHECK(first.messages[0].legacy_id == "L1");
    CHECK(first.messages[0].nick == "bob");

    ArchivePage next = a.page({.max = 10, .rsm_after = "s20"});
    CHECK(a.ids(next) == range(21, 25));
    CHECK(next.page.complete);

    ArchivePage last = a.page({.max = 10, .rsm_before = ""});  // the last page
    CHECK(a.ids(last) == range(16, 25));
    CHECK_FALSE(last.page.complete);
    ArchivePage earlier = a.page({.max = 10, .rsm_before = "s6"});
    CHECK(a.ids(earlier) == range(1, 5));
    CHECK(earlier.page.complete);

    ArchivePage flipped = a.page({.max = 3, .rsm_before = "", .flip_page = true});
    CHECK(a.ids(flipped) == std::vector<std::string>{"s25", "s24", "s23"});
    CHECK(flipped.page.first == "s23");  // RSM first/last: the page's own order

    ArchivePage timed = a.page({.start_ms = 5000, .end_ms = 8000});
    CHECK(a.ids(timed) == range(5, 8));
    CHECK(timed.page.count == 4);
    CHECK(timed.page.complete);

    ArchivePage carol = a.page({.with = "lounge@gw/carol", .max = 100}, "carol");
    CHECK(carol.page.count == 12);
    CHECK(carol.messages.front().stanza_id == "s2");

    ArchivePage between = a.page({.before_id = "s9", .after_id = "s5"});
    CHECK(a.ids(between) == range(6, 8));
    ArchivePage exact = a.page({.ids = {"s7", "s3"}});
    CHECK(a.ids(exact) == std::vector<std::string>{"s3", "s7"});

    CHECK_THROWS_AS(a.page({.rsm_after = "nope"}), StanzaError);
    CHECK_THROWS_AS(a.page({.ids = {"s1", "nope"}}), StanzaError);
    CHECK_THROWS_AS(a.page({.after_id = "s1@other"}), StanzaError);

    CHECK(a.archive->first(a.room)->stanza_id == "s1");
    CHECK(a.archive->last(a.room)->stanza_id == "s25");
    CHECK_FALSE(a.archive->first(999));
  }
}

TEST_CASE("room archive: stanza-ids carry their row; other ids are found too; rooms go") {
  Archive a(true);
  a.fill(3);
  const std::string id = a.archive->new_stanza_id();
  CHECK(id.size() == 24);
  CHECK(id.find_first_of("+/=") == std::string::npos);
  CHECK(id != a.archive->new_stanza_id());  // a reserved row may stay unused
  a.archive->append({.room_id = a.room,
                     .ts_ms = 9000,
                     .stanza_id = "n1",
                     .xmpp_id = "n",
                     .legacy_id = "",
                     .nick = "bob",
                     .payload = "<body>n1</body>"});
  a.archive->append({.room_id = a.room,
                     .ts_ms = 9001,
                     .stanza_id = id,
                     .xmpp_id = "n",
                     .legacy_id = "",
                     .nick = "bob",
                     .payload = "<body>n2</body>"});
  a.archive->sync();
  const auto row = RoomArchive::row_of(id);
  REQUIRE(row.has_value());
  StatementScope by_row(a.db.statement("SELECT stanza_id FROM room_archive WHERE id = ?1"));
  by_row->bind_int(1, *row);
  REQUIRE(by_row->step());
  CHECK(by_row->column_text(0) == id);
  CHECK(a.ids(a.page({.ids = {id, "s2"}})) == std::vector<std::string>{"s2", id});
  CHECK(a.ids(a.page({.after_id = "n1"})) == std::vector<std::string>{id});
  // The same row with other random bits, another room, a malformed id: not found.
  std::string forged = id;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  CHECK_THROWS_AS(a.page({.ids = {forged}}), legate::StanzaError);
  CHECK_THROWS_AS(a.archive->query(a.other, {.ids = {id}}, ""), legate::StanzaError);
  CHECK_FALSE(RoomArchive::row_of("AAAAAAAAAAAAAAAAAAAAAAA+"));
  CHECK_FALSE(RoomArchive::row_of("AAAAAAAAAAAAAAAAAAAAAAAA"));  // row 0
  CHECK_FALSE(RoomArchive::row_of("short"));
  ArchivePage all = a.page({});
  CHECK(a.ids(all) == std::vector<std::string>{"s1", "s2", "s3", "n1", id});
  a.archive->sync();
  RoomStore(a.db).remove(UserStore(a.db).find(Jid("alice@example.org"))->id, "lounge");
  StatementScope left(a.db.statement("SELECT count(*) FROM room_archive WHERE room_id = ?1"));
  left->bind_int(1, a.room);
  left->step();
  CHECK(left->column_int(0) == 0);
}

TEST_CASE("room archive: retention by age and by count per room, in slices") {
  for (bool with_writer : {false, true}) {
    CAPTURE(with_writer);
    Archive a(with_writer);
    a.fill(30);  // ts 1000…30000
    a.fill(12, a.other);
    a.archive->prune(10500, 0);  // s1…s10 are older
    a.archive->sync();
    CHECK(a.page({.max = 100}).page.count == 20);
    CHECK(a.page({.max = 1}).page.first == "s11");
    a.archive->prune(0, 5);  // keep the 5 newest of each room
    a.archive->sync();
    CHECK(a.ids(a.page({.max = 100})) == range(26, 30));
    CHECK(a.archive->query(a.other, {.max = 100}, "").page.count == 2);  // s11, s12: by age
    a.archive->prune(0, 0);  // nothing asked: nothing done
    a.archive->sync();
    CHECK(a.page({}).page.count == 5);
  }
}

TEST_CASE("room archive: id-only rows (a room not recording) are in no page, count or edge") {
  Archive a(true);
  a.fill(2);  // s1, s2 recorded
  for (int i = 3; i <= 4; ++i)
    a.archive->append({.room_id = a.room,
                       .ts_ms = i * 1000,
                       .stanza_id = "s" + std::to_string(i),
                       .xmpp_id = "x" + std::to_string(i),
                       .legacy_id = "L" + std::to_string(i),
                       .nick = "bob",
                       .payload = ""});
  a.archive->sync();
  ArchivePage all = a.page({});
  CHECK(a.ids(all) == range(1, 2));
  CHECK(all.page.count == 2);
  CHECK(a.ids(a.page({.max = 1, .rsm_before = ""})) == std::vector<std::string>{"s2"});
  CHECK(a.archive->last(a.room)->stanza_id == "s2");
  CHECK_THROWS_AS(a.page({.ids = {"s3"}}), legate::StanzaError);
  // Still a backfill's bound: the legacy network's history before it is known.
  CHECK(a.archive->newest_before(a.room, 10000)->stanza_id == "s4");
}
