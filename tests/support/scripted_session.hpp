// ScriptedSession: a legacy Session for stanza-level tests. Its login() succeeds or fails
// as a shared SessionScript says, its roster's fill() lists the scripted contacts, and
// every hook records its call in the script for the test to inspect.
#pragma once

#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "component/stanza_error.hpp"
#include "legacy/session.hpp"
#include "tests/support/component_harness.hpp"

namespace legate::test {

class ScriptedSession;

// One call of a hook. `hook` is login, logout, text, correct, retract, react, displayed,
// chat_state, presence, friend_request or file; the other fields are those the hook received.
struct SessionCall {
  std::string hook;
  std::string user;    // bare JID
  LegacyId contact;    // the contact's legacy id
  LegacyId legacy_id;  // the message the hook is about (correct, retract, react…)
  // body of text / correct; the bytes of a file (empty when refused); login: the legacy
  // data as JSON text
  std::string text;
  std::string file_name;  // IncomingFile::name() of a file
  std::string xmpp_id;    // Text::xmpp_id
  std::optional<ReplyTo> reply_to;
  std::vector<std::string> emojis;
  std::optional<ChatState> chat_state;
  std::optional<UserPresence> presence;
};

// How a Contact::send_file() started by SessionScript::send_file() ended.
struct FileSendOutcome {
  std::optional<std::string> id;        // what it returned
  std::optional<ErrorCondition> error;  // the StanzaError it threw
  std::string what;                     // the text of whatever it threw
};

// A contact fill() returns; its name, nick and presence are set before it is returned.
struct ScriptedContact {
  LegacyId id;
  std::string name;
  std::string nick;
  std::optional<PresenceShow> show;  // nullopt: fill() leaves the presence alone
  std::string status;
};

// Shared by the gateway (which makes the sessions) and the test. Only touch it on the
// component thread while the gateway runs (ComponentHarness::on_component_thread).
struct SessionScript {
  // login(): the next `login_failures` attempts throw `failure_text`; then it succeeds
  // with `login_text` (after `login_delay`).
  int login_failures = 0;
  std::string failure_text = "the network is down";
  std::string login_text = "Connected to the scripted network";
  std::chrono::milliseconds login_delay{0};
  // on_text() takes this long (after recording the call): a slow legacy network.
  std::chrono::milliseconds text_delay{0};
  std::vector<ScriptedContact> contacts;
  // Groups listed after login (Rooms::fill): each a group named "Room <id>" with subject
  // "Welcome", whose participants are the scripted contacts; a text to it is recorded as
  // hook "room_text" (contact = the room's legacy id) and gets legacy id "G1", "G2"…;
  // corrections, retractions, reactions and subjects as "room_correct", "room_retract",
  // "room_react", "room_subject", "room_displayed", "room_chat_state", "room_invite",
  // "room_kick" (legacy_id = the nick), "room_nick" (text = the nick asked for), "room_join" (only
  // when in `errors`: Room::on_join), "room_backfill" (bob's H1…H3 of a day ago),
  // "room_affiliation" (file_name = the affiliation), "room_leave", "room_destroy" (accepted unless
  // `errors` refuses them or `unimplemented` leaves them to the Room defaults).
  std::vector<LegacyId> rooms;
  // Groups anyone may open by joining their JID (Rooms::legacy_id_of): local parts starting
  // with this prefix ("" : none), the legacy id being the local part.
  std::string open_prefix;
  bool room_history = false;  // backfill() archives bob's H1…H3
  // Room::history_on_join() and Room::record_history() of every room.
  std::size_t room_history_on_join = 20;
  bool room_record_history = true;
  // fill() throws this (after login succeeded) when not empty.
  std::string fill_failure;
  // Hooks (by SessionCall::hook name) left to the Session defaults (feature-not-implemented).
  std::set<std::string, std::less<>> unimplemented;
  // Hooks that throw this error (after recording the call).
  std::map<std::string, ErrorCondition, std::less<>> errors;

  std::vector<SessionCall> calls;
  int logins_in_flight = 0;  // login() calls not finished yet, and the most seen at once
  int max_logins_in_flight = 0;
  int next_legacy_id = 1;                                     // on_text returns "L1", "L2"…
  std::map<std::string, ScriptedSession*, std::less<>> live;  // by bare JID

  // The live session of a user (REQUIREd).
  ScriptedSession& session(std::string_view user);

  // Thread-safe from the test thread: a copy of the calls so far.
  std::vector<SessionCall> snapshot(ComponentHarness& h);
  // Thread-safe: waits until `hook` was called `count` times and returns that call.
  SessionCall wait_for(ComponentHarness& h, std::string_view hook, std::size_t count = 1,
                       std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // How many times `hook` was called so far.
  std::size_t count(ComponentHarness& h, std::string_view hook);
  // Thread-safe: the contact `contact` of `user`'s live session starts sending `file`
  // (Contact::send_file, spawned on the component thread); the future gets its outcome.
  std::future<FileSendOutcome> send_file(ComponentHarness& h, std::string_view user,
                                         const LegacyId& contact, OutgoingFile file);
};

class ScriptedSession : public Session {
 public:
  ScriptedSession(SessionHost& host, User user, std::shared_ptr<SessionScript> script);
  ~ScriptedSession() override;

  asio::awaitable<std::string> login() override;
  asio::awaitable<void> logout() override;
  std::unique_ptr<Roster> make_roster() override;
  std::unique_ptr<Rooms> make_rooms() override;

  asio::awaitable<LegacyId> on_text(Contact& to, const Text& text) override;
  asio::awaitable<void> on_correct(Contact& to, const LegacyId& id, const Text& text) override;
  asio::awaitable<void> on_retract(Contact& to, const LegacyId& id) override;
  asio::awaitable<void> on_react(Contact& to, const LegacyId& id,
                                 std::vector<std::string> emojis) override;
  asio::awaitable<void> on_displayed(Contact& to, const LegacyId& id) override;
  asio::awaitable<void> on_chat_state(Contact& to, ChatState state) override;
  asio::awaitable<void> on_presence(const UserPresence& presence) override;
  asio::awaitable<void> on_friend_request(Contact& contact) override;
  // Reads the whole file (unless the hook is refused or unimplemented) before recording it.
  asio::awaitable<LegacyId> on_file(Contact& to, IncomingFile& file) override;

  SessionScript& script() { return *script_; }
  // Records the call; true when the hook should fall back to the Session default.
  bool record(SessionCall call);

 private:
  std::shared_ptr<SessionScript> script_;
};

}  // namespace legate::test
