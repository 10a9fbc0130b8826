// RoomArchive: the rooms' message archive (table room_archive, GROUPS §8), which answers
// XEP-0313 queries. Stanza-ids carry their row id, so the table has one index: (room, time).
// Appends are batched: queued on the event loop and written by the storage writer thread in one
// transaction per 50 ms (at once without a writer); a query first waits for what is queued, so
// it sees every message archived before it.
#pragma once

#include <array>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../component/asio.hpp"
#include "../component/mam_query.hpp"

namespace legate {

class Database;
class StorageWriter;

struct ArchivedMessage {
  std::int64_t room_id = 0;
  std::int64_t ts_ms = 0;  // unix ms; the archive's order is (ts_ms, insertion)
  std::string stanza_id;   // the room's stanza-id (the MAM result id)
  std::string xmpp_id;     // the message id (the client's for the user's own messages)
  std::string legacy_id;   // "" for none; callers archive a legacy id once (the id map knows)
  std::string nick;        // the sender's nick then
  bool backfill = false;
  std::string payload;  // the message's children, serialized; empty: an id-map row only
                        // (a room not recording history), never in queries or edges
};

struct ArchivePage {
  std::vector<ArchivedMessage> messages;  // in the order to send them
  MamPage page;
};

class RoomArchive {
 public:
  // Without `writer` (in-memory databases), appends are written at once.
  RoomArchive(Database& db, asio::any_io_executor executor, StorageWriter* writer);
  ~RoomArchive();
  RoomArchive(const RoomArchive&) = delete;
  RoomArchive& operator=(const RoomArchive&) = delete;

  // A stanza-id for the next message to archive (XEP-0359): it carries the row id the message
  // will have, so lookups by stanza-id need no index (the write path: one row, one index).
  std::string new_stanza_id();
  // The row a stanza-id of new_stanza_id() names (nullopt for ids of any other shape).
  static std::optional<std::int64_t> row_of(std::string_view stanza_id);

  void append(ArchivedMessage message);
  // One page of `room_id`'s archive for `query` (`with_nick`: the nick its `with` names, or
  // empty). Throws StanzaError(item-not-found) for a stanza-id the archive does not have.
  ArchivePage query(std::int64_t room_id, const MamQuery& query, std::string_view with_nick);
  // The first and last archived messages of the room (XEP-0313 §5 metadata).
  std::optional<ArchivedMessage> first(std::int64_t room_id);
  std::optional<ArchivedMessage> last(std::int64_t room_id);
  // The newest message with a legacy id archived before `ts_ms` (a backfill's lower bound).
  std::optional<ArchivedMessage> newest_before(std::int64_t room_id, std::int64_t ts_ms);
  // Writes what is queued and waits for it.
  void sync();
  // Retention: deletes the messages older than `before_ms` (0: none by age) and the oldest
  // of each room beyond `max_per_room` (0: no limit), in slices of a few thousand rows, each
  // a job of its own on the writer thread (at once without one); sync() waits for the
  // first.
  void prune(std::int64_t before_ms, std::uint64_t max_per_room);

 private:
  struct Position {
    std::int64_t ts_ms, id;
  };
  void flush();
  Position position_of(std::int64_t room_id, std::string_view stanza_id);
  std::optional<ArchivedMessage> find(std::int64_t room_id, std::string_view stanza_id,
                                      std::int64_t* row_id);
  std::optional<ArchivedMessage> edge(std::int64_t room_id, bool newest);

  Database& db_;
  asio::any_io_executor executor_;
  asio::steady_timer timer_;  // the batch's delay
  StorageWriter* writer_;
  std::shared_ptr<std::vector<std::pair<std::int64_t, ArchivedMessage>>> queue_;  // (row, message)
  std::int64_t next_id_ = 1;
  std::array<unsigned char, 4000> random_{};  // for stanza-ids, drawn from OpenSSL in bulk
  std::size_t random_used_ = random_.size();
  bool flush_posted_ = false;
  std::uint64_t last_job_ = 0;
};

}  // namespace legate
