// The message-id map: for each user, which legacy message id an XMPP stanza id stands for (and
// back), so that corrections, retractions, reactions and receipts can name the right message
// on the other side. `kind` separates id spaces (e.g. "message", "reaction").
//
// Messaging reads back what it wrote moments before (a reply names the message it answers, a
// reaction or marker follows it), so recent mappings are kept in a bounded in-memory cache.
// With an executor, writes are deferred: they are batched for a few milliseconds and committed
// together by the storage writer thread (storage_writer.hpp), so the event loop never waits
// for SQLite's disk writes.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "../component/asio.hpp"

namespace legate {

class Database;
class StorageWriter;

// Methods throw StorageError on database failures (including an unknown user_id in put; with
// deferred writes such a row is logged and skipped).
class IdMap {
 public:
  // Recent mappings kept (~150 bytes each): enough for what messaging reads back even with
  // tens of thousands of messages in flight.
  static constexpr std::size_t kDefaultCacheSize = 32768;
  static constexpr std::size_t kMaxUncommitted = 100000;

  // Writes through: every put() is its own transaction, and by default nothing is cached,
  // so reads always see the database as other code changed it (tools, tests).
  explicit IdMap(Database& db, std::size_t cache_size = 0);
  // Defers writes: put() queues, and the queue is committed in one transaction `delay` after
  // the first queued write (a crash loses at most that much of the map, never corrupts it;
  // longer batches touch fewer index pages per row).
  // Batches are committed by `writer` (null: on the loop, e.g. for ":memory:").
  IdMap(Database& db, asio::any_io_executor executor, StorageWriter* writer,
        std::size_t cache_size = kDefaultCacheSize,
        std::chrono::milliseconds delay = std::chrono::milliseconds(50));
  // Commits what is still queued.
  ~IdMap();
  IdMap(const IdMap&) = delete;
  IdMap& operator=(const IdMap&) = delete;

  // Records xmpp_id <-> legacy_id; an existing mapping of the same xmpp_id is replaced.
  void put(std::int64_t user_id, std::string_view kind, std::string_view xmpp_id,
           std::string_view legacy_id);
  std::optional<std::string> legacy_id(std::int64_t user_id, std::string_view kind,
                                       std::string_view xmpp_id);
  // Several XMPP ids can map to one legacy id (e.g. a message sent to several resources);
  // this returns the one put most recently.
  std::optional<std::string> xmpp_id(std::int64_t user_id, std::string_view kind,
                                     std::string_view legacy_id);
  // The same lookups in the cache only (nullopt: not among the recent mappings), so a caller
  // trying several kinds can try them all in memory before touching the database.
  std::optional<std::string> recent_legacy_id(std::int64_t user_id, std::string_view kind,
                                              std::string_view xmpp_id) {
    return cached(by_xmpp_id_, user_id, kind, xmpp_id);
  }
  std::optional<std::string> recent_xmpp_id(std::int64_t user_id, std::string_view kind,
                                            std::string_view legacy_id) {
    return cached(by_legacy_id_, user_id, kind, legacy_id);
  }

  // Deletes the mappings written before `before` (retention): on the writer thread when
  // there is one, one slice of rows per job (each job queues the next; sync() waits for the
  // first slice only), else at once.
  void prune(std::chrono::system_clock::time_point before);
  // Drops a user's queued writes and cached mappings (the user is being deleted: the rows
  // go with it, and a new user must not inherit them).
  void forget(std::int64_t user_id);
  // Hands the queued writes to be committed (one transaction), without waiting.
  void flush();
  // Commits the queued writes and waits until everything put so far is in the database.
  void sync();
  // Writes not yet known to be committed.
  std::size_t queued() const;

 private:
  struct Row {
    std::int64_t user_id;
    std::string kind, xmpp_id, legacy_id;
    std::int64_t created;  // unix seconds
  };
  using Batch = std::shared_ptr<const std::vector<Row>>;
  struct Cached {
    std::string value;
    std::uint64_t seq;  // the put that wrote it; eviction of an older put leaves it alone
  };
  using Cache = std::unordered_map<std::string, Cached>;

  static void make_key(std::string& out, std::int64_t user_id, std::string_view kind,
                       std::string_view id);
  static void write(Database& db, const Row& row);
  static void write_batch(Database& db, const std::vector<Row>& rows);
  void remember(const Row& row);
  // Whether every write not yet committed is among the cached mappings, none of them a
  // replace (then a cache miss needs no scan of those writes).
  bool cache_covers_uncommitted();
  void arm_flush();
  std::optional<std::string> cached(const Cache& cache, std::int64_t user_id, std::string_view kind,
                                    std::string_view id);
  std::vector<const Row*> uncommitted_newest_first();

  Database& db_;
  std::unique_ptr<asio::steady_timer> timer_;  // null: writes go through
  StorageWriter* writer_;                      // null: deferred writes commit on the loop
  std::chrono::milliseconds delay_{0};
  std::size_t cache_size_;
  std::size_t replaces_pending_ = 0;        // replaces queued (not yet flushed)
  std::deque<std::uint64_t> replace_jobs_;  // in-flight writer jobs holding a replace
  Cache by_xmpp_id_;
  Cache by_legacy_id_;
  std::deque<std::pair<std::string, std::string>> order_;  // (xmpp key, legacy key), oldest first
  std::uint64_t seq_ = 0;
  std::vector<Row> queue_;
  std::deque<std::pair<std::uint64_t, Batch>> in_flight_;  // (writer job, rows), oldest first
  bool flush_armed_ = false;
  std::uint64_t last_job_ = 0;  // the writer job submitted last
  std::string key_;             // scratch for lookups, so a cache hit allocates nothing
};

}  // namespace legate
