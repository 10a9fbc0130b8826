// The id map's key tables (see id_map_keys.hpp).
#include "storage/id_map_keys.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <vector>

#include "storage/database.hpp"
#include "storage/keyed_hash.hpp"
#include "storage/storage_writer.hpp"

namespace legate::id_map_keys {
namespace {

// The key space is cut into this many slices for folds and collection: each slice is one
// short transaction, so the loop's own writes never wait long for the write lock.
constexpr int kSlices = 16;
// Recent keys are folded into the main table when there are more than this many, and more
// than an eighth of the main table: each main page is then rewritten once per many keys.
constexpr std::int64_t kMinFold = 32768;

struct MergeState {
  std::int64_t merged_upto = 0, recent = 0, main = 0;
  bool folding = false;
};

MergeState read_state(Database& db) {
  StatementScope s(
      db.statement("SELECT merged_upto, recent_keys, main_keys, folding FROM message_id_merge"));
  MergeState state;
  if (s->step())
    state = {s->column_int(0), s->column_int(1), s->column_int(2), s->column_int(3) != 0};
  return state;
}

void write_state(Database& db, const MergeState& state) {
  StatementScope s(
      db.statement("UPDATE message_id_merge SET merged_upto = ?1, recent_keys = ?2, "
                   "main_keys = ?3, folding = ?4"));
  s->bind_int(1, state.merged_upto)
      .bind_int(2, state.recent)
      .bind_int(3, state.main)
      .bind_int(4, state.folding ? 1 : 0);
  s->run();
}

// Slice `i` of the key space (signed 32-bit keys): [low, high].
std::pair<std::int64_t, std::int64_t> slice_bounds(int i) {
  constexpr std::int64_t kWidth = (std::int64_t{1} << 32) / kSlices;
  const std::int64_t low = std::int64_t{INT32_MIN} + kWidth * i;
  return {low, low + kWidth - 1};
}

// Runs `slice(db, i)` for i = 0…kSlices-1: one writer job each (each queueing the next, so
// other jobs run between), or all at once without a writer.
template <typename Slice>
void run_slices(Database& db, StorageWriter* writer, Slice slice, int first = 0) {
  if (!writer) {
    for (int i = first; i < kSlices; ++i) slice(db, i);
    return;
  }
  struct Job {
    StorageWriter* writer;
    Slice slice;
    int i;
    void operator()(Database& db) {
      slice(db, i);
      if (i + 1 < kSlices) writer->submit(Job{writer, slice, i + 1});
    }
  };
  writer->submit(Job{writer, slice, first});
}

// Moves one slice of the recent keys into the main table (keys of rows gone are dropped).
void fold_slice(Database& db, int i) {
  const auto [low, high] = slice_bounds(i);
  Transaction tx(db);
  MergeState state = read_state(db);
  StatementScope move(
      db.statement("INSERT OR IGNORE INTO message_id_keys (key, row) SELECT k.key, k.row "
                   "FROM message_id_recent_keys k JOIN message_ids m ON m.id = k.row "
                   "WHERE k.key BETWEEN ?1 AND ?2"));
  move->bind_int(1, low).bind_int(2, high);
  move->run();
  state.main += db.changes();
  StatementScope drop(
      db.statement("DELETE FROM message_id_recent_keys WHERE key BETWEEN ?1 AND ?2"));
  drop->bind_int(1, low).bind_int(2, high);
  drop->run();
  state.recent = std::max<std::int64_t>(0, state.recent - db.changes());
  if (i + 1 == kSlices) state.folding = false;
  write_state(db, state);
  tx.commit();
}

void collect_slice(Database& db, int i) {
  const auto [low, high] = slice_bounds(i);
  Transaction tx(db);
  MergeState state = read_state(db);
  const std::pair<const char*, std::int64_t*> tables[] = {
      {"message_id_keys", &state.main}, {"message_id_recent_keys", &state.recent}};
  for (const auto& [table, count] : tables) {
    StatementScope gone(db.statement(std::string("DELETE FROM ") + table +
                                     " WHERE key BETWEEN ?1 AND ?2 AND NOT EXISTS "
                                     "(SELECT 1 FROM message_ids m WHERE m.id = " +
                                     table + ".row)"));
    gone->bind_int(1, low).bind_int(2, high);
    gone->run();
    *count = std::max<std::int64_t>(0, *count - db.changes());
  }
  write_state(db, state);
  tx.commit();
}

// Inserts (key, row) pairs into the recent keys, kInsertRows per statement: one statement
// execution per pair cost more than the B-tree insertion itself.
constexpr std::size_t kInsertRows = 128;

void insert_keys(Database& db, const std::vector<std::pair<std::int64_t, std::int64_t>>& keys) {
  static const std::string many = [] {
    std::string sql = "INSERT OR IGNORE INTO message_id_recent_keys (key, row) VALUES ";
    for (std::size_t i = 0; i < kInsertRows; ++i) sql += i ? ",(?,?)" : "(?,?)";
    return sql;
  }();
  std::size_t i = 0;
  if (keys.size() >= kInsertRows) {
    Statement& batch = db.statement(many);
    StatementScope scope(batch);
    for (; i + kInsertRows <= keys.size(); i += kInsertRows) {
      for (std::size_t j = 0; j < kInsertRows; ++j)
        batch.bind_int(static_cast<int>(2 * j + 1), keys[i + j].first)
            .bind_int(static_cast<int>(2 * j + 2), keys[i + j].second);
      batch.run();
      batch.reset();
    }
  }
  Statement& one =
      db.statement("INSERT OR IGNORE INTO message_id_recent_keys (key, row) VALUES (?1, ?2)");
  StatementScope scope(one);
  for (; i < keys.size(); ++i) {
    one.bind_int(1, keys[i].first).bind_int(2, keys[i].second);
    one.run();
    one.reset();
  }
}

}  // namespace

std::int64_t side_key(const KeyedHash& hash, std::string& scratch, char side, std::int64_t user_id,
                      std::string_view kind, std::string_view id) {
  scratch.clear();
  scratch.push_back(side);
  scratch.append(reinterpret_cast<const char*>(&user_id), sizeof user_id);
  scratch.append(kind);
  scratch.push_back('\0');  // kinds never contain NUL, so (kind, id) pairs cannot run together
  scratch.append(id);
  // 32 bits: SQLite stores them in 4 bytes, so a key-table page holds a third more keys; the
  // rare false candidate (one in 400 lookups at 10M keys) is rejected by its texts.
  return static_cast<std::int32_t>(hash(scratch) >> 32);
}

std::size_t merge(Database& db, const std::string& hash_key, StorageWriter* writer) {
  const KeyedHash hash(hash_key);
  Transaction tx(db);
  MergeState state = read_state(db);
  std::vector<std::pair<std::int64_t, std::int64_t>> keys;  // (key, row)
  std::string scratch;
  {
    StatementScope rows(db.statement(
        "SELECT id, user_id, kind, xmpp_id, legacy_id FROM message_ids WHERE id > ?1 ORDER BY id"));
    rows->bind_int(1, state.merged_upto);
    while (rows->step()) {
      const std::int64_t id = rows->column_int(0), user = rows->column_int(1);
      const std::string_view kind = rows->column_text_view(2);
      keys.emplace_back(side_key(hash, scratch, kXmppSide, user, kind, rows->column_text_view(3)),
                        id);
      keys.emplace_back(side_key(hash, scratch, kLegacySide, user, kind, rows->column_text_view(4)),
                        id);
      state.merged_upto = id;
    }
  }
  if (keys.empty()) return 0;
  // In key order: each page of the recent keys is visited once, in sequence.
  std::sort(keys.begin(), keys.end());
  insert_keys(db, keys);
  state.recent += static_cast<std::int64_t>(keys.size());
  const bool fold = !state.folding && state.recent > std::max(kMinFold, state.main / 8);
  state.folding = state.folding || fold;
  write_state(db, state);
  tx.commit();
  if (fold) run_slices(db, writer, fold_slice);
  return keys.size() / 2;
}

void collect(Database& db, StorageWriter* writer) {
  run_slices(db, writer, collect_slice);
}

std::int64_t open(Database& db) {
  Transaction tx(db);
  MergeState state = read_state(db);
  if (state.folding) {  // a crash in the middle of a fold: the rest is folded next time
    state.folding = false;
    write_state(db, state);
  }
  StatementScope last(db.statement("SELECT COALESCE(MAX(id), 0) FROM message_ids"));
  last->step();
  const std::int64_t next = std::max(last->column_int(0), state.merged_upto) + 1;
  last->reset();
  tx.commit();
  return next;
}

}  // namespace legate::id_map_keys
