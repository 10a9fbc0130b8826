// RoomRouter: what users send to the rooms the gateway serves (XEP-0045), beside the
// ContactRouter: joins and leaves (presences to `room@gw/nick`), messages to the room (on
// the session's queue, in order with everything else of the user), and the room's iqs
// (disco#info/#items, self-ping, muc#admin lists). Every error comes from a JID of the
// gateway (the room or the occupant JID): a `from` outside its domain ends the stream.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "../component/component.hpp"
#include "../legacy/session.hpp"

namespace legate {

class RoomRouter {
 public:
  RoomRouter(Component& component, std::chrono::seconds backfill_timeout)
      : component_(component), backfill_timeout_(backfill_timeout) {}

  // `opened`: the room was just created for this join (Rooms::legacy_id_of); on success it
  // is reported to on_opened (its bookmark).
  void on_presence(const std::shared_ptr<Session>& session, Room& room, Element& stanza,
                   bool opened = false);
  void on_message(const std::shared_ptr<Session>& session, Room& room, Element& stanza);
  Router::IqPayload on_iq(Room& room, const Element& iq);
  // The gateway stops: every joined resource of every room is told (332).
  static void shutdown(Session& session);
  // Called when the user left a room for good (its bookmark goes).
  void on_opened(std::function<void(std::shared_ptr<Session>, Room&)> callback) {
    on_opened_ = std::move(callback);
  }
  void on_left(std::function<void(const Jid& user, const Jid& room)> callback) {
    on_left_ = std::move(callback);
  }

  // --- room_requests.cpp: what waits for a bridge hook ---
  // muc#admin sets (kicks, affiliations), muc#owner (destroy), XEP-0077 to the room
  // (leaving for good), run on the session's queue.
  asio::awaitable<Router::IqPayload> on_request(std::shared_ptr<Session> session, Jid room,
                                                Element iq);
  // The user leaves `room` for good (the leave-group command): Room::on_leave, 110 to the
  // joined resources, the room forgotten, its bookmark retracted.
  asio::awaitable<void> leave(std::shared_ptr<Session> session, Jid room);
  // An invitation of `contact` to `room` by the user (XEP-0249 or mediated); an error
  // goes back as a reply to `header` (the invitation's from/to/id).
  void invite(const std::shared_ptr<Session>& session, const Jid& room, const Jid& contact,
              std::string reason, Element header);
  // The error presence answering a join (from the occupant JID it was sent to).
  // A joined resource's presence to another nick: Room::on_nick_change, queued.
  void change_nick(const std::shared_ptr<Session>& session, Room& room, const Element& stanza,
                   std::string wanted);
  void refuse_join(const Element& stanza, const StanzaError& error);

 private:
  // Mediated invitations in a message to the room (XEP-0045 §7.8.2); false if none.
  bool mediated_invites(const std::shared_ptr<Session>& session, Room& room, const Element& stanza);

  Component& component_;
  std::chrono::seconds backfill_timeout_;  // a first history query waits that long
  std::function<void(const Jid& user, const Jid& room)> on_left_;
  std::function<void(std::shared_ptr<Session>, Room&)> on_opened_;
};

}  // namespace legate
