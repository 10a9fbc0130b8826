// RoomArchive: batched appends through the writer thread, MAM pages by (ts, id) keyset.
#include "storage/room_archive.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include <openssl/rand.h>

#include <stdexcept>

#include "component/base64.hpp"
#include "component/stanza_error.hpp"
#include "storage/database.hpp"
#include "storage/storage_writer.hpp"

namespace legate {
namespace {

constexpr auto kBatchDelay = std::chrono::milliseconds(50);

// Each message with its row id (the one its stanza-id carries).
using Batch = std::vector<std::pair<std::int64_t, ArchivedMessage>>;

void write_batch(Database& db, const Batch& batch) {
  Transaction tx(db);
  // Only the row and the (room, time) index: stanza-ids carry their row id, and legacy ids
  // are deduplicated by the id map before a message is archived (Participant::known).
  Statement& insert = db.statement(
      "INSERT INTO room_archive "
      "(id, room_id, ts, stanza_id, xmpp_id, legacy_id, nick, source, payload) "
      "VALUES (?9, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  for (const auto& [row_id, m] : batch) {
    StatementScope stmt(insert);
    try {
      stmt->bind_int(1, m.room_id).bind_int(2, m.ts_ms).bind_text(3, m.stanza_id);
      stmt->bind_text(4, m.xmpp_id);
      if (m.legacy_id.empty())
        stmt->bind_null(5);
      else
        stmt->bind_text(5, m.legacy_id);
      stmt->bind_text(6, m.nick).bind_int(7, m.backfill ? 1 : 0).bind_text(8, m.payload);
      stmt->bind_int(9, row_id);
      stmt->run();
    } catch (const StorageError& e) {
      // One bad row (its room deleted meanwhile) must not cost the others.
      spdlog::warn("storage: group message {} not archived: {}", m.stanza_id, e.what());
    }
  }
  tx.commit();
}

// Stanza-ids: the row id (8 bytes, big-endian) then 10 random bytes, base64url: 24 characters,
// unpredictable (XEP-0359 §3: 80 random bits) and found without an index.
constexpr std::size_t kRowIdBytes = 8, kRandomBytes = 10, kStanzaIdChars = 24;

std::string encode_stanza_id(std::int64_t row_id, const unsigned char* random) {
  std::string bytes(kRowIdBytes + kRandomBytes, '\0');
  for (std::size_t i = 0; i < kRowIdBytes; ++i)
    bytes[i] = static_cast<char>(static_cast<std::uint64_t>(row_id) >> (8 * (kRowIdBytes - 1 - i)));
  std::copy(random, random + kRandomBytes, bytes.begin() + kRowIdBytes);
  std::string text = base64_encode(bytes);  // 18 bytes: no padding
  for (char& c : text) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return text;
}

constexpr std::string_view kColumns =
    "SELECT room_id, ts, stanza_id, xmpp_id, coalesce(legacy_id, ''), nick, source, payload, id "
    "FROM room_archive ";

ArchivedMessage read_row(const Statement& s) {
  return ArchivedMessage{.room_id = s.column_int(0),
                         .ts_ms = s.column_int(1),
                         .stanza_id = s.column_text(2),
                         .xmpp_id = s.column_text(3),
                         .legacy_id = s.column_text(4),
                         .nick = s.column_text(5),
                         .backfill = s.column_int(6) != 0,
                         .payload = s.column_text(7)};
}

// The WHERE clause of a query's filters (not its page bounds), and its parameters.
struct Filter {
  // Rows without a payload only map ids (a room that does not record history): never shown.
  std::string sql = "WHERE room_id = ?1 AND payload <> ''";
  std::vector<std::int64_t> ints;  // ?2… in order, after the room
};

}  // namespace

RoomArchive::RoomArchive(Database& db, asio::any_io_executor executor, StorageWriter* writer)
    : db_(db),
      executor_(executor),
      timer_(std::move(executor)),
      writer_(writer),
      queue_(std::make_shared<Batch>()) {
  StatementScope last(db_.statement("SELECT COALESCE(MAX(id), 0) + 1 FROM room_archive"));
  if (last->step()) next_id_ = last->column_int(0);
}

std::string RoomArchive::new_stanza_id() {
  // Random bytes are drawn a pool at a time: RAND_bytes takes a lock and costs more than the
  // rest of the id.
  if (random_used_ + kRandomBytes > random_.size()) {
    if (RAND_bytes(random_.data(), static_cast<int>(random_.size())) != 1)
      throw std::runtime_error("no random bytes");
    random_used_ = 0;
  }
  const unsigned char* random = random_.data() + random_used_;
  random_used_ += kRandomBytes;
  return encode_stanza_id(next_id_++, random);
}

std::optional<std::int64_t> RoomArchive::row_of(std::string_view stanza_id) {
  if (stanza_id.size() != kStanzaIdChars) return std::nullopt;
  std::string text(stanza_id);
  for (char& c : text) {
    if (c == '+' || c == '/') return std::nullopt;  // not base64url
    c = c == '-' ? '+' : c == '_' ? '/' : c;
  }
  const auto bytes = base64_decode(text);
  if (!bytes || bytes->size() != kRowIdBytes + kRandomBytes) return std::nullopt;
  std::uint64_t row = 0;
  for (std::size_t i = 0; i < kRowIdBytes; ++i)
    row = (row << 8) | static_cast<unsigned char>((*bytes)[i]);
  if (row == 0 || row > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
  return static_cast<std::int64_t>(row);
}

RoomArchive::~RoomArchive() {
  try {
    sync();
  } catch (const std::exception& e) {
    spdlog::error("storage: the last group messages were not archived: {}", e.what());
  }
}

void RoomArchive::append(ArchivedMessage message) {
  // A stanza-id from new_stanza_id() names its row; any other gets the next one.
  std::int64_t row = row_of(message.stanza_id).value_or(0);
  if (row == 0) row = next_id_++;
  next_id_ = std::max(next_id_, row + 1);
  queue_->emplace_back(row, std::move(message));
  if (flush_posted_) return;
  flush_posted_ = true;
  // Everything archived within kBatchDelay goes in one transaction: each commit dirties the
  // last page of every room written to, so fewer commits write fewer pages. Queries flush first.
  timer_.expires_after(kBatchDelay);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled: the archive is gone (its destructor wrote the queue)
    flush_posted_ = false;
    flush();
  });
}

