// The message-id map: for each user, which legacy message id an XMPP stanza id stands for (and
// back), so that corrections, retractions, reactions and receipts can name the right message
// on the other side. `kind` separates id spaces (e.g. "message", "reaction").
//
// Messaging reads back what it wrote moments before (a reply names the message it answers, a
// reaction or marker follows it), so recent mappings are kept in a bounded in-memory cache.
// With an executor, writes are deferred: they are batched for a few milliseconds and committed
// together by the storage writer thread (storage_writer.hpp), so the event loop never waits
// for SQLite's disk writes.
//
// The write path (bench/README "write path"): a put is one row appended to `message_ids`
// (its id assigned here, never reused); the lookup keys (keyed hashes of each side) are merged
// later in sorted batches into a small table of recent keys, folded into the main key table
// when they are an eighth of it (storage/id_map_keys.*), so no commit dirties one random index
// page per row. Puts not merged yet are all in the cache (it evicts merged ones only), so a
// miss is answered by the key tables alone. A crash leaves unmerged rows: they are merged when
// the map is next opened. No foreign key (it would cost an index per put): forget() deletes a
// user's rows, and keys whose row is gone are collected after it and after each prune.
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
  // Puts not merged yet into the key table, at most: beyond, the loop waits for the writer.
  static constexpr std::size_t kMaxUnmerged = 65536;
  // A merge is asked for after this many puts (or a second after the last one).
  static constexpr std::size_t kMergeRows = 8192;

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
    return cached(by_xmpp_id_, user_id, kind, xmpp_id, &Entry::legacy_id);
  }
  std::optional<std::string> recent_xmpp_id(std::int64_t user_id, std::string_view kind,
                                            std::string_view legacy_id) {
    return cached(by_legacy_id_, user_id, kind, legacy_id, &Entry::xmpp_id);
  }

  // Deletes the mappings written before `before` (retention): on the writer thread when
  // there is one, one slice of rows per job (each job queues the next; sync() waits for the
  // first slice only), else at once.
  void prune(std::chrono::system_clock::time_point before);
  // Deletes a user's mappings: queued, cached and stored (the user is being deleted; a new
  // user must not inherit them). Waits for the writer.
  void forget(std::int64_t user_id);
  // Hands the queued writes to be committed (one transaction), without waiting.
  void flush();
  // Commits the queued writes and waits until everything put so far is in the database.
  void sync();
  // Writes not yet known to be committed.
  std::size_t queued();
  // Writes whose lookup keys are not in the database yet (they are answered from memory).
  std::size_t unmerged();

 private:
  struct Row {
    std::int64_t id;  // assigned here: ids are never reused (id_map_keys::open)
    std::int64_t user_id;
    std::string kind, xmpp_id, legacy_id;
    std::int64_t created;  // unix seconds
  };
  // One cached put: both sides' keys (make_key), which end with the ids themselves. The maps
  // below point into it, so a put costs two strings and two map nodes.
  struct Entry {
    std::string xmpp_key, legacy_key;
    std::size_t prefix = 0;  // bytes before the id in both keys
    std::string_view xmpp_id() const { return std::string_view(xmpp_key).substr(prefix); }
    std::string_view legacy_id() const { return std::string_view(legacy_key).substr(prefix); }
  };
  using Cache = std::unordered_map<std::string_view, const Entry*>;
  using Side = std::string_view (Entry::*)() const;
  struct Job {
    std::uint64_t number;  // the writer's job
    std::uint64_t seq;     // every put up to it is covered when the job has run
  };

  static void make_key(std::string& out, std::int64_t user_id, std::string_view kind,
                       std::string_view id);
  static void insert_row(Database& db, const Row& row);
  static void commit_rows(Database& db, const std::vector<Row>& rows);
  void remember(const Row& row);
  void evict();
  void arm_flush();
  void merge_soon();
  void submit_merge();
  std::optional<std::string> cached(const Cache& cache, std::int64_t user_id, std::string_view kind,
                                    std::string_view id, Side other_side);
  // Points `cache`'s entry for `key` (a view into `entry`) at `entry`, replacing an older one.
  static void point(Cache& cache, std::string_view key, const Entry& entry);
  // The stored lookups (the key table), newest mapping first.
  std::optional<std::string> stored_legacy_id(std::int64_t user_id, std::string_view kind,
                                              std::string_view xmpp_id);
  std::optional<std::string> stored_xmpp_id(std::int64_t user_id, std::string_view kind,
                                            std::string_view legacy_id);
  // Jobs finished so far: updates committed_seq_ and merged_seq_.
  void poll_writer();

  Database& db_;
  std::string hash_key_;                       // the keyed hash's secret (hex)
  std::unique_ptr<asio::steady_timer> timer_;  // null: writes go through
  StorageWriter* writer_;                      // null: deferred writes commit on the loop
  std::chrono::milliseconds delay_{0};
  std::size_t cache_size_;
  std::int64_t next_id_;
  Cache by_xmpp_id_;
  Cache by_legacy_id_;
  std::deque<Entry> order_;          // oldest first (a deque: entries never move while cached)
  std::uint64_t seq_ = 0;            // puts so far
  std::uint64_t flushed_seq_ = 0;    // puts handed to be committed
  std::uint64_t committed_seq_ = 0;  // puts in the database
  std::uint64_t merged_seq_ = 0;     // puts whose keys are in the key table
  std::uint64_t merge_asked_seq_ = 0;
  std::uint64_t replace_seq_ = 0;  // the last put that remapped an XMPP id
  std::chrono::steady_clock::time_point last_merge_{};
  std::vector<Row> queue_;
  std::deque<Job> commit_jobs_;  // oldest first
  std::deque<Job> merge_jobs_;
  bool flush_armed_ = false;
  std::uint64_t last_job_ = 0;  // the writer job submitted last
  std::string key_;             // scratch for lookups, so a cache hit allocates nothing
};

}  // namespace legate
