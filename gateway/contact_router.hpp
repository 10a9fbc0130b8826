// ContactRouter: what users send to their legacy contacts (messages, presences, iqs),
// handed to the bridge's hooks through the user's session, in order, with the id map and
// synthetic receipts; and the users' own presences merged for Session::on_presence.
// A room router (group chats) sits beside it, for the JIDs that are rooms.
#pragma once

#include <functional>
#include <memory>
#include <string_view>

#include "../component/component.hpp"
#include "../legacy/session.hpp"
#include "contact_pep.hpp"
#include "gateway_status.hpp"
#include "room_router.hpp"
#include "roster_policy.hpp"
#include "session_registry.hpp"
#include "user_presences.hpp"

namespace legate {

class FileTransfers;

class ContactRouter {
 public:
  struct Parts {
    Component& component;
    SessionRegistry& sessions;
    UserPresences& presences;
    RosterPolicy& roster;
    GatewayStatus& status;
    FileTransfers& files;
    RoomRouter& rooms;  // for the JIDs that are rooms
    ContactPep& pep;    // contacts' avatars and nicks (XEP-0084/0172)
    Database& database;
    IdMap& ids;
    const Features& features;
    std::function<bool(const Jid&)> is_registered;
  };
  explicit ContactRouter(Parts parts);

  // A stanza from a user to one of the contacts (its `to` has a local part).
  void on_message(Element& stanza);
  void on_presence(Element& stanza);
  // An error bounced by a user's server for something a contact or room sent.
  void on_bounce(const Jid& from, const Jid& to, const Element& error);
  Router::IqPayload on_iq(const Element& iq);
  // The requester's rooms, as disco#items of the gateway.
  void add_rooms(const Element& iq, Element& items);
  // The iqs to a room that wait for a bridge hook (muc#admin/#owner sets, XEP-0077).
  asio::awaitable<Router::IqPayload> on_room_request(Element iq);
  // Whether `to` is one of the rooms of the user `from` (a full or bare JID).
  bool is_room(std::string_view from, const Jid& to);
  // A XEP-0092 version query to an occupant (room@gw/nick): asked through the room's hook.
  asio::awaitable<Router::IqPayload> occupant_version(Element iq);
  // A presence from a user's resource (to a contact or to the gateway JID).
  void on_user_presence(const Jid& from, std::string_view type, std::string_view show,
                        std::string_view status);

 private:
  struct Pending;
  asio::awaitable<void> deliver(Session& session, Contact& contact, const Pending& pending);
  LegacyId legacy_id_for(const Session& session, const std::string& xmpp_id);
  void on_subscribe(const std::shared_ptr<Session>& session, Contact& contact, const Jid& user);

  Parts p_;
};

}  // namespace legate
