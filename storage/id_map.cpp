// Message-id map access (see id_map.hpp).
#include "storage/id_map.hpp"

#include <spdlog/spdlog.h>

#include <set>

#include "storage/database.hpp"
#include "storage/storage_writer.hpp"

namespace legate {
namespace {

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

constexpr std::int64_t kPruneSlice = 5000;

// Deletes one slice of the rows older than `cutoff` (one short write lock); returns how many.
std::int64_t delete_slice(Database& db, std::int64_t cutoff) {
  StatementScope stmt(
      db.statement("DELETE FROM id_map WHERE id IN "
                   "(SELECT id FROM id_map WHERE created < ?1 ORDER BY created LIMIT ?2)"));
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
  }
};

}  // namespace

IdMap::IdMap(Database& db, std::size_t cache_size)
    : db_(db), writer_(nullptr), cache_size_(cache_size) {}

IdMap::IdMap(Database& db, asio::any_io_executor executor, StorageWriter* writer,
             std::size_t cache_size, std::chrono::milliseconds delay)
    : db_(db),
      timer_(std::make_unique<asio::steady_timer>(std::move(executor))),
      writer_(writer),
      delay_(delay),
      cache_size_(cache_size) {}

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
  out.push_back('\0');  // kinds never contain NUL, so (kind, id) pairs cannot run together
  out.append(id);
}

void IdMap::remember(const Row& row) {
  if (cache_size_ == 0) return;
  const std::uint64_t seq = ++seq_;
  std::string xmpp_key, legacy_key;
  make_key(xmpp_key, row.user_id, row.kind, row.xmpp_id);
  make_key(legacy_key, row.user_id, row.kind, row.legacy_id);
  if (auto old = by_xmpp_id_.find(xmpp_key);
      old != by_xmpp_id_.end() && old->second.value != row.legacy_id) {
    // A replace: the old legacy id no longer names this XMPP id (the database may still
    // know an older one for it, so drop the cached answer rather than guess).
    ++replaces_pending_;
    make_key(key_, row.user_id, row.kind, old->second.value);
    if (auto back = by_legacy_id_.find(key_);
        back != by_legacy_id_.end() && back->second.value == row.xmpp_id)
      by_legacy_id_.erase(back);
  }
  by_xmpp_id_.insert_or_assign(xmpp_key, Cached{row.legacy_id, seq});
  by_legacy_id_.insert_or_assign(legacy_key, Cached{row.xmpp_id, seq});
  order_.emplace_back(std::move(xmpp_key), std::move(legacy_key));
  while (order_.size() > cache_size_) {
    auto& [old_xmpp, old_legacy] = order_.front();
    // Only the entry of the put being evicted: a later put of the same key stays.
    const std::uint64_t oldest = seq - order_.size() + 1;
    if (auto it = by_xmpp_id_.find(old_xmpp); it != by_xmpp_id_.end() && it->second.seq == oldest)
      by_xmpp_id_.erase(it);
    if (auto it = by_legacy_id_.find(old_legacy);
        it != by_legacy_id_.end() && it->second.seq == oldest)
      by_legacy_id_.erase(it);
    order_.pop_front();
  }
}

