// RoomRouter: what users send to the rooms the gateway serves (XEP-0045), beside the
// ContactRouter: joins and leaves (presences to `room@gw/nick`), messages to the room (on
// the session's queue, in order with everything else of the user), and the room's iqs
// (disco#info/#items, self-ping, muc#admin lists). Every error comes from a JID of the
// gateway (the room or the occupant JID): a `from` outside its domain ends the stream.
#pragma once

#include <memory>

#include "../component/component.hpp"
#include "../legacy/session.hpp"

namespace legate {

class RoomRouter {
 public:
  explicit RoomRouter(Component& component) : component_(component) {}

  void on_presence(const std::shared_ptr<Session>& session, Room& room, Element& stanza);
  void on_message(const std::shared_ptr<Session>& session, Room& room, Element& stanza);
  Router::IqPayload on_iq(Session& session, Room& room, const Element& iq);
  // The gateway stops: every joined resource of every room is told (332).
  static void shutdown(Session& session);

 private:
  void refuse_join(const Element& stanza, const StanzaError& error);

  Component& component_;
};

}  // namespace legate
