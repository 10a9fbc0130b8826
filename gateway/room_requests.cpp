// RoomRouter: the requests to a room that a bridge hook decides — kicks and affiliation
// changes (muc#admin), destruction (muc#owner), leaving for good (XEP-0077 <remove/>) and
// invitations. Each runs on the user's session queue; the room is looked up again there,
// as an earlier task may have left it.
#include <spdlog/spdlog.h>

#include "component/stanza.hpp"
#include "gateway/queued_call.hpp"
#include "gateway/registration.hpp"
#include "gateway/room_router.hpp"
#include "legacy/room_stanzas.hpp"

namespace legate {
namespace {

Room& room_of(Session& session, const Jid& jid) {
  Room* room = session.rooms().by_jid(jid);
  if (!room) throw StanzaError(ErrorCondition::item_not_found, "no such group");
  return *room;
}

std::string reason_of(const Element& item, std::string_view ns) {
  const Element* reason = item.child("reason", ns);
  return reason ? reason->text() : std::string();
}

// The contact an admin item names, by real JID or by the participant's nick.
Contact& contact_of(Session& session, Room& room, const Element& item) {
  if (auto jid_text = item.attr("jid")) {
    auto jid = Jid::parse(*jid_text);
    if (!jid) throw StanzaError(ErrorCondition::jid_malformed);
    if (Contact* contact = session.roster().by_jid(jid->bare())) return *contact;
    throw StanzaError(ErrorCondition::item_not_found, "not a contact of this gateway");
  }
  Participant* p = room.find_participant(item.attr_or("nick"));
  if (!p || p->legacy_id().empty())
    throw StanzaError(ErrorCondition::item_not_found, "no such participant");
  return session.roster().by_legacy_id(p->legacy_id());
}

asio::awaitable<void> kick(Room& room, const Element& item) {
  Participant* p = room.find_participant(item.attr_or("nick"));
  if (!p || !p->present()) throw StanzaError(ErrorCondition::item_not_found, "no such occupant");
  if (p->is_user()) throw StanzaError(ErrorCondition::not_allowed, "use leave instead");
  std::string reason = reason_of(item, kMucAdminNs);
  co_await room.on_kick(*p, reason);
  p->kicked(reason);
}

asio::awaitable<void> set_affiliation(Session& session, Room& room, const Element& item) {
  auto affiliation = affiliation_from(item.attr_or("affiliation"));
  if (!affiliation) throw StanzaError(ErrorCondition::bad_request, "unknown affiliation");
  Contact& contact = contact_of(session, room, item);
  std::string reason = reason_of(item, kMucAdminNs);
  co_await room.on_set_affiliation(contact, *affiliation, reason);
  if (*affiliation == Affiliation::outcast) {
    room.participant(contact.legacy_id()).banned(reason);
  } else if (*affiliation == Affiliation::none) {
    if (Participant* p = room.find_participant_of(contact.legacy_id()))
      p->membership_removed(reason);
  } else {
    Participant& p = room.participant(contact.legacy_id());
    p.set_affiliation(*affiliation);
    if (!p.present()) p.joined();
  }
}

// §8.2 and §9: every item is one change, applied in order; the first refusal ends it.
asio::awaitable<Router::IqPayload> admin_set(std::shared_ptr<Session> session, Jid jid,
                                             Element query) {
  for (const Element& item : query.children()) {
    if (!item.is("item", kMucAdminNs)) continue;
    Room& room = room_of(*session, jid);
    if (auto role = item.attr("role")) {
      if (*role != "none")
        throw StanzaError(ErrorCondition::feature_not_implemented, "roles cannot be changed here");
      co_await kick(room, item);
    } else if (item.attr("affiliation")) {
      co_await set_affiliation(*session, room, item);
    } else {
      throw StanzaError(ErrorCondition::bad_request, "an item needs a role or an affiliation");
    }
  }
  co_return std::nullopt;
}

asio::awaitable<Router::IqPayload> leave_for_good(
    std::shared_ptr<Session> session, Jid jid, bool destroy, std::string reason,
    std::function<void(const Jid&, const Jid&)> left) {
  Room& room = room_of(*session, jid);
  if (destroy)
    co_await room.on_destroy(reason);
  else
    co_await room.on_leave();
  const Jid room_jid = room.jid();
  room.user_gone(destroy, reason);
  session->rooms().forget(room);
  if (left) left(session->user_jid(), room_jid);
  co_return std::nullopt;
}

}  // namespace

asio::awaitable<Router::IqPayload> RoomRouter::on_request(std::shared_ptr<Session> session, Jid jid,
                                                          Element iq) {
  if (jid.has_resource())
    throw StanzaError(ErrorCondition::bad_request, "address the group, not an occupant");
  const Element& payload = *iq.first_child();
  const bool set = iq.attr_or("type") == "set";
  if (payload.is("query", kRegisterNs) && set) {
    if (!payload.child("remove", kRegisterNs))
      throw StanzaError(ErrorCondition::not_allowed, "you are a member of this group already");
    // Named: g++ 12 destroys temporaries in a co_await expression twice.
    std::function<asio::awaitable<Router::IqPayload>()> work = [session, jid, this] {
      return leave_for_good(session, jid, false, {}, on_left_);
    };
    co_return co_await queued_call(session, std::move(work));
  }
  if (payload.is("query", kMamNs) && set) {           // XEP-0313, after the backfill (GROUPS §2)
    const MamQuery query = parse_mam_query(payload);  // a bad one waits for nothing
    co_await room_of(*session, jid).backfill_once(backfill_timeout_);
    co_return room_of(*session, jid).archive_query(iq.attr_or("from"), query);
  }
  if (payload.is("query", kMucAdminNs) && set) {
    std::function<asio::awaitable<Router::IqPayload>()> work = [session, jid, query = payload] {
      return admin_set(session, jid, query);
    };
    co_return co_await queued_call(session, std::move(work));
  }
  if (payload.is("query", kMucOwnerNs) && set) {
    if (const Element* destroy = payload.child("destroy", kMucOwnerNs)) {
      std::string reason = reason_of(*destroy, kMucOwnerNs);
      std::function<asio::awaitable<Router::IqPayload>()> work = [session, jid, reason, this] {
        return leave_for_good(session, jid, true, reason, on_left_);
      };
      co_return co_await queued_call(session, std::move(work));
    }
  }
  if (payload.is("query", kMucOwnerNs))
    throw StanzaError(ErrorCondition::feature_not_implemented,
                      "the configuration of this group cannot be changed from here");
  throw StanzaError(ErrorCondition::service_unavailable);
}

asio::awaitable<void> RoomRouter::leave(std::shared_ptr<Session> session, Jid room) {
  std::function<asio::awaitable<Router::IqPayload>()> work = [session, room, this] {
    return leave_for_good(session, room, false, {}, on_left_);
  };
  co_await queued_call(session, std::move(work));
}

void RoomRouter::invite(const std::shared_ptr<Session>& session, const Jid& room,
                        const Jid& contact, std::string reason, Element header) {
  Component& component = component_;
  session->enqueue([session, room, contact, reason, header, &component]() -> asio::awaitable<void> {
    try {
      Room& target = room_of(*session, room);
      Contact* invited = session->roster().by_jid(contact.bare());
      if (!invited)
        throw StanzaError(ErrorCondition::item_not_found,
                          "only contacts of this gateway can be invited");
      co_await target.on_invite(*invited, reason);
      spdlog::info("{}: invited {} to {}", session->user_jid().str(), contact.str(), room.str());
    } catch (const StanzaError& e) {
      component.send(error_reply(header, e));
    } catch (const std::exception& e) {
      rethrow_if_cancellation(e);
      spdlog::error("{}: the bridge failed on an invitation: {}", session->user_jid().str(),
                    e.what());
      component.send(error_reply(header, StanzaError(ErrorCondition::internal_server_error)));
    }
  });
}

bool RoomRouter::mediated_invites(const std::shared_ptr<Session>& session, Room& room,
                                  const Element& stanza) {
  const Element* x = stanza.child("x", kMucUserNs);
  if (!x) return false;
  bool any = false;
  Element header("message", std::string(kComponentNs));
  header.set_attr("from", stanza.attr_or("from")).set_attr("to", room.jid().str());
  if (auto id = stanza.attr("id")) header.set_attr("id", *id);
  for (const Element& item : x->children()) {
    if (!item.is("invite", kMucUserNs)) continue;
    any = true;
    auto contact = Jid::parse(item.attr_or("to"));
    if (!contact) throw StanzaError(ErrorCondition::jid_malformed, "invite to whom?");
    invite(session, room.jid(), *contact, reason_of(item, kMucUserNs), header);
  }
  return any;
}

}  // namespace legate
