// SessionHost: what a session needs from the gateway above it (the gateway implements it),
// so that legacy/ does not depend on gateway/.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "../component/asio.hpp"
#include "../component/element.hpp"
#include "../component/jid.hpp"
#include "../storage/json.hpp"
#include "file.hpp"
#include "types.hpp"

namespace legate {

class Component;
class Contact;
class Database;
class IdMap;
class Room;
class RoomArchive;

// What changed of a contact's identity (Contact::set_avatar, set_nick, set_name).
enum class IdentityChange { avatar, nick };

enum class RosterMode {
  subscribe,   // contacts ask the user for a presence subscription
  privileged,  // contacts are pushed into the roster (XEP-0356)
};

class SessionHost {
 public:
  virtual ~SessionHost() = default;
  virtual Component& component() = 0;
  virtual Database& database() = 0;
  // The message-id map shared by every session (cached, with batched writes).
  virtual IdMap& id_map() = 0;
  virtual RoomArchive& room_archive() = 0;
  virtual const Features& features() const = 0;
  virtual RosterMode roster_mode(const Jid& user) const = 0;
  // The gateway's roster group name for contacts.
  virtual std::string roster_group() const = 0;
  virtual void send_gateway_message(const Jid& user, std::string_view text) = 0;
  virtual void send_gateway_status(const Jid& user, PresenceShow show, std::string_view text) = 0;
  virtual asio::awaitable<std::optional<std::string>> input(const Jid& user,
                                                            std::string_view prompt,
                                                            std::chrono::seconds timeout) = 0;
  virtual asio::awaitable<void> send_qr(const Jid& user, std::string text) = 0;
  virtual void re_login(const Jid& user) = 0;
  // A file from a contact to the user: uploaded (XEP-0363) and shared as a link, or sent
  // in-band (XEP-0047) when the server has no upload service. Returns the message's XMPP id.
  virtual asio::awaitable<std::string> send_file(Contact& from, OutgoingFile file) = 0;
  // Persists new legacy data for a registered user (Session::update_legacy_data).
  virtual void store_legacy_data(const Jid& user, const Json& data) = 0;
  // Puts a contact in the user's roster, the way the server allows (RosterMode).
  virtual void add_to_roster(Contact& contact) = 0;
  // The contact's avatar or nick changed: PEP events to the user's clients that want them.
  virtual void identity_changed(Contact& contact, IdentityChange what) = 0;

  // --- what the user did outside XMPP (Contact::as_user) ---
  // A fresh id for a carbon (the gateway recognises it when the server routes it back).
  virtual std::string carbon_id() = 0;
  // Injects `message` (from the user's bare JID to a contact, in the component namespace) into
  // the user's account (XEP-0356 privileged message): false when the user's server does not
  // allow it (nothing was sent; the admin has been told).
  virtual bool send_carbon(const Jid& user, Element message) = 0;
  // Whether carbons that cannot be injected are shown as the contact's messages, prefixed.
  virtual bool carbons_fallback() const = 0;
  // Uploads a file (XEP-0363) for a message and returns its URL. Throws StanzaError when it
  // cannot (no upload service, too big, failed upload; the user has been told why).
  virtual asio::awaitable<std::string> upload_file(Contact& about, OutgoingFile file) = 0;
  // An iq on the user's own account through their server (XEP-0356 §6.3), e.g. to their PEP:
  // returns the inner result; throws StanzaError (forbidden when not granted, nothing sent).
  virtual asio::awaitable<Element> privileged_iq(Jid user, Element iq) = 0;
  // The user read the room's message `stanza_id` outside XMPP (in the legacy network's app):
  // published to their read-marker node, which their clients sync on (XEP-0490).
  virtual void read_elsewhere(Room& room, std::string_view stanza_id) = 0;
  // The key of the rooms' occupant ids (XEP-0421): stored, so they survive restarts.
  virtual const std::string& occupant_secret() = 0;
};

}  // namespace legate
