// GatewayRuntime: the running side of a bridge's gateway, for run() and the commands layer.
// BaseGateway is what a bridge subclasses and calls; this handle reaches the machinery
// behind it (wiring, users, sessions, the chat front end), which bridges never touch.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base_gateway.hpp"

namespace legate {

class Registration;

class GatewayRuntime {
 public:
  explicit GatewayRuntime(BaseGateway& gateway) : gateway_(gateway) {}

  BaseGateway& bridge() { return gateway_; }
  Component& component();

  // Wires the gateway to its component and database; called once by run().
  void attach(Component& component, Database& database, GatewaySettings settings);
  // Releases what attach() built (sessions, pending writes flushed), while the component,
  // the database and their io_context still exist.
  void detach();
  // The component stopped for good: periodic work (retention, spawned tasks) must not keep
  // the event loop running.
  void cancel_background_work();
  // Logs every session out (contacts go unavailable); called by run() before it stops.
  asio::awaitable<void> shutdown();

  bool is_admin(const Jid& jid) const;
  std::shared_ptr<Session> session_of(const Jid& user);
  // What the bridge declared in info(), read once at attach().
  const GatewayInfo& declared() const;
  // What the session type's hooks and the declared capabilities give the contacts.
  const Features& features() const;
  // A chat line from a user to the gateway JID that nothing else consumed; return true
  // when handled (chat commands).
  void set_chat_handler(std::function<bool(const Jid& from, std::string_view body)> handler);
  // Sends `prompt` (if any) and waits for the user's next chat line.
  asio::awaitable<std::optional<std::string>> ask(const Jid& user, std::string_view prompt,
                                                  std::chrono::seconds timeout);
  std::size_t user_count();
  std::size_t logged_in_count();
  std::vector<User> all_users();
  Registration& registration();
  // Unregisters a user (their session logs out, their data is deleted).
  asio::awaitable<void> remove_user(const Jid& user);
  // Stores a user's preferences and hands them to their live session.
  void update_preferences(const Jid& user, Json preferences);
  void re_login(const Jid& user);

  // The user leaves a group for good (see RoomRouter::leave).
  asio::awaitable<void> leave_group(std::shared_ptr<Session> session, Jid room);

  BaseGateway::Runtime& internals();

 private:
  BaseGateway& gateway_;
};

}  // namespace legate
