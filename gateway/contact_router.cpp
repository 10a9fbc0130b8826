// ContactRouter: users' stanzas to contacts, routed to the bridge's hooks in order.
#include "gateway/contact_router.hpp"

#include <spdlog/spdlog.h>

#include "gateway/carbons.hpp"
#include "gateway/file_transfers.hpp"
#include "legacy/contact_stanzas.hpp"
#include "legacy/message_ids.hpp"
#include "legacy/room_stanzas.hpp"
#include "storage/avatar_store.hpp"
#include "storage/id_map.hpp"

namespace legate {
namespace {

bool has_hook(const SessionHooks& hooks, InboundMessage::Kind kind) {
  using Kind = InboundMessage::Kind;
  switch (kind) {
    case Kind::text:
      return hooks.text;
    case Kind::correction:
      return hooks.correct;
    case Kind::retraction:
      return hooks.retract;
    case Kind::reaction:
      return hooks.react;
    case Kind::displayed:
      return hooks.displayed;
    case Kind::file:
      return hooks.file;
    case Kind::chat_state:
      return hooks.chat_state;
    case Kind::none:
      return false;
  }
  return false;
}

std::string_view what(InboundMessage::Kind kind) {
  using Kind = InboundMessage::Kind;
  switch (kind) {
    case Kind::text:
      return "sending messages";
    case Kind::correction:
      return "correcting messages";
    case Kind::retraction:
      return "retracting messages";
    case Kind::reaction:
      return "reactions";
    case Kind::file:
      return "sending files";
    default:
      return "this";
  }
}

}  // namespace

// What the hooks need of an inbound message, kept while it waits in the session's queue.
struct ContactRouter::Pending {
  Element header;  // for the error reply
  Jid from;
  InboundMessage message;
  std::chrono::steady_clock::time_point received = std::chrono::steady_clock::now();
};

ContactRouter::ContactRouter(Parts parts) : p_(std::move(parts)) {}

LegacyId ContactRouter::legacy_id_for(const Session& session, const std::string& xmpp_id) {
  auto id = find_legacy_id(p_.ids, session.user().id, xmpp_id);
  if (!id) throw StanzaError(ErrorCondition::item_not_found, "unknown message " + xmpp_id);
  return *id;
}

asio::awaitable<void> ContactRouter::deliver(Session& session, Contact& contact, const Pending& p) {
  const InboundMessage& in = p.message;
  const Features& features = p_.features;
  using Kind = InboundMessage::Kind;
  // The one rule: a message-like event without its hook is refused, a marker or a chat
  // state without its hook is dropped.
  if (!has_hook(features.hooks, in.kind)) {
    if (in.kind == Kind::displayed || in.kind == Kind::chat_state || in.kind == Kind::none)
      co_return;
    throw StanzaError(ErrorCondition::feature_not_implemented,
                      std::string(what(in.kind)) + " is not supported by this gateway");
  }
  switch (in.kind) {
    case Kind::text: {
      Text text{in.body, in.id, std::nullopt};
      if (in.reply_to_id) {
        auto legacy = find_legacy_id(p_.ids, session.user().id, *in.reply_to_id);
        const bool to_contact =
            !in.reply_to_jid ||
            Jid::parse(*in.reply_to_jid).value_or(Jid()).bare() == contact.jid();
        text.reply_to = ReplyTo{legacy.value_or(""), *in.reply_to_id, to_contact};
      }
      const LegacyId legacy = co_await session.on_text(contact, text);
      p_.component.metrics().message_latency().observe(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - p.received).count());
      if (!legacy.empty() && !in.id.empty())
        p_.ids.put(session.user().id, kUserMessage, in.id, legacy);
      const std::string_view stanza_id = p.header.attr_or("id");
      if (in.wants_receipt && !features.real_receipts && !stanza_id.empty()) {
        // The legacy side accepted it: as good as a receipt when the network has none.
        // XEP-0184 acknowledges the stanza id, not the origin-id.
        p_.component.send(receipt_message(contact.jid().str(), p.from.str(), stanza_id));
      }
      co_return;
    }
    case Kind::correction: {
      // Named, not temporaries: g++ 12 destroys temporaries in a co_await expression twice.
      const LegacyId legacy = legacy_id_for(session, in.target_id);
      const Text text{in.body, in.id, std::nullopt};
      co_await session.on_correct(contact, legacy, text);
      if (!in.id.empty()) p_.ids.put(session.user().id, kUserMessage, in.id, legacy);
      co_return;
    }
    case Kind::retraction: {
      const LegacyId legacy = legacy_id_for(session, in.target_id);
      co_await session.on_retract(contact, legacy);
      co_return;
    }
    case Kind::reaction: {
      const LegacyId legacy = legacy_id_for(session, in.target_id);
      co_await session.on_react(contact, legacy, in.emojis);
      co_return;
    }
    case Kind::displayed: {
      const LegacyId legacy = legacy_id_for(session, in.target_id);
      co_await session.on_displayed(contact, legacy);
      co_return;
    }
    case Kind::file: {
      const LegacyId legacy = co_await p_.files.receive_link(session, contact, in.url);
      if (!legacy.empty() && !in.id.empty())
        p_.ids.put(session.user().id, kUserMessage, in.id, legacy);
      const std::string_view stanza_id = p.header.attr_or("id");
      if (in.wants_receipt && !features.real_receipts && !stanza_id.empty())
        p_.component.send(receipt_message(contact.jid().str(), p.from.str(), stanza_id));
      if (!in.body.empty()) {  // a caption
        const Text caption{in.body, "", std::nullopt};
        co_await session.on_text(contact, caption);
      }
      co_return;
    }
    case Kind::chat_state:
      if (in.chat_state) co_await session.on_chat_state(contact, *in.chat_state);
      co_return;
    case Kind::none:
      co_return;
  }
}

