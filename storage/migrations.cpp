// Legate's schema, as a list of migrations (see migrations.hpp).
#include "storage/migrations.hpp"

#include <array>
#include <string>

#include "storage/database.hpp"

namespace legate {

namespace {

// STRICT tables make SQLite reject a value of the wrong type instead of storing it anyway.
// The UNIQUE constraints double as the lookup indexes (and, by their user_id prefix, as the
// indexes the ON DELETE CASCADE from users needs).
constexpr std::string_view kMigration1 = R"sql(
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  jid TEXT NOT NULL UNIQUE,                -- bare JID, normalised
  registered_at INTEGER NOT NULL,          -- unix seconds
  legacy_data TEXT NOT NULL DEFAULT '{}',  -- JSON owned by the bridge
  preferences TEXT NOT NULL DEFAULT '{}'   -- JSON
) STRICT;

CREATE TABLE contacts (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  legacy_id TEXT NOT NULL,
  local TEXT NOT NULL,                     -- JID local part on the gateway's domain
  name TEXT NOT NULL DEFAULT '',
  nick TEXT NOT NULL DEFAULT '',
  avatar_hash TEXT NOT NULL DEFAULT '',
  is_friend INTEGER NOT NULL DEFAULT 0 CHECK (is_friend IN (0, 1)),
  in_roster INTEGER NOT NULL DEFAULT 0 CHECK (in_roster IN (0, 1)),
  presence_show TEXT NOT NULL DEFAULT ''
    CHECK (presence_show IN ('', 'away', 'chat', 'dnd', 'xa', 'unavailable')),
  presence_status TEXT NOT NULL DEFAULT '',
  last_seen INTEGER NOT NULL DEFAULT 0,    -- unix seconds, 0: unknown
  UNIQUE (user_id, legacy_id),
  UNIQUE (user_id, local)
) STRICT;

CREATE TABLE id_map (
  id INTEGER PRIMARY KEY,                  -- insertion order: the largest is the most recent
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  xmpp_id TEXT NOT NULL,
  legacy_id TEXT NOT NULL,
  UNIQUE (user_id, kind, xmpp_id)
) STRICT;
CREATE INDEX id_map_by_legacy_id ON id_map (user_id, kind, legacy_id);
)sql";

// Files from legacy networks already uploaded (XEP-0363), by their legacy file id, so that a
// file sent again is shared by its URL instead of being uploaded again.
constexpr std::string_view kMigration2 = R"sql(
CREATE TABLE upload_cache (
  legacy_file_id TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  size INTEGER NOT NULL,
  content_type TEXT NOT NULL,
  uploaded INTEGER NOT NULL               -- unix seconds
) STRICT;
)sql";

// When each id mapping was written, so that old ones can be pruned ([storage]
// message_ids_days); rows from before this migration count as written now.
constexpr std::string_view kMigration3 = R"sql(
ALTER TABLE id_map ADD COLUMN created INTEGER NOT NULL DEFAULT 0;
UPDATE id_map SET created = CAST(strftime('%s', 'now') AS INTEGER);
CREATE INDEX id_map_by_created ON id_map (created);
)sql";

// Contacts the user took out of their roster: not put back at the next login (only when the
// user adds them again, or the bridge calls Contact::add_to_roster()).
constexpr std::string_view kMigration4 = R"sql(
ALTER TABLE contacts ADD COLUMN removed_by_user INTEGER NOT NULL DEFAULT 0
  CHECK (removed_by_user IN (0, 1));
)sql";

// Group chats (docs/GROUPS §8): each user's rooms, their participants, the user's resources
// joined to each, and the room archive, which is both the MAM store and the group id map.
constexpr std::string_view kMigration5 = R"sql(
CREATE TABLE rooms (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  legacy_id TEXT NOT NULL,
  local TEXT NOT NULL,                     -- JID local part on the gateway's domain
  kind TEXT NOT NULL DEFAULT 'group' CHECK (kind IN ('group', 'channel')),
  name TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  subject TEXT NOT NULL DEFAULT '',
  subject_by TEXT NOT NULL DEFAULT '',     -- the setter's nick ('' : the room)
  subject_at INTEGER NOT NULL DEFAULT 0,   -- unix seconds, 0: unknown
  avatar_hash TEXT NOT NULL DEFAULT '',
  user_nick TEXT NOT NULL DEFAULT '',
  participants_filled INTEGER NOT NULL DEFAULT 0 CHECK (participants_filled IN (0, 1)),
  UNIQUE (user_id, legacy_id),
  UNIQUE (user_id, local)
) STRICT;

