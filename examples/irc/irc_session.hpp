// IrcSession: one user's IRC connections (one IrcClient per registered server), and what
// IRC says turned into rooms, participants and contacts:
//   - channels are rooms `#chan%server@gw` (kind channel), joined from the client by that
//     JID; IRC users are contacts `nick%server@gw` for private messages (services such as
//     NickServ too);
//   - PRIVMSG/NOTICE (CTCP ACTION as "/me …", formatting codes stripped), JOIN, PART, QUIT,
//     NICK, KICK, TOPIC, MODE (ops are admins/moderators, voiced members) and NAMES;
//   - CTCP VERSION and PING answered; a lost connection logs in again (with backoff) and
//     rejoins the channels the user is in.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include <legate/legacy/session.hpp>
#include "irc_account.hpp"
#include "irc_client.hpp"
#include "irc_text.hpp"

namespace irc {

class IrcRoom;

inline constexpr auto kConnectTimeout = std::chrono::seconds(30);

class IrcSession : public legate::Session {
 public:
  using legate::Session::Session;

  asio::awaitable<std::string> login() override;
  asio::awaitable<void> logout() override;
  std::unique_ptr<legate::Rooms> make_rooms() override;
  std::unique_ptr<legate::Roster> make_roster() override;
  asio::awaitable<legate::LegacyId> on_text(legate::Contact& to, const legate::Text& text) override;

  // For rooms: the connection to `server` (nullptr when not connected).
  IrcClient* client(std::string_view server);
  // Sends a text (split into lines, "/me " as an ACTION) to a channel or nick, in
  // `encoder`'s encoding when given (a channel's own), else the server's.
  void say(IrcClient& client, std::string_view target, std::string_view body,
           Recoder* encoder = nullptr);
  // JOIN unless in the channel already, waiting for the end of NAMES; throws StanzaError
  // with the server's refusal.
  asio::awaitable<void> join(IrcRoom& room);
  bool in_channel(const IrcRoom& room) const;
  void left_channel(const IrcRoom& room);
  // NICK on `server`, waiting for the server's NICK (every room of the server then shows the
  // change) or its refusal (StanzaError: conflict when taken); returns the nick in effect.
  asio::awaitable<std::string> change_nick(std::string server, std::string wanted);
  // CTCP VERSION to `nick` on `server`: its answer; StanzaError when there is none in 5 s.
  asio::awaitable<std::string> ask_version(std::string server, std::string nick);
  // One line per registered server: connected (nick, port, TLS, channels) or not.
  std::string connection_info() const;
  // QUITs `server` with `reason`; it stays disconnected (no reconnection, the other servers
  // stay) until the user joins one of its channels again or logs in again.
  asio::awaitable<void> disconnect(std::string server, std::string reason);
  // A fresh legacy id for a message (IRC has none).
  legate::LegacyId next_message_id();
  // How `server`'s names fold: its CASEMAPPING as last learned (stored with the server), or
  // rfc1459 before the bridge ever connected to it.
  CaseMapping case_mapping_of(std::string_view server) const;
  // `name` (a channel or nick of `server`) folded the way that server folds names.
  std::string fold(std::string_view server, std::string_view name) const {
    return irc_lower(name, case_mapping_of(server));
  }
  // The key "#chan%server" or "nick%server" of a channel or nick of `server`.
  std::string key_of(std::string_view name, std::string_view server) const;

  // The rooms by legacy id "#chan%server": each IrcRoom is in it while it exists. Shared, as
  // rooms outlive the session's own members (legate::Session owns them).
  using RoomIndex = std::map<std::string, IrcRoom*, std::less<>>;
  const std::shared_ptr<RoomIndex>& room_index() { return rooms_; }
  // The room of this legacy id, if it exists (nullptr otherwise).
  IrcRoom* room_by_key(std::string_view key) const {
    auto it = rooms_->find(key);
    return it == rooms_->end() ? nullptr : it->second;
  }

 private:
  // A JOIN or NICK waiting for the server's answer (or refusal).
  struct PendingRequest;
  struct PendingVersion;
  asio::awaitable<void> read(std::shared_ptr<IrcClient> client);
  // Connects to one registered server (after disconnect()); throws StanzaError.
  asio::awaitable<void> connect_server(std::string server);
  // Ends the joins in progress whose key ends with `suffix` ("%server"; "": all) as failed.
  void abandon_joins(std::string_view suffix);
  // The connection to `server` is gone: none of its channels is joined on IRC any more.
  void forget_channels_of(std::string_view server);
  void on_line(IrcClient& client, const IrcLine& line);
  void on_privmsg(IrcClient& client, const IrcLine& line);
  void on_membership(IrcClient& client, const IrcLine& line);
  void on_numeric(IrcClient& client, const IrcLine& line);
  IrcRoom* room_of(const IrcClient& client, std::string_view channel);
  void join_done(const IrcClient& client, std::string_view channel);
  // VERSION and PING to the user are answered with a NOTICE, at most one a second: a CTCP
  // flood must not fill the user's queue.
  void answer_ctcp(IrcClient& client, std::string_view from, const Ctcp& request);
  void version_answered(const IrcClient& client, std::string_view nick, std::string answer);
  void join_failed(const IrcClient& client, std::string_view channel, std::string_view numeric,
                   std::string_view text);
  bool same_nick(const IrcClient& client, std::string_view a, std::string_view b) const {
    return fold(host_key(client), a) == fold(host_key(client), b);
  }
  static std::string host_key(const IrcClient& client) { return irc_lower(client.server().host); }
  // A 005 said how the server folds names: kept (and stored) when it is new.
  void learned_case_mapping(const IrcClient& client);
  asio::awaitable<void> store_case_mapping(std::string server, CaseMapping mapping);

  std::map<std::string, std::shared_ptr<IrcClient>, std::less<>> clients_;  // by server
  std::shared_ptr<RoomIndex> rooms_ = std::make_shared<RoomIndex>();
  std::map<std::string, std::shared_ptr<PendingRequest>, std::less<>> joins_;         // same keys
  std::map<std::string, std::shared_ptr<PendingVersion>, std::less<>> versions_;      // nick%server
  std::map<std::string, std::shared_ptr<PendingRequest>, std::less<>> nick_changes_;  // by server
  void nick_change_ended(const IrcClient& client, std::optional<legate::StanzaError> error);
  std::set<std::string, std::less<>> in_channel_;    // keys of the channels we are in on IRC
  std::set<std::string, std::less<>> disconnected_;  // servers the user disconnected from
  // By server (as in keys), from the account until a server says otherwise; read on first use.
  mutable std::optional<std::map<std::string, CaseMapping, std::less<>>> case_mappings_;
  bool quitting_ = false;
  std::chrono::steady_clock::time_point last_ctcp_answer_{};
  // Reconnections: a connection that drops soon after it began waits longer each time.
  unsigned quick_drops_ = 0;
  // Closings for flooding per server (host key) in this session: its throttle slows down.
  std::map<std::string, unsigned, std::less<>> floods_;
  // The server's settings with the throttle its floods call for.
  IrcServer throttled(const IrcServer& server) const;
  std::uint64_t next_id_ = 0;
};

// "#chan%server" and "nick%server", the name folded by `mapping` (IRC is case-insensitive).
std::string irc_key(std::string_view name, std::string_view server, CaseMapping mapping);
// The name and the server of a key.
std::pair<std::string, std::string> split_key(std::string_view key);

}  // namespace irc
