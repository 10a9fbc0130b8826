// IrcRoom and IrcRooms: IRC channels as rooms `#chan%server@gw` (kind channel: open, nicks
// only). A room is opened by joining its JID (IrcRooms::legacy_id_of); its first join of a
// run sends JOIN and waits for the server's NAMES, whose nicks become the participants.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>

#include <legate/legacy/rooms.hpp>
#include "irc_account.hpp"
#include "irc_encoding.hpp"
#include "irc_line.hpp"

namespace irc {

class IrcSession;

class IrcRoom : public legate::Room {
 public:
  IrcRoom(IrcSession& session, legate::RoomRecord record);
  ~IrcRoom() override;

  const std::string& channel() const { return channel_; }
  const std::string& server() const { return server_; }

  legate::asio::awaitable<void> update_info() override;
  // JOIN when not in the channel (waiting for NAMES); PART (with the status) when the
  // user's last resource leaves, unless the user's preference `persistent` keeps them there.
  legate::asio::awaitable<void> on_join() override;
  // The channel's settings (configure-channel) first; else the server's `max_history`, the
  // user's preferences `record_history` and `persistent`.
  std::size_t history_on_join() const override;
  bool record_history() const override;
  // Every nick is an address (nick%server@gw, where private messages go): the channel is
  // non-anonymous, as biboumi shows it (status 100, each occupant's jid).
  bool non_anonymous() const override { return true; }
  std::string real_jid_of(legate::Participant& participant) override;
  const ChannelSettings& settings() const { return settings_; }
  void set_settings(ChannelSettings settings);
  // The channel's own encodings (nullptr: the server's).
  Recoder* decoder() { return decode_ ? &*decode_ : nullptr; }
  Recoder* encoder() { return encode_ ? &*encode_ : nullptr; }
  void on_all_left(std::string_view status) override;
  legate::asio::awaitable<legate::LegacyId> on_text(const legate::Text& text) override;
  legate::asio::awaitable<void> on_set_subject(std::string subject) override;
  // NICK: the nick is the user's on the whole server, so every channel there changes.
  legate::asio::awaitable<std::string> on_nick_change(std::string wanted) override;
  // CTCP VERSION to the occupant's nick; its answer (5 s at most) as the name.
  legate::asio::awaitable<legate::OccupantVersion> on_occupant_version(
      legate::Participant& who) override;
  // IRC has no corrections: the new text goes out as a new line marked "* " (the usual IRC
  // convention, also the Matrix bridge's).
  legate::asio::awaitable<void> on_correct(const legate::LegacyId& id,
                                           const legate::Text& text) override;

  // A participant's message (`id`: a fresh next_message_id()): shown, or, when it is a sed-style
  // "s/old/new/" that applies to that nick's previous message here, shown as a correction of it
  // (XEP-0308).
  void message_from(std::string_view nick, std::string body, legate::LegacyId id);

  // NAMES: the nicks of this listing (353), then the end of it (366): who is not in it left.
  void names(std::string_view list);
  void names_done();
  // MODE: a membership mode (o, v… of Isupport) given to or taken from `nick`.
  void change_membership(std::string_view nick, char mode, bool set);
  // The user's or a participant's new nick, their modes going with it.
  void renamed(std::string_view old_nick, std::string_view fresh);
  // Someone left (part, quit, kick): IRC forgets their modes.
  void forget_modes(std::string_view nick);

 private:
  IrcSession& irc_;
  std::shared_ptr<std::map<std::string, IrcRoom*, std::less<>>> index_;
  std::string channel_;
  std::string server_;
  ChannelSettings settings_;  // read once: record_history() is asked for each message
  std::optional<Recoder> decode_;
  std::optional<Recoder> encode_;
  std::set<std::string> listed_;  // the nicks of the NAMES in progress
  // The membership modes each nick (lower case; the user's too) holds here, e.g. "ov": a
  // -v leaves an op an op.
  std::map<std::string, std::string, std::less<>> modes_;
  legate::Participant* by_irc_nick(std::string_view nick);
  void apply_modes(legate::Participant& participant, const std::string& modes);
  struct Said {
    legate::LegacyId id;
    std::string body;
  };
  std::map<std::string, Said, std::less<>> last_said_;  // by nick (lower case)
};

class IrcRooms : public legate::Rooms {
 public:
  explicit IrcRooms(IrcSession& session);
  std::optional<legate::LegacyId> legacy_id_of(std::string_view local_part) const override;
  std::unique_ptr<legate::Room> make_room(legate::RoomRecord record) override;

 private:
  IrcSession& irc_;
};

// The participant settings of the highest membership mode `mode` (of Isupport, 0: none):
// owner, admin and op (q a o) are admins and moderators, half-ops (h) member moderators,
// voiced (v) members.
void apply_membership(legate::Participant& participant, char mode);

}  // namespace irc
