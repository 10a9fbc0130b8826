// Message-id map access (see id_map.hpp).
#include "storage/id_map.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "component/clock.hpp"
#include "storage/database.hpp"
#include "storage/id_map_keys.hpp"
#include "storage/keyed_hash.hpp"
#include "storage/secrets.hpp"
#include "storage/storage_writer.hpp"

namespace legate {
namespace {

constexpr std::int64_t kPruneSlice = 5000;
using id_map_keys::kLegacySide;
using id_map_keys::kXmppSide;
using id_map_keys::side_key;

// Deletes the rows older than `cutoff` among the oldest slice (one short write lock; their
// keys go with them); returns how many. Rows are in time order, so this needs no index on
// `created` (a clock set back can only delay a prune).
std::int64_t delete_slice(Database& db, std::int64_t cutoff) {
  StatementScope stmt(db.statement(
      "DELETE FROM message_ids WHERE id IN (SELECT id FROM "
      "(SELECT id, created FROM message_ids ORDER BY id LIMIT ?2) WHERE created < ?1)"));
  stmt->bind_int(1, cutoff).bind_int(2, kPruneSlice);
  stmt->run();
  return db.changes();
}

void log_pruned(std::int64_t total) {
  if (total > 0) spdlog::info("storage: pruned {} message ids older than the retention", total);
}

// One writer job per slice, each queueing the next: writes queued meanwhile run between
// slices, and nobody waiting for the writer waits for a whole prune.
struct PruneSlice {
  StorageWriter* writer;
  std::int64_t cutoff;
  std::int64_t total = 0;
  void operator()(Database& db) {
    const std::int64_t n = delete_slice(db, cutoff);
    total += n;
    if (n == kPruneSlice && writer->submit(PruneSlice{writer, cutoff, total}) != 0) return;
    log_pruned(total);
    if (total > 0) id_map_keys::collect(db, writer);
  }
};

}  // namespace

IdMap::IdMap(Database& db, std::size_t cache_size)
    : db_(db),
      hash_key_(stored_secret(db, "message-id-keys")),
      writer_(nullptr),
      cache_size_(cache_size),
      next_id_(id_map_keys::open(db)) {
  id_map_keys::merge(db_, hash_key_, nullptr);  // what a crash left unmerged
}

IdMap::IdMap(Database& db, asio::any_io_executor executor, StorageWriter* writer,
             std::size_t cache_size, std::chrono::milliseconds delay)
    : db_(db),
      hash_key_(stored_secret(db, "message-id-keys")),
      timer_(std::make_unique<asio::steady_timer>(std::move(executor))),
      writer_(writer),
      delay_(delay),
      cache_size_(cache_size),
      next_id_(id_map_keys::open(db)),
      last_merge_(std::chrono::steady_clock::now()) {
  if (const std::size_t n = id_map_keys::merge(db_, hash_key_, nullptr); n > 0)
    spdlog::info("storage: indexed {} message ids left unindexed by the last run", n);
}

IdMap::~IdMap() {
  try {
    sync();
  } catch (const std::exception& e) {
    spdlog::error("storage: message ids lost at shutdown: {}", e.what());
  }
}

void IdMap::make_key(std::string& out, std::int64_t user_id, std::string_view kind,
                     std::string_view id) {
  out.clear();
  out.append(reinterpret_cast<const char*>(&user_id), sizeof user_id);
  out.append(kind);
  out.push_back('\0');
  out.append(id);
}

void IdMap::point(Cache& cache, std::string_view key, const Entry& entry) {
  auto [it, inserted] = cache.try_emplace(key, &entry);
  if (inserted) return;
  // The map's key must view the newer entry's string: the older one goes first.
  auto node = cache.extract(it);
  node.key() = key;
  node.mapped() = &entry;
  cache.insert(std::move(node));
}

void IdMap::remember(const Row& row) {
  Entry& entry = order_.emplace_back();
  make_key(entry.xmpp_key, row.user_id, row.kind, row.xmpp_id);
  make_key(entry.legacy_key, row.user_id, row.kind, row.legacy_id);
  entry.prefix = entry.xmpp_key.size() - row.xmpp_id.size();
  if (auto old = by_xmpp_id_.find(entry.xmpp_key);
      old != by_xmpp_id_.end() && old->second->legacy_id() != row.legacy_id) {
    // A replace: the old legacy id no longer names this XMPP id (an older mapping of that
    // legacy id may still hold, and only the database knows it: lookups wait for the merge).
    replace_seq_ = seq_;
    if (auto back = by_legacy_id_.find(old->second->legacy_key);
        back != by_legacy_id_.end() && back->second->xmpp_id() == row.xmpp_id)
      by_legacy_id_.erase(back);
  }
  point(by_xmpp_id_, entry.xmpp_key, entry);
  point(by_legacy_id_, entry.legacy_key, entry);
  evict();
}

void IdMap::evict() {
  // Only merged puts leave: the key tables answer for them.
  while (order_.size() > cache_size_) {
    const std::uint64_t oldest = seq_ - order_.size() + 1;
    if (oldest > merged_seq_) break;
    const Entry& entry = order_.front();
    // Only the entries of the put being evicted: a later put of the same key stays.
    if (auto it = by_xmpp_id_.find(entry.xmpp_key); it != by_xmpp_id_.end() && it->second == &entry)
      by_xmpp_id_.erase(it);
    if (auto it = by_legacy_id_.find(entry.legacy_key);
        it != by_legacy_id_.end() && it->second == &entry)
      by_legacy_id_.erase(it);
    order_.pop_front();
  }
}

void IdMap::put(std::int64_t user_id, std::string_view kind, std::string_view xmpp_id,
                std::string_view legacy_id) {
  Row row{next_id_++,    user_id, std::string(kind), std::string(xmpp_id), std::string(legacy_id),
          unix_seconds()};
  ++seq_;
  if (!timer_) {
    Transaction tx(db_);
    insert_row(db_, row);
    id_map_keys::merge(db_, hash_key_, nullptr);
    tx.commit();
    flushed_seq_ = committed_seq_ = merged_seq_ = seq_;
    if (cache_size_ > 0) remember(row);
    return;
  }
  remember(row);
  queue_.push_back(std::move(row));
  arm_flush();
}

void IdMap::arm_flush() {
  if (flush_armed_) return;
  flush_armed_ = true;
  timer_->expires_after(delay_);
  timer_->async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;  // cancelled: the IdMap is gone (its destructor committed the queue)
    flush_armed_ = false;
    try {
      flush();
    } catch (const std::exception& e) {
      spdlog::error("storage: could not save message ids: {}", e.what());
    }
  });
}