void RoomArchive::flush() {
  if (queue_->empty()) return;
  auto batch = std::exchange(queue_, std::make_shared<Batch>());
  if (!writer_) return write_batch(db_, *batch);
  last_job_ = writer_->submit([batch](Database& db) { write_batch(db, *batch); });
}

namespace {

constexpr std::int64_t kPruneSlice = 5000;

// One slice of the retention; true when there may be more to delete.
bool prune_slice(Database& db, std::int64_t before_ms, std::uint64_t max_per_room,
                 std::int64_t& total) {
  if (before_ms > 0) {
    StatementScope old(
        db.statement("DELETE FROM room_archive WHERE id IN "
                     "(SELECT id FROM room_archive WHERE ts < ?1 ORDER BY ts LIMIT ?2)"));
    old->bind_int(1, before_ms).bind_int(2, kPruneSlice);
    old->run();
    total += db.changes();
    if (db.changes() == kPruneSlice) return true;
  }
  if (max_per_room == 0) return false;
  std::vector<std::pair<std::int64_t, std::int64_t>> over_limit;  // room, excess
  {
    StatementScope over(
        db.statement("SELECT room_id, count(*) - ?1 FROM room_archive GROUP BY room_id "
                     "HAVING count(*) > ?1"));
    over->bind_int(1, static_cast<std::int64_t>(max_per_room));
    while (over->step()) over_limit.emplace_back(over->column_int(0), over->column_int(1));
  }
  bool more = false;
  for (const auto& [room, excess] : over_limit) {
    StatementScope oldest(db.statement(
        "DELETE FROM room_archive WHERE id IN (SELECT id FROM room_archive WHERE room_id = ?1 "
        "ORDER BY ts, id LIMIT ?2)"));
    oldest->bind_int(1, room).bind_int(2, std::min(excess, kPruneSlice));
    oldest->run();
    total += db.changes();
    more = more || excess > kPruneSlice;
  }
  return more;
}

struct PruneJob {
  StorageWriter* writer;
  std::int64_t before_ms;
  std::uint64_t max_per_room;
  std::int64_t total = 0;
  void operator()(Database& db) {
    if (prune_slice(db, before_ms, max_per_room, total) &&
        writer->submit(PruneJob{writer, before_ms, max_per_room, total}) != 0)
      return;
    if (total > 0) spdlog::info("storage: pruned {} messages of group histories", total);
  }
};

}  // namespace