CREATE TABLE participants (
  id INTEGER PRIMARY KEY,
  room_id INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  nick TEXT NOT NULL,
  legacy_id TEXT NOT NULL DEFAULT '',      -- '': anonymous or unknown
  is_user INTEGER NOT NULL DEFAULT 0 CHECK (is_user IN (0, 1)),
  present INTEGER NOT NULL DEFAULT 1 CHECK (present IN (0, 1)),
  affiliation TEXT NOT NULL DEFAULT 'member'
    CHECK (affiliation IN ('none', 'member', 'admin', 'owner', 'outcast')),
  role TEXT NOT NULL DEFAULT 'participant'
    CHECK (role IN ('none', 'visitor', 'participant', 'moderator')),
  UNIQUE (room_id, nick)
) STRICT;
CREATE INDEX participants_by_legacy_id ON participants (room_id, legacy_id);

CREATE TABLE room_resources (
  room_id INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  resource TEXT NOT NULL,
  joined_at INTEGER NOT NULL,              -- unix seconds
  PRIMARY KEY (room_id, resource)
) STRICT, WITHOUT ROWID;

CREATE TABLE room_archive (
  id INTEGER PRIMARY KEY,                  -- insertion order, the tie-break
  room_id INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  ts INTEGER NOT NULL,                     -- unix ms; MAM order is (ts, id)
  stanza_id TEXT NOT NULL,
  xmpp_id TEXT NOT NULL,                   -- the message id (the client's, for the user's own)
  legacy_id TEXT,
  nick TEXT NOT NULL,                      -- the sender's nick then
  source INTEGER NOT NULL DEFAULT 0 CHECK (source IN (0, 1)),  -- 0 live, 1 backfill
  payload TEXT NOT NULL,                   -- the message's children, serialized
  UNIQUE (room_id, stanza_id)
) STRICT;
CREATE INDEX archive_by_time ON room_archive (room_id, ts, id);
CREATE UNIQUE INDEX archive_by_legacy_id ON room_archive (room_id, legacy_id)
  WHERE legacy_id IS NOT NULL;
CREATE INDEX archive_by_xmpp_id ON room_archive (room_id, xmpp_id);

CREATE TABLE secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
)sql";

// The id map as an append-only log plus key tables (bench/README "write path"): a put is one
// appended row with no index but its rowid, and the lookup keys (keyed hashes of each side) are
// merged later in sorted batches into a small table of recent keys, itself merged into the
// main one when it reaches an eighth of it, so no commit dirties one random index page per
// row. Without foreign keys (each would need an index): a user's rows go with IdMap::forget(),
// and keys whose row is gone are collected in slices by the retention job.
constexpr std::string_view kMigration6 = R"sql(
CREATE TABLE message_ids (
  id INTEGER PRIMARY KEY,                  -- put order: the largest is the most recent
  user_id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  xmpp_id TEXT NOT NULL,
  legacy_id TEXT NOT NULL,
  created INTEGER NOT NULL                 -- unix seconds, non-decreasing with id
) STRICT;
CREATE TABLE message_id_keys (
  key INTEGER NOT NULL,                    -- keyed hash of (side, user, kind, id), 32 bits
  row INTEGER NOT NULL,                    -- message_ids.id
  PRIMARY KEY (key, row)
) STRICT, WITHOUT ROWID;
CREATE TABLE message_id_recent_keys (
  key INTEGER NOT NULL,
  row INTEGER NOT NULL,
  PRIMARY KEY (key, row)
) STRICT, WITHOUT ROWID;
CREATE TABLE message_id_merge (
  merged_upto INTEGER NOT NULL,            -- rows up to this id have their keys; ids are never reused
  recent_keys INTEGER NOT NULL,            -- about how many keys each table holds
  main_keys INTEGER NOT NULL,
  folding INTEGER NOT NULL                 -- 1 while recent keys are being folded into the main table
) STRICT;
INSERT INTO message_id_merge VALUES (0, 0, 0, 0);
INSERT INTO message_ids (user_id, kind, xmpp_id, legacy_id, created)
  SELECT user_id, kind, xmpp_id, legacy_id, created FROM id_map ORDER BY id;