void IdMap::insert_row(Database& db, const Row& row) {
  StatementScope stmt(
      db.statement("INSERT INTO message_ids (id, user_id, kind, xmpp_id, legacy_id, created) "
                   "VALUES (?6, ?1, ?2, ?3, ?4, ?5)"));
  stmt->bind_int(6, row.id)
      .bind_int(1, row.user_id)
      .bind_text(2, row.kind)
      .bind_text(3, row.xmpp_id)
      .bind_text(4, row.legacy_id)
      .bind_int(5, row.created);
  stmt->run();
}

void IdMap::commit_rows(Database& db, const std::vector<Row>& rows) {
  Transaction tx(db);
  for (const Row& row : rows) {
    try {
      insert_row(db, row);
    } catch (const StorageError& e) {
      // One bad row (a user deleted meanwhile) must not cost the others.
      spdlog::warn("storage: message id {} not saved: {}", row.xmpp_id, e.what());
    }
  }
  tx.commit();
}

void IdMap::flush() {
  if (queue_.empty()) return;
  auto batch = std::make_shared<const std::vector<Row>>(std::move(queue_));
  queue_.clear();
  flushed_seq_ = seq_;
  if (!writer_) {
    commit_rows(db_, *batch);
    id_map_keys::merge(db_, hash_key_, nullptr);
    committed_seq_ = merged_seq_ = flushed_seq_;
    evict();
    return;
  }
  last_job_ = writer_->submit([batch](Database& db) { commit_rows(db, *batch); });
  commit_jobs_.push_back({last_job_, flushed_seq_});
  merge_soon();
  // A writer that cannot keep up (the loop saturated, the disk slow) must not let memory
  // grow without bound: then the loop waits for it, which slows the intake instead.
  if (seq_ - merged_seq_ > kMaxUnmerged) {
    poll_writer();
    if (seq_ - merged_seq_ > kMaxUnmerged) sync();
  }
}

