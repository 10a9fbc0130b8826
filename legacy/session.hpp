// Session: one registered user's connection to the legacy network. Bridges subclass it:
// login()/logout(), the XMPP→legacy hooks (defaults answer feature-not-implemented), and
// the helpers to talk to the user through the gateway.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../component/asio.hpp"
#include "../component/form.hpp"
#include "../component/jid.hpp"
#include "../component/stanza_error.hpp"  // hooks refuse with StanzaError
#include "../storage/json.hpp"
#include "file.hpp"
#include "rooms.hpp"
#include "roster.hpp"
#include "session_host.hpp"
#include "types.hpp"
#include "user.hpp"

#include <boost/json/value_from.hpp>

namespace legate {

class IdMap;

class Session : public std::enable_shared_from_this<Session> {
 public:
  // Bridges inherit it (`using legate::Session::Session;`); the framework constructs sessions.
  Session(SessionHost& host, User user);
  virtual ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // --- life cycle hooks ---
  // Connects to the legacy network; the returned text becomes the gateway's status.
  // Throw to fail (the text of the exception is shown; the login is retried).
  virtual asio::awaitable<std::string> login() = 0;
  virtual asio::awaitable<void> logout() { co_return; }
  // The contact list of this session (override to customise fill() or JID mapping).
  virtual std::unique_ptr<Roster> make_roster() { return std::make_unique<Roster>(*this); }
  // The group chats of this session (override to fill them and make your Room type).
  virtual std::unique_ptr<Rooms> make_rooms();

  // --- XMPP → legacy hooks ---
  // Sends a text; returns the legacy id of the message (for corrections, markers…).
  virtual asio::awaitable<LegacyId> on_text(Contact& to, const Text& text);
  virtual asio::awaitable<void> on_correct(Contact& to, const LegacyId& id, const Text& text);
  virtual asio::awaitable<void> on_retract(Contact& to, const LegacyId& id);
  virtual asio::awaitable<void> on_react(Contact& to, const LegacyId& id,
                                         std::vector<std::string> emojis);
  virtual asio::awaitable<void> on_displayed(Contact& to, const LegacyId& id);
  virtual asio::awaitable<void> on_chat_state(Contact& to, ChatState state);
  // A file from the user to a contact (an upload link, or an In-Band Bytestream); read it
  // with file.read(). Returns the legacy message id. Declare Features::files to get them.
  virtual asio::awaitable<LegacyId> on_file(Contact& to, IncomingFile& file);
  virtual asio::awaitable<void> on_presence(const UserPresence& presence);
  // The user subscribed to a contact not yet in their roster: return to accept (the contact
  // approves), throw StanzaError to refuse (the user gets `unsubscribed` with its text).
  // Not overridden: every request is accepted.
  virtual asio::awaitable<void> on_friend_request(Contact& contact);
  // Searches the legacy network with the gateway's search form (XEP-0055, `find`).
  virtual asio::awaitable<SearchResult> on_search(const Form& form);

  // --- helpers ---
  // The user, with their legacy data and preferences as they are now (see user.hpp).
  const User& user() const { return user_; }
  const Jid& user_jid() const { return user_.jid; }
  // Stores new legacy data for the user (a refreshed token, a paired device): written to the
  // database in one statement before user() changes, so a crash keeps the old or the new.
  asio::awaitable<void> update_legacy_data(Json data);
  template <class T>
  asio::awaitable<void> update_legacy_data(T data) {
    Json json = boost::json::value_from(data);     // named: g++ 12 destroys temporaries in a
    co_await update_legacy_data(std::move(json));  // co_await expression twice
  }
  Roster& roster();
  Rooms& rooms();
  asio::any_io_executor executor();
  bool logged_in() const { return logged_in_; }
  void send_gateway_message(std::string_view text);
  void send_gateway_status(std::string_view text, PresenceShow show = PresenceShow::online);
  // The user's next chat line to the gateway, after sending `prompt`; nullopt on timeout.
  asio::awaitable<std::optional<std::string>> input(
      std::string_view prompt, std::chrono::seconds timeout = std::chrono::minutes(5));
  asio::awaitable<void> send_qr(std::string text);
  // Logs out and in again (also the user's `re-login` chat keyword).
  void re_login();
  // Runs `task` for this session; it is cancelled when the session logs out. Not from the
  // constructor (the session is not shared yet): from login() on.
  void spawn(asio::awaitable<void> task);

 private:
  // The framework drives sessions through these (gateway/, legacy/contact, files).
  friend class Sessions;
  friend class SessionRegistry;
  friend class LoginScheduler;
  friend class ContactRouter;
  friend class Contact;
  friend class UserActions;
  friend class Room;
  friend class Participant;
  friend class Rooms;
  friend class RoomRouter;
  friend class QueuedCall;
  friend class FileTransfers;
  friend class Roster;
  friend class BaseGateway;
  friend class GatewayRuntime;
  SessionHost& host() { return host_; }
  IdMap& id_map();
  void set_logged_in(bool logged_in) { logged_in_ = logged_in; }
  void set_user(User user) { user_ = std::move(user); }
  void set_preferences(Json preferences) { user_.preferences = std::move(preferences); }
  // Cancels every task started with spawn().
  void cancel_tasks();
  // Runs `work` after the work queued before it (XMPP events of one user stay in order).
  // When a shutdown cancels the queue, `dropped` runs instead for the item being handled
  // and for each one still queued (e.g. to bounce a message), rather than losing them.
  void enqueue(std::function<asio::awaitable<void>()> work, std::function<void()> dropped = {});

  asio::awaitable<void> drain();
  struct Tasks;

  SessionHost& host_;
  User user_;
  std::unique_ptr<Roster> roster_;
  std::unique_ptr<Rooms> rooms_;

  std::unique_ptr<Tasks> tasks_;
  bool logged_in_ = false;
};

}  // namespace legate