DROP TABLE id_map;

-- The archive keeps one index, (room, time): new stanza-ids carry their row id, legacy ids
-- are deduplicated through the id map; older stanza-ids (22 characters) by a partial index.
CREATE TABLE room_archive_v6 (
  id INTEGER PRIMARY KEY,                  -- insertion order, the tie-break; in the stanza-id
  room_id INTEGER NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  ts INTEGER NOT NULL,                     -- unix ms; MAM order is (ts, id)
  stanza_id TEXT NOT NULL,
  xmpp_id TEXT NOT NULL,                   -- the message id (the client's, for the user's own)
  legacy_id TEXT,
  nick TEXT NOT NULL,                      -- the sender's nick then
  source INTEGER NOT NULL DEFAULT 0 CHECK (source IN (0, 1)),  -- 0 live, 1 backfill
  payload TEXT NOT NULL                    -- the message's children, serialized
) STRICT;
INSERT INTO room_archive_v6
  SELECT id, room_id, ts, stanza_id, xmpp_id, legacy_id, nick, source, payload FROM room_archive;
DROP TABLE room_archive;
ALTER TABLE room_archive_v6 RENAME TO room_archive;
CREATE INDEX archive_by_time ON room_archive (room_id, ts, id);
CREATE INDEX archive_by_other_stanza_id ON room_archive (room_id, stanza_id)
  WHERE length(stanza_id) <> 24;
)sql";

// Avatars stored once by content (XEP-0084 id = SHA-1 hex of the bytes), referenced by hash
// from contacts and rooms; AvatarStore::collect() drops those nobody references.
constexpr std::string_view kMigration7 = R"sql(
CREATE TABLE avatars (
  hash TEXT PRIMARY KEY,                   -- SHA-1 hex of bytes
  type TEXT NOT NULL,                      -- MIME type of bytes
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  bytes BLOB NOT NULL,
  source TEXT NOT NULL                     -- SHA-1 hex of what the bridge handed in
) STRICT;                                   -- a rowid table: rows are large (WITHOUT ROWID is not)
-- A bridge hands the same picture in again (at each login, for each contact that has it): it
-- is found by the SHA-1 of its bytes, without decoding and scaling it again.
CREATE INDEX avatars_by_source ON avatars (source);
)sql";

constexpr std::array<std::string_view, 7> kMigrations = {
    kMigration1, kMigration2, kMigration3, kMigration4, kMigration5, kMigration6, kMigration7};

}  // namespace

std::span<const std::string_view> schema_migrations() {
  return kMigrations;
}

int latest_schema_version() {
  return static_cast<int>(kMigrations.size());
}

int schema_version(Database& db) {
  StatementScope stmt(db.statement("PRAGMA user_version"));
  return stmt->step() ? static_cast<int>(stmt->column_int(0)) : 0;
}

void apply_migrations(Database& db, std::span<const std::string_view> migrations) {
  const int latest = static_cast<int>(migrations.size());
  const auto check_not_newer = [&](int version) {
    if (version > latest)
      throw StorageError("storage: " + db.path() + " has schema version " +
                         std::to_string(version) + " but this Legate knows only up to " +
                         std::to_string(latest) +
                         "; it was written by a newer Legate (upgrade, or restore a backup)");
  };
  int version = schema_version(db);
  check_not_newer(version);
  while (version < latest) {
    Transaction tx(db);
    // Read again under the write lock: another process may have migrated in the meantime.
    version = schema_version(db);
    check_not_newer(version);
    if (version == latest) break;
    db.exec(migrations[static_cast<std::size_t>(version)]);
    db.exec("PRAGMA user_version = " + std::to_string(version + 1));
    tx.commit();
    ++version;
  }
}

}  // namespace legate