void IdMap::merge_soon() {
  const auto now = std::chrono::steady_clock::now();
  if (flushed_seq_ == merge_asked_seq_) return;
  if (flushed_seq_ - merge_asked_seq_ < kMergeRows && now - last_merge_ < std::chrono::seconds(1))
    return;
  last_merge_ = now;
  merge_asked_seq_ = flushed_seq_;
  submit_merge();
}

void IdMap::submit_merge() {
  last_job_ = writer_->submit(
      [key = hash_key_, writer = writer_](Database& db) { id_map_keys::merge(db, key, writer); });
  merge_jobs_.push_back({last_job_, merge_asked_seq_});
}

void IdMap::poll_writer() {
  if (!writer_) return;
  const std::uint64_t done = writer_->finished();
  while (!commit_jobs_.empty() && commit_jobs_.front().number <= done) {
    committed_seq_ = commit_jobs_.front().seq;
    commit_jobs_.pop_front();
  }
  bool merged = false;
  while (!merge_jobs_.empty() && merge_jobs_.front().number <= done) {
    merged_seq_ = merge_jobs_.front().seq;
    merge_jobs_.pop_front();
    merged = true;
  }
  if (merged) evict();
}

void IdMap::sync() {
  flush();
  if (writer_ && merge_asked_seq_ != flushed_seq_) {
    merge_asked_seq_ = flushed_seq_;
    submit_merge();
  }
  if (writer_ && last_job_ != 0) writer_->wait(last_job_);
  poll_writer();
}

std::size_t IdMap::queued() {
  poll_writer();
  return static_cast<std::size_t>(seq_ - committed_seq_);
}

std::size_t IdMap::unmerged() {
  poll_writer();
  return static_cast<std::size_t>(seq_ - merged_seq_);
}

void IdMap::prune(std::chrono::system_clock::time_point before) {
  const std::int64_t cutoff =
      std::chrono::duration_cast<std::chrono::seconds>(before.time_since_epoch()).count();
  flush();  // queued rows go first: the writer runs jobs in order
  if (writer_) {
    last_job_ = writer_->submit(PruneSlice{writer_, cutoff});
  } else {
    std::int64_t total = 0;
    for (std::int64_t n = kPruneSlice; n == kPruneSlice; total += n) n = delete_slice(db_, cutoff);
    log_pruned(total);
  }
  // Cached mappings of pruned rows stay answerable until evicted: they were right.
}

void IdMap::forget(std::int64_t user_id) {
  std::erase_if(queue_, [user_id](const Row& row) { return row.user_id == user_id; });
  sync();  // nothing of theirs may land after the user's rows are deleted
  // No foreign key (it would need an index on every put): the rows go here, their keys with
  // the next collection (dangling keys match no row meanwhile).
  auto drop = [user_id](Database& db) {
    StatementScope rows(db.statement("DELETE FROM message_ids WHERE user_id = ?1"));
    rows->bind_int(1, user_id);
    rows->run();
  };
  if (writer_) {
    writer_->wait(writer_->submit(drop));
    writer_->submit([writer = writer_](Database& db) { id_map_keys::collect(db, writer); });
  } else {
    drop(db_);
    id_map_keys::collect(db_, nullptr);
  }
  // Rare (unregistration): dropping every cached mapping is simpler than finding the user's;
  // after sync() everything is merged, so the key table answers for the others.
  by_xmpp_id_.clear();
  by_legacy_id_.clear();
  order_.clear();
}

