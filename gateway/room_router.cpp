// RoomRouter: joins, messages and iqs addressed to rooms.
#include "gateway/room_router.hpp"

#include <spdlog/spdlog.h>

#include "component/clock.hpp"
#include "component/disco.hpp"
#include "component/stanza.hpp"
#include "component/task_group.hpp"
#include "gateway/registration.hpp"
#include "legacy/room_stanzas.hpp"

namespace legate {
namespace {

// Nicks are resourceprep'd resources; an empty or oversized one is no nick.
constexpr std::size_t kMaxNick = 1023;

}  // namespace

void RoomRouter::refuse_join(const Element& stanza, const StanzaError& error) {
  // XEP-0045 §7.2: from the occupant JID, with the <x/> of the join, type error.
  Element reply = make_presence(stanza.attr_or("to"), stanza.attr_or("from"), "error");
  if (auto id = stanza.attr("id")) reply.set_attr("id", *id);
  reply.add_child("x", std::string(kMucNs));
  reply.add_child(error.to_element(kComponentNs));
  component_.send(reply);
}

void RoomRouter::on_presence(const std::shared_ptr<Session>& session, Room& room, Element& stanza,
                             bool opened) {
  PresenceView view(stanza);
  auto from = view.from();
  auto to = view.to();
  if (!from || !to || !from->has_resource()) return;
  const std::string resource(from->resource());
  const std::string_view type = view.presence_type();
  if (type == "unavailable") return room.leave(resource, true, view.status());
  if (type != "available") return;  // probes and subscriptions: rooms have none
  const std::string nick(to->resource());
  const Element* muc_x = stanza.child("x", kMucNs);
  if (!muc_x) {
    // A status update to the current occupant JID, or Prosody's directed presence: never an
    // error (GROUPS §1.6). To another nick while joined: a nick change (§7.6).
    if (room.has_resource(resource) && !nick.empty() && nick != room.user_nick())
      change_nick(session, room, stanza, nick);
    return;
  }
  if (nick.empty() || nick.size() > kMaxNick)
    return refuse_join(stanza, StanzaError(ErrorCondition::jid_malformed, "no valid nick"));
  if (!session->logged_in())
    return refuse_join(stanza, StanzaError(ErrorCondition::recipient_unavailable,
                                           "not logged in to the legacy network"));
  Room* target = &room;
  const std::string id(stanza.attr_or("id"));
  const MucHistory history = parse_muc_history(muc_x, unix_ms());
  // The join as it came (refuse_join answers it from the room's side).
  Element header = make_presence(from->str(), to->str());
  if (!id.empty()) header.set_attr("id", id);
  session->enqueue([this, session, target, resource, nick, id, history, header,
                    opened]() -> asio::awaitable<void> {
    try {
      co_await target->join(resource, nick, id, history);
      if (opened && on_opened_) on_opened_(session, *target);
    } catch (const StanzaError& e) {
      refuse_join(header, e);
      // A room opened for this join and refused stays nowhere (no bookmark at the next login).
      if (opened && !target->joined()) session->rooms().forget(*target);
    } catch (const std::exception& e) {
      rethrow_if_cancellation(e);
      spdlog::error("{}: joining {} failed: {}", session->user_jid().str(), target->jid().str(),
                    e.what());
      refuse_join(header, StanzaError(ErrorCondition::internal_server_error));
      if (opened && !target->joined()) session->rooms().forget(*target);
    }
  });
}

void RoomRouter::change_nick(const std::shared_ptr<Session>& session, Room& room,
                             const Element& stanza, std::string wanted) {
  if (wanted.size() > kMaxNick)
    return refuse_join(stanza, StanzaError(ErrorCondition::jid_malformed, "no valid nick"));
  Room* target = &room;
  Element header = make_presence(stanza.attr_or("from"), stanza.attr_or("to"));
  if (auto id = stanza.attr("id")) header.set_attr("id", *id);
  session->enqueue([this, target, header, wanted]() -> asio::awaitable<void> {
    try {
      std::string now = co_await target->on_nick_change(wanted);
      target->set_user_nick(std::move(now));
    } catch (const StanzaError& e) {
      refuse_join(header, e);  // from room@gw/wanted (§7.6.2: conflict, not-acceptable…)
    }
  });
}

void RoomRouter::on_message(const std::shared_ptr<Session>& session, Room& room, Element& stanza) {
  MessageView view(stanza);
  auto from = view.from();
  auto to = view.to();
  if (!from || !to) return;
  const std::string resource(from->resource());
  if (to->has_resource()) {  // a private message to an occupant (GROUPS §1.7)
    Participant* p = room.find_participant(to->resource());
    if (p && !p->legacy_id().empty() && !p->is_user())
      throw StanzaError(ErrorCondition::not_allowed,
                        "private messages are not possible here; write to " +
                            session->roster().by_legacy_id(p->legacy_id()).jid().str());
    throw StanzaError(ErrorCondition::not_allowed, "private messages are not possible here");
  }
  if (stanza.attr_or("type") != "groupchat") {
    mediated_invites(session, room, stanza);
    return;  // anything else not for the room (declines…): ignored
  }
  if (!room.has_resource(resource)) {
    // GROUPS §1.4: the client thinks it is in; 110+333 makes Gajim, Conversations and Dino
    // join again rather than keep writing into the void.
    Element gone = room.presence_of(room.user(), from->str(), "unavailable");
    add_status(gone, MucStatus::self);
    add_status(gone, MucStatus::error_kicked);
    component_.send(gone);
    throw StanzaError(ErrorCondition::not_acceptable, "join the group first (XEP-0045 §7.4)");
  }
  Room* target = &room;
  Element header("message", std::string(kComponentNs));
  for (std::string_view name : {"from", "to", "id"})
    if (auto v = stanza.attr(name)) header.set_attr(name, *v);
  header.set_attr("from", from->str());
  header.set_attr("to", room.jid().str());
  header.set_attr("type", "groupchat");
  auto message = std::make_shared<Element>(std::move(stanza));
  Component& component = component_;
  session->enqueue(
      [session, target, message, header, &component]() -> asio::awaitable<void> {
        try {
          co_await target->user_message(std::move(*message));
        } catch (const StanzaError& e) {
          component.send(error_reply(header, e));
        } catch (const std::exception& e) {
          rethrow_if_cancellation(e);
          spdlog::error("{}: the bridge failed on a group message: {}", session->user_jid().str(),
                        e.what());
          component.send(error_reply(header, StanzaError(ErrorCondition::internal_server_error)));
        }
      },
      [header, &component] {
        component.send(error_reply(header, StanzaError(ErrorCondition::service_unavailable,
                                                       "the gateway is shutting down")));
      });
}

Router::IqPayload RoomRouter::on_iq(Room& room, const Element& iq) {
  auto from = Jid::parse(iq.attr_or("from"));
  auto to = Jid::parse(iq.attr_or("to"));
  const Element& payload = *iq.first_child();
  const std::string_view type = iq.attr_or("type");
  if (payload.is("ping", kPingNs)) {
    // XEP-0410: a self-ping succeeds only from a joined resource.
    if (to->has_resource() && to->resource() == room.user_nick() &&
        !room.has_resource(from->resource()))
      throw StanzaError(ErrorCondition::not_acceptable, "not joined");
    return std::nullopt;
  }
  if (to->has_resource()) throw StanzaError(ErrorCondition::service_unavailable);
  if (type == "get" && payload.is("query", kDiscoInfoNs)) {
    if (payload.attr("node")) throw StanzaError(ErrorCondition::item_not_found);
    return room.disco_info();
  }
  if (type == "get" && payload.is("vCard", "vcard-temp")) return room.vcard();  // XEP-0486
  if (type == "get" && payload.is("query", kMamNs)) return mam_query_form();    // XEP-0313
  if (type == "get" && payload.is("metadata", kMamNs)) return room.archive_metadata();
  if (type == "get" && payload.is("query", kRegisterNs)) {  // §7.10: a member, by nick
    Element query("query", std::string(kRegisterNs));
    query.add_child("registered", std::string(kRegisterNs));
    query.add_child("username", std::string(kRegisterNs)).set_text(room.user_nick());
    return query;
  }
  if (type == "get" && payload.is("query", kDiscoItemsNs))
    return Element("query", std::string(kDiscoItemsNs));
  if (type == "get" && payload.is("query", kMucAdminNs)) {
    // The affiliation list asked for (§9.5), from storage.
    const Element* wanted = payload.child("item", kMucAdminNs);
    const std::string_view affiliation = wanted ? wanted->attr_or("affiliation") : "";
    Element query("query", std::string(kMucAdminNs));
    for (Participant* p : room.participants()) {
      if (p->is_user() || to_string(p->affiliation()) != affiliation) continue;
      Element& item = query.add_child("item", std::string(kMucAdminNs));
      item.set_attr("affiliation", affiliation).set_attr("nick", p->nick());
      if (std::string jid = room.non_anonymous() ? room.real_jid_of(*p) : ""; !jid.empty())
        item.set_attr("jid", jid);
    }
    return query;
  }
  throw StanzaError(ErrorCondition::feature_not_implemented);
}

void RoomRouter::shutdown(Session& session) {
  for (Room* room : session.rooms().all())
    if (room->joined()) room->shutdown();
}

}  // namespace legate