void IdMap::put(std::int64_t user_id, std::string_view kind, std::string_view xmpp_id,
                std::string_view legacy_id) {
  Row row{user_id, std::string(kind), std::string(xmpp_id), std::string(legacy_id), unix_now()};
  remember(row);
  if (!timer_) {
    write(db_, row);
    return;
  }
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

void IdMap::write(Database& db, const Row& row) {
  // REPLACE deletes the old row and inserts a new one with a new, larger id, which is what
  // makes "the largest id" mean "the most recent put" in xmpp_id().
  StatementScope stmt(
      db.statement("INSERT OR REPLACE INTO id_map (user_id, kind, xmpp_id, legacy_id, created) "
                   "VALUES (?1, ?2, ?3, ?4, ?5)"));
  stmt->bind_int(1, row.user_id)
      .bind_text(2, row.kind)
      .bind_text(3, row.xmpp_id)
      .bind_text(4, row.legacy_id)
      .bind_int(5, row.created);
  stmt->run();
}

void IdMap::write_batch(Database& db, const std::vector<Row>& rows) {
  Transaction tx(db);
  for (const Row& row : rows) {
    try {
      write(db, row);
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
  if (!writer_) {
    write_batch(db_, *batch);
    replaces_pending_ = 0;
    return;
  }
  const std::uint64_t job = writer_->submit([batch](Database& db) { write_batch(db, *batch); });
  last_job_ = job;
  in_flight_.emplace_back(job, std::move(batch));
  if (std::exchange(replaces_pending_, 0) > 0) replace_jobs_.push_back(job);
  // A writer that cannot keep up (the loop saturated, the disk slow) must not let memory
  // grow without bound: then the loop waits for it, which slows the intake instead. With
  // the cache, sooner: while it holds every uncommitted write, a miss needs no scan of them.
  const std::size_t limit =
      cache_size_ > 0 ? std::min(kMaxUncommitted, cache_size_ / 2) : kMaxUncommitted;
  if (queued() > limit) sync();
}

void IdMap::sync() {
  flush();
  if (writer_ && last_job_ != 0) writer_->wait(last_job_);
  in_flight_.clear();
  replace_jobs_.clear();
}

std::size_t IdMap::queued() const {
  std::size_t n = queue_.size();
  const std::uint64_t done = writer_ ? writer_->finished() : 0;
  for (const auto& [job, rows] : in_flight_)
    if (job > done) n += rows->size();
  return n;
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
  // Rare (unregistration): dropping every cached mapping is simpler than finding the user's.
  by_xmpp_id_.clear();
  by_legacy_id_.clear();
  order_.clear();
}

std::optional<std::string> IdMap::cached(const Cache& cache, std::int64_t user_id,
                                         std::string_view kind, std::string_view id) {
  make_key(key_, user_id, kind, id);
  auto it = cache.find(key_);
  if (it == cache.end()) return std::nullopt;
  return it->second.value;
}

std::vector<const IdMap::Row*> IdMap::uncommitted_newest_first() {
  const std::uint64_t done = writer_ ? writer_->finished() : 0;
  while (!in_flight_.empty() && in_flight_.front().first <= done) in_flight_.pop_front();
  std::vector<const Row*> rows;
  for (auto it = queue_.rbegin(); it != queue_.rend(); ++it) rows.push_back(&*it);
  for (auto batch = in_flight_.rbegin(); batch != in_flight_.rend(); ++batch)
    for (auto it = batch->second->rbegin(); it != batch->second->rend(); ++it) rows.push_back(&*it);
  return rows;
}

bool IdMap::cache_covers_uncommitted() {
  if (cache_size_ == 0) return false;
  const std::uint64_t done = writer_ ? writer_->finished() : 0;
  while (!in_flight_.empty() && in_flight_.front().first <= done) in_flight_.pop_front();
  while (!replace_jobs_.empty() && replace_jobs_.front() <= done) replace_jobs_.pop_front();
  std::size_t rows = queue_.size();
  for (const auto& batch : in_flight_) rows += batch.second->size();
  // A replace among them: only the scan knows which XMPP ids were remapped.
  return rows <= cache_size_ && replaces_pending_ == 0 && replace_jobs_.empty();
}

std::optional<std::string> IdMap::legacy_id(std::int64_t user_id, std::string_view kind,
                                            std::string_view xmpp_id) {
  if (auto hit = cached(by_xmpp_id_, user_id, kind, xmpp_id)) return hit;
  // Not cached: the writes still on their way to the database first (they are newer), so a
  // miss never waits for the writer thread. When the cache holds more puts than are
  // uncommitted, every uncommitted row was remembered: the miss stands for them too.
  if (!cache_covers_uncommitted())
    for (const Row* row : uncommitted_newest_first())
      if (row->user_id == user_id && row->kind == kind && row->xmpp_id == xmpp_id)
        return row->legacy_id;
  StatementScope stmt(db_.statement(
      "SELECT legacy_id FROM id_map WHERE user_id = ?1 AND kind = ?2 AND xmpp_id = ?3"));
  stmt->bind_int(1, user_id).bind_text(2, kind).bind_text(3, xmpp_id);
  if (!stmt->step()) return std::nullopt;
  return stmt->column_text(0);
}

std::optional<std::string> IdMap::xmpp_id(std::int64_t user_id, std::string_view kind,
                                          std::string_view legacy_id) {
  if (auto hit = cached(by_legacy_id_, user_id, kind, legacy_id)) return hit;
  // The newest row naming legacy_id whose XMPP id was not mapped again later (a replace).
  std::set<std::string_view> remapped;
  if (!cache_covers_uncommitted())
    for (const Row* row : uncommitted_newest_first()) {
      if (row->user_id != user_id || row->kind != kind) continue;
      if (row->legacy_id == legacy_id && !remapped.contains(row->xmpp_id)) return row->xmpp_id;
      remapped.insert(row->xmpp_id);
    }
  StatementScope stmt(db_.statement(
      "SELECT xmpp_id FROM id_map WHERE user_id = ?1 AND kind = ?2 AND legacy_id = ?3 "
      "ORDER BY id DESC"));
  stmt->bind_int(1, user_id).bind_text(2, kind).bind_text(3, legacy_id);
  while (stmt->step()) {
    const std::string_view xmpp = stmt->column_text_view(0);
    if (!remapped.contains(xmpp)) return std::string(xmpp);
  }
  return std::nullopt;
}

}  // namespace legate