std::optional<std::string> IdMap::cached(const Cache& cache, std::int64_t user_id,
                                         std::string_view kind, std::string_view id,
                                         Side other_side) {
  make_key(key_, user_id, kind, id);
  auto it = cache.find(key_);
  if (it == cache.end()) return std::nullopt;
  return std::string((it->second->*other_side)());
}

std::optional<std::string> IdMap::legacy_id(std::int64_t user_id, std::string_view kind,
                                            std::string_view xmpp_id) {
  if (auto hit = cached(by_xmpp_id_, user_id, kind, xmpp_id, &Entry::legacy_id)) return hit;
  // Every put not merged yet is cached, so the key table has the answer.
  return stored_legacy_id(user_id, kind, xmpp_id);
}

std::optional<std::string> IdMap::xmpp_id(std::int64_t user_id, std::string_view kind,
                                          std::string_view legacy_id) {
  if (auto hit = cached(by_legacy_id_, user_id, kind, legacy_id, &Entry::xmpp_id)) return hit;
  // A recent replace dropped cached answers that only the merged database can give.
  poll_writer();
  if (replace_seq_ > merged_seq_) sync();
  return stored_xmpp_id(user_id, kind, legacy_id);
}

// The rows a key names (in either key table), newest first: user, kind, then the side looked
// up and the other side.
constexpr std::string_view kByXmppKey =
    "SELECT m.user_id, m.kind, m.xmpp_id, m.legacy_id FROM message_ids m WHERE m.id IN "
    "(SELECT row FROM message_id_recent_keys WHERE key = ?1 "
    "UNION ALL SELECT row FROM message_id_keys WHERE key = ?1) ORDER BY m.id DESC";
constexpr std::string_view kByLegacyKey =
    "SELECT m.user_id, m.kind, m.legacy_id, m.xmpp_id FROM message_ids m WHERE m.id IN "
    "(SELECT row FROM message_id_recent_keys WHERE key = ?1 "
    "UNION ALL SELECT row FROM message_id_keys WHERE key = ?1) ORDER BY m.id DESC";

std::optional<std::string> IdMap::stored_legacy_id(std::int64_t user_id, std::string_view kind,
                                                   std::string_view xmpp_id) {
  const KeyedHash hash(hash_key_);
  std::string scratch;
  StatementScope stmt(db_.statement(kByXmppKey));
  stmt->bind_int(1, side_key(hash, scratch, kXmppSide, user_id, kind, xmpp_id));
  while (stmt->step())  // a hash collision, at worst: the texts decide
    if (stmt->column_int(0) == user_id && stmt->column_text_view(1) == kind &&
        stmt->column_text_view(2) == xmpp_id)
      return stmt->column_text(3);
  return std::nullopt;
}

std::optional<std::string> IdMap::stored_xmpp_id(std::int64_t user_id, std::string_view kind,
                                                 std::string_view legacy_id) {
  const KeyedHash hash(hash_key_);
  std::string scratch;
  std::vector<std::string> candidates;  // newest first
  {
    StatementScope stmt(db_.statement(kByLegacyKey));
    stmt->bind_int(1, side_key(hash, scratch, kLegacySide, user_id, kind, legacy_id));
    while (stmt->step())
      if (stmt->column_int(0) == user_id && stmt->column_text_view(1) == kind &&
          stmt->column_text_view(2) == legacy_id)
        candidates.push_back(stmt->column_text(3));
  }
  // The newest whose XMPP id was not mapped to another legacy id since (a replace).
  for (const std::string& xmpp : candidates) {
    auto now_names = cached(by_xmpp_id_, user_id, kind, xmpp, &Entry::legacy_id);
    if (!now_names) now_names = stored_legacy_id(user_id, kind, xmpp);
    if (now_names == legacy_id) return xmpp;
  }
  return std::nullopt;
}

}  // namespace legate
