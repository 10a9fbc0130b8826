// Contact: a legacy contact, seen by the user as `escaped-legacy-id@gateway`. Bridges set
// its name, nick, avatar and presence, and call its actions to bring legacy events to XMPP.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../component/asio.hpp"
#include "../component/jid.hpp"
#include "../storage/contact_store.hpp"
#include "file.hpp"
#include "types.hpp"
#include "user_actions.hpp"

namespace legate {

class Session;

class Contact {
 public:
  using Time = std::chrono::system_clock::time_point;

  Contact(Session& session, ContactRecord record);
  Contact(const Contact&) = delete;
  Contact& operator=(const Contact&) = delete;

  const LegacyId& legacy_id() const { return record_.legacy_id; }
  const Jid& jid() const { return jid_; }
  Session& session() { return session_; }
  const std::string& name() const { return record_.name; }
  const ContactPresence& presence() const { return presence_; }
  bool in_roster() const { return record_.in_roster; }
  // The user took the contact out of their roster: it is not put back by itself.
  bool removed_by_user() const { return record_.removed_by_user; }

  // --- identity (stored; sent to the user when it changes) ---
  void set_name(std::string name);
  void set_nick(std::string nick);  // XEP-0172
  // XEP-0054/0153 and XEP-0084. PNG of any size (scaled down to 200 px), or JPEG/GIF of at
  // most 200 px; stored once by hash, never held in memory. Empty bytes: no avatar.
  void set_avatar(std::string bytes, std::string type = "image/png");
  const std::string& avatar_hash() const { return record_.avatar_hash; }
  const std::string& nick() const { return record_.nick; }

  // --- presence ---
  void online(std::string_view status = {});
  void away(std::string_view status = {});
  void busy(std::string_view status = {});
  void extended_away(std::string_view status = {});
  void offline(std::string_view status = {}, std::optional<Time> last_seen = std::nullopt);

  // --- legacy → XMPP ---
  // A message from the contact, e.g. `send_text("hi", {.legacy_id = id, .reply_to = ref})`.
  // Returns the XMPP id it was given.
  std::string send_text(std::string_view body, SendOptions options = {});
  // A file from the contact (see OutgoingFile): uploaded and shared as a link with its
  // caption after it. Returns the XMPP id of the link's message. Throws StanzaError when it
  // cannot be delivered (the user has then been told why, e.g. too big for the server).
  asio::awaitable<std::string> send_file(OutgoingFile file);
  void correct(const LegacyId& legacy_id, std::string_view new_body);
  void retract(const LegacyId& legacy_id);
  // The contact's reactions to a message (the user's or its own); empty removes them.
  void react(const LegacyId& legacy_id, std::vector<std::string> emojis);
  void composing();
  void paused();
  void active();
  void inactive();
  // The contact's device got / displayed the user's message with this legacy id.
  void received(const LegacyId& legacy_id);
  void displayed(const LegacyId& legacy_id);

  // What the user did with this contact outside XMPP (the legacy network's own app), shown
  // in every XMPP client of the user: `contact.as_user().send_text("on my way")`.
  UserActions as_user() { return UserActions(*this); }

  // Puts the contact in the user's roster (privileged push, or a subscription request).
  void add_to_roster();

  // Framework side: the presence stanza this contact shows now (for probes, subscriptions).
  void send_presence_to(const Jid& to);
  void mark_in_roster(bool in_roster);
  // The user removed the contact from their roster (true) or added it again (false).
  void mark_removed_by_user(bool removed);
  // The XMPP id of a message by legacy id (either direction), if it was seen.
  std::optional<std::string> xmpp_id_of(const LegacyId& legacy_id);

 private:
  void set_presence(PresenceShow show, std::string_view status, std::optional<Time> last_seen);
  void send_chat_state(ChatState state);
  void save();

  Session& session_;
  ContactRecord record_;
  Jid jid_;
  ContactPresence presence_;
};

}  // namespace legate