void ContactRouter::on_bounce(const Jid& from, const Jid& to, const Element& error) {
  auto session = p_.sessions.find(from.bare());
  if (!session || !from.has_resource()) return;
  Room* room = session->rooms().by_jid(to);
  if (!room) return;
  // Conditions saying the resource is not there (any more): it is no longer in the room.
  switch (StanzaError::from_stanza(error).condition()) {
    case ErrorCondition::item_not_found:
    case ErrorCondition::gone:
    case ErrorCondition::recipient_unavailable:
    case ErrorCondition::remote_server_not_found:
    case ErrorCondition::service_unavailable:
    case ErrorCondition::redirect:
      spdlog::info("{}: {} left {} (a bounce)", from.bare_str(), from.resource(),
                   room->jid().str());
      room->leave(from.resource(), false);
      return;
    default:
      return;
  }
}

void ContactRouter::on_message(Element& stanza) {
  MessageView view(stanza);
  auto from = view.from();
  auto to = view.to();
  if (!from || !to) throw StanzaError(ErrorCondition::jid_malformed);
  auto session = p_.sessions.find(from->bare());
  if (Room* room = session ? session->rooms().by_jid(*to) : nullptr)
    return p_.rooms.on_message(session, *room, stanza);
  if (Carbons::is_echo(stanza)) {  // our own carbon, routed on by the user's server
    spdlog::debug("{}: dropped the server's copy of carbon {}", from->str(), stanza.attr_or("id"));
    return;
  }
  if (const Element* invite = stanza.child("x", kConferenceNs); invite && session) {
    auto room = Jid::parse(invite->attr_or("jid"));  // XEP-0249 §2
    if (!room) throw StanzaError(ErrorCondition::jid_malformed, "invitation to which group?");
    Element header("message", std::string(kComponentNs));
    header.set_attr("from", from->str()).set_attr("to", to->str());
    if (auto id = stanza.attr("id")) header.set_attr("id", *id);
    return p_.rooms.invite(session, *room, *to, std::string(invite->attr_or("reason")), header);
  }
  if (stanza.attr_or("type") == "groupchat")  // to a room that is not (or no longer) there
    throw StanzaError(ErrorCondition::item_not_found, "no such group");
  InboundMessage in = classify_message(stanza);
  if (in.kind == InboundMessage::Kind::none) return;
  // A bare link to our upload service is a file whose client did not say so (no OOB).
  if (in.kind == InboundMessage::Kind::text && !in.reply_to_id &&
      p_.files.is_upload_link(in.body)) {
    in.kind = InboundMessage::Kind::file;
    in.url = std::move(in.body);
    in.body.clear();
  }
  if (!session) {
    if (!p_.is_registered(from->bare())) throw StanzaError(ErrorCondition::registration_required);
    throw StanzaError(ErrorCondition::recipient_unavailable, "this gateway has no session for you");
  }
  if (!session->logged_in()) {
    throw StanzaError(
        ErrorCondition::recipient_unavailable,
        "not logged in to the legacy network (" + std::string(p_.status.text(from->bare())) + ")");
  }
  Contact* contact = session->roster().by_jid(*to);
  if (!contact) throw StanzaError(ErrorCondition::item_not_found, "no such contact");
  Element header("message", std::string(kComponentNs));
  for (std::string_view name : {"from", "to", "id"})
    if (auto v = stanza.attr(name)) header.set_attr(name, *v);
  auto pending = std::make_shared<Pending>(Pending{std::move(header), *from, std::move(in)});
  Component& component = p_.component;
  session->enqueue(
      [this, &component, session, contact, pending]() -> asio::awaitable<void> {
        try {
          co_await deliver(*session, *contact, *pending);
        } catch (const StanzaError& e) {
          component.send(error_reply(pending->header, e));
        } catch (const std::exception& e) {
          rethrow_if_cancellation(e);  // the queue bounces it
          spdlog::error("{}: the bridge failed on a message: {}", session->user_jid().str(),
                        e.what());
          component.send(
              error_reply(pending->header, StanzaError(ErrorCondition::internal_server_error)));
        }
      },
      [&component, pending] {  // a shutdown came first: the sender learns it did not go
        component.send(error_reply(pending->header, StanzaError(ErrorCondition::service_unavailable,
                                                                "the gateway is shutting down")));
      });
}