void RoomArchive::prune(std::int64_t before_ms, std::uint64_t max_per_room) {
  if (before_ms <= 0 && max_per_room == 0) return;
  flush();
  if (writer_) {
    last_job_ = writer_->submit(PruneJob{writer_, before_ms, max_per_room});
    return;
  }
  std::int64_t total = 0;
  while (prune_slice(db_, before_ms, max_per_room, total)) {
  }
  if (total > 0) spdlog::info("storage: pruned {} messages of group histories", total);
}

void RoomArchive::sync() {
  flush();
  if (writer_ && last_job_) writer_->wait(last_job_);
}

std::optional<ArchivedMessage> RoomArchive::find(std::int64_t room_id, std::string_view stanza_id,
                                                 std::int64_t* row_id) {
  // Ids of another shape (archives written before ids carried their row) by a partial index.
  const auto row = row_of(stanza_id);
  StatementScope stmt(db_.statement(
      row ? std::string(kColumns) + "WHERE id = ?3 AND room_id = ?1 AND stanza_id = ?2"
          : std::string(kColumns) +
                "WHERE room_id = ?1 AND stanza_id = ?2 AND length(stanza_id) <> 24"));
  stmt->bind_int(1, room_id).bind_text(2, stanza_id);
  if (row) stmt->bind_int(3, *row);
  if (!stmt->step()) return std::nullopt;
  if (row_id) *row_id = stmt->column_int(8);
  return read_row(*stmt);
}

RoomArchive::Position RoomArchive::position_of(std::int64_t room_id, std::string_view stanza_id) {
  std::int64_t row = 0;
  const auto found = find(room_id, stanza_id, &row);
  if (!found)
    throw StanzaError(ErrorCondition::item_not_found, "no message " + std::string(stanza_id));
  return {found->ts_ms, row};
}