void ContactRouter::on_presence(Element& stanza) {
  PresenceView view(stanza);
  auto from = view.from();
  auto to = view.to();
  if (!from || !to) return;
  const Jid user = from->bare();
  const std::string_view type = view.presence_type();
  auto session = p_.sessions.find(user);
  if (Room* room = session ? session->rooms().by_jid(*to) : nullptr)
    return p_.rooms.on_presence(session, *room, stanza);
  // A join (XEP-0045 §7.2) to a group the bridge can open by name (Rooms::legacy_id_of);
  // to any other JID, item-not-found rather than silence (a contact is no room).
  if (session && type == "available" && stanza.child("x", kMucNs)) {
    if (!session->logged_in())
      return p_.rooms.refuse_join(stanza, StanzaError(ErrorCondition::recipient_unavailable,
                                                      "not logged in to the legacy network"));
    if (Room* room = session->rooms().for_join(*to))
      return p_.rooms.on_presence(session, *room, stanza, /*opened=*/true);
    return p_.rooms.refuse_join(stanza,
                                StanzaError(ErrorCondition::item_not_found, "no such group"));
  }
  Contact* contact = session ? session->roster().by_jid(*to) : nullptr;
  if (!contact) {
    if (type == "subscribe" || type == "probe")
      p_.component.send(make_presence(to->str(), user.str(), "unsubscribed"));
    return;
  }
  if (type == "subscribe") {
    contact->mark_removed_by_user(false);
    on_subscribe(session, *contact, user);
  } else if (type == "subscribed") {
    contact->mark_removed_by_user(false);
    contact->mark_in_roster(true);
    contact->send_presence_to(user);
  } else if (type == "unsubscribe") {
    p_.component.send(make_presence(to->str(), user.str(), "unsubscribed"));
    contact->mark_in_roster(false);
    contact->mark_removed_by_user(true);
  } else if (type == "unsubscribed") {
    contact->mark_in_roster(false);
    contact->mark_removed_by_user(true);
  } else if (type == "probe") {
    contact->send_presence_to(*from);
  } else if (type == "available" || type == "unavailable") {
    if (from->has_resource()) p_.pep.on_presence(*contact, *from, stanza);
    on_user_presence(*from, type, view.show(), view.status());
  }
}

// A contact the user did not have yet is a friend request the bridge may refuse. Without
// the hook every request is accepted.
void ContactRouter::on_subscribe(const std::shared_ptr<Session>& session, Contact& contact,
                                 const Jid& user) {
  if (contact.in_roster() || !session->logged_in() || !p_.features.hooks.friend_request)
    return p_.roster.approve_subscription(user, contact);
  Contact* asked = &contact;
  session->enqueue([this, session, asked, user]() -> asio::awaitable<void> {
    try {
      co_await session->on_friend_request(*asked);
    } catch (const StanzaError& e) {
      spdlog::info("{}: friend request to {} refused: {}", user.str(), asked->jid().str(),
                   e.text());
      Element refusal = make_presence(asked->jid().str(), user.str(), "unsubscribed");
      if (!e.text().empty())
        refusal.add_child("status", std::string(kComponentNs)).set_text(e.text());
      p_.component.send(std::move(refusal));
      co_return;
    } catch (const std::exception& e) {
      rethrow_if_cancellation(e);
      spdlog::error("{}: the bridge failed on a friend request to {}: {}", user.str(),
                    asked->jid().str(), e.what());
      p_.component.send(make_presence(asked->jid().str(), user.str(), "unsubscribed"));
      co_return;
    }
    p_.roster.approve_subscription(user, *asked);
  });
}

void ContactRouter::on_user_presence(const Jid& from, std::string_view type, std::string_view show,
                                     std::string_view status) {
  auto session = p_.sessions.find(from.bare());
  if (!session) return;
  const auto merged = p_.presences.update(from, type, show, status);
  if (!merged || !session->logged_in() || !p_.features.hooks.presence) return;
  session->enqueue([session, merged = *merged]() -> asio::awaitable<void> {
    try {
      co_await session->on_presence(merged);
    } catch (const StanzaError& e) {
      // Presence has no reply to carry an error.
      spdlog::debug("{}: on_presence refused: {}", session->user_jid().str(), e.what());
    }
  });
}

void ContactRouter::add_rooms(const Element& iq, Element& items) {
  auto from = Jid::parse(iq.attr_or("from"));
  auto session = from ? p_.sessions.find(from->bare()) : nullptr;
  if (!session) return;
  for (Room* room : session->rooms().all()) {
    Element& item = items.add_child("item", std::string(kDiscoItemsNs));
    item.set_attr("jid", room->jid().str());
    if (!room->name().empty()) item.set_attr("name", room->name());
  }
}

Router::IqPayload ContactRouter::on_iq(const Element& iq) {
  auto from = Jid::parse(iq.attr_or("from"));
  auto to = Jid::parse(iq.attr_or("to"));
  if (!from || !to) throw StanzaError(ErrorCondition::jid_malformed);
  auto session = p_.sessions.find(from->bare());
  if (!session) throw StanzaError(ErrorCondition::registration_required);
  if (Room* room = session->rooms().by_jid(*to)) return p_.rooms.on_iq(*room, iq);
  Contact* contact = session->roster().by_jid(*to);
  if (!contact) throw StanzaError(ErrorCondition::item_not_found);
  const Element& payload = *iq.first_child();
  if (payload.is("query", kDiscoInfoNs)) {
    Element info = contact_disco_info(p_.features, contact->name());
    // XEP-0115 §6.2: the caps node ("node#ver" of the presence) is answered with that node;
    // any other node is unknown.
    if (auto node = payload.attr("node")) {
      const std::string caps =
          std::string(kContactCapsNode) + "#" + contact_caps_ver(p_.features, contact->name());
      if (*node != caps) throw StanzaError(ErrorCondition::item_not_found, "unknown node");
      info.set_attr("node", *node);
    }
    return info;
  }
  if (payload.is("query", kDiscoItemsNs)) return Element("query", std::string(kDiscoItemsNs));
  if (payload.is("ping", kPingNs)) return std::nullopt;
  if (payload.is("vCard", "vcard-temp")) {
    const auto avatar = contact->avatar_hash().empty()
                            ? std::nullopt
                            : AvatarStore(p_.database).get(contact->avatar_hash());
    return vcard(contact->nick().empty() ? contact->name() : contact->nick(),
                 avatar ? std::string_view(avatar->bytes) : std::string_view(),
                 avatar ? std::string_view(avatar->info.type) : std::string_view());
  }
  if (payload.is("pubsub", kPubsubNs) && iq.attr_or("type") == "get")
    return p_.pep.items(*contact, payload);
  throw StanzaError(ErrorCondition::service_unavailable);
}

}  // namespace legate