ArchivePage RoomArchive::query(std::int64_t room_id, const MamQuery& q,
                               std::string_view with_nick) {
  sync();
  ArchivePage out;
  if (!q.ids.empty()) {  // exactly these, in archive order
    for (const auto& id : q.ids) {
      auto found = find(room_id, id, nullptr);
      if (!found || found->payload.empty())
        throw StanzaError(ErrorCondition::item_not_found, "no message " + id);
      out.messages.push_back(std::move(*found));
    }
    std::stable_sort(out.messages.begin(), out.messages.end(),
                     [](const auto& a, const auto& b) { return a.ts_ms < b.ts_ms; });
    out.page.count = out.messages.size();
    out.page.complete = true;
  } else {
    Filter f;
    auto bound = [](Filter& into, std::string_view op, Position p) {
      into.sql += " AND (ts, id) " + std::string(op) + " (?" +
                  std::to_string(into.ints.size() + 2) + ", ?" +
                  std::to_string(into.ints.size() + 3) + ")";
      into.ints.push_back(p.ts_ms);
      into.ints.push_back(p.id);
    };
    auto number = [&](std::string_view clause, std::int64_t value) {
      f.sql += " AND " + std::string(clause) + " ?" + std::to_string(f.ints.size() + 2);
      f.ints.push_back(value);
    };
    if (q.start_ms) number("ts >=", *q.start_ms);
    if (q.end_ms) number("ts <=", *q.end_ms);
    if (!q.after_id.empty()) bound(f, ">", position_of(room_id, q.after_id));
    if (!q.before_id.empty()) bound(f, "<", position_of(room_id, q.before_id));
    // The nick last: its parameter follows the numbers (statements are cached by their SQL,
    // so values are always bound, never spliced in).
    const bool by_nick = !with_nick.empty();
    auto bind = [&](Statement& s, const Filter& filter) {
      s.bind_int(1, room_id);
      int i = 2;
      for (std::int64_t v : filter.ints) s.bind_int(i++, v);
      if (by_nick) s.bind_text(i, with_nick);
    };
    auto nick_clause = [&](const Filter& filter) {
      return by_nick ? " AND nick = ?" + std::to_string(filter.ints.size() + 2) : std::string();
    };
    {
      StatementScope count(
          db_.statement("SELECT count(*) FROM room_archive " + f.sql + nick_clause(f)));
      bind(*count, f);
      count->step();
      out.page.count = static_cast<std::size_t>(count->column_int(0));
    }
    // The page: forward after <after/> (or from the start), backward before <before/>.
    const bool backward = q.rsm_before.has_value();
    Filter paged = f;
    if (q.rsm_after) bound(paged, ">", position_of(room_id, *q.rsm_after));
    if (q.rsm_before && !q.rsm_before->empty())
      bound(paged, "<", position_of(room_id, *q.rsm_before));
    StatementScope page(db_.statement(std::string(kColumns) + paged.sql + nick_clause(paged) +
                                      " ORDER BY ts " +
                                      (backward ? "DESC, id DESC" : "ASC, id ASC") + " LIMIT ?" +
                                      std::to_string(paged.ints.size() + (by_nick ? 3 : 2))));
    bind(*page, paged);
    page->bind_int(static_cast<int>(paged.ints.size()) + (by_nick ? 3 : 2),
                   static_cast<std::int64_t>(q.max) + 1);
    while (page->step()) out.messages.push_back(read_row(*page));
    // One row more than the page says whether another page follows in that direction.
    out.page.complete = out.messages.size() <= q.max;
    if (!out.page.complete) out.messages.pop_back();
    if (backward) std::reverse(out.messages.begin(), out.messages.end());
  }
  if (!out.messages.empty()) {
    out.page.first = out.messages.front().stanza_id;
    out.page.last = out.messages.back().stanza_id;
  }
  if (q.flip_page) std::reverse(out.messages.begin(), out.messages.end());
  return out;
}

std::optional<ArchivedMessage> RoomArchive::edge(std::int64_t room_id, bool newest) {
  sync();
  StatementScope stmt(db_.statement(std::string(kColumns) +
                                    "WHERE room_id = ?1 AND payload <> '' ORDER BY ts " +
                                    (newest ? "DESC, id DESC" : "ASC, id ASC") + " LIMIT 1"));
  stmt->bind_int(1, room_id);
  if (!stmt->step()) return std::nullopt;
  return read_row(*stmt);
}

std::optional<ArchivedMessage> RoomArchive::newest_before(std::int64_t room_id,
                                                          std::int64_t ts_ms) {
  sync();
  StatementScope stmt(db_.statement(std::string(kColumns) +
                                    "WHERE room_id = ?1 AND ts < ?2 AND legacy_id IS NOT NULL "
                                    "ORDER BY ts DESC, id DESC LIMIT 1"));
  stmt->bind_int(1, room_id).bind_int(2, ts_ms);
  if (!stmt->step()) return std::nullopt;
  return read_row(*stmt);
}

std::optional<ArchivedMessage> RoomArchive::first(std::int64_t room_id) {
  return edge(room_id, false);
}

std::optional<ArchivedMessage> RoomArchive::last(std::int64_t room_id) {
  return edge(room_id, true);
}

}  // namespace legate
