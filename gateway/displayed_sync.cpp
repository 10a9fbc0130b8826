// DisplayedSync: XEP-0490 node setup, the user's displayed items to rooms, and back.
#include "gateway/displayed_sync.hpp"

#include <spdlog/spdlog.h>

#include "component/task_group.hpp"
#include "gateway/contact_pep.hpp"
#include "legacy/contact_stanzas.hpp"
#include "legacy/rooms.hpp"

namespace legate {
namespace {

// XEP-0490 §4.1 / §4.2: the node's configuration, also the publish-options of each item.
const UserPep::Options& node_options() {
  static const UserPep::Options options = {{"pubsub#access_model", "whitelist"},
                                           {"pubsub#persist_items", "true"},
                                           {"pubsub#max_items", "max"},
                                           {"pubsub#send_last_published_item", "never"}};
  return options;
}

// What a server that does not know every option says (ejabberd 23.01: resource-constraint,
// "Unknown field"; XEP-0060 §7.1.5: conflict / precondition-not-met).
bool options_refused(const StanzaError& e) {
  switch (e.condition()) {
    case ErrorCondition::resource_constraint:
    case ErrorCondition::conflict:
    case ErrorCondition::not_acceptable:
    case ErrorCondition::bad_request:
      return true;
    default:
      return false;
  }
}

// The one option that matters, for such servers: nobody but the members reads the node.
const UserPep::Options& minimal_options() {
  static const UserPep::Options options = {{"pubsub#access_model", "whitelist"}};
  return options;
}

std::string key_of(const Jid& user, const Jid& room) {
  return user.bare_str() + '\n' + room.str();
}

asio::awaitable<void> room_displayed(std::shared_ptr<Session> session, Jid room_jid,
                                     LegacyId legacy_id) {
  Room* room = session->rooms().by_jid(room_jid);
  if (!room) co_return;
  try {
    co_await room->on_displayed(legacy_id);
  } catch (const StanzaError& e) {
    spdlog::debug("{}: {} refused a read marker: {}", session->user_jid().str(), room_jid.str(),
                  e.what());
  }
}

}  // namespace

Element displayed_item(const Jid& room, std::string_view stanza_id) {
  Element item("item", std::string(kPubsubNs));
  item.set_attr("id", room.str());
  item.add_child("displayed", std::string(kMdsNode))
      .add_child("stanza-id", std::string(kStanzaIdNs))
      .set_attr("by", room.str())
      .set_attr("id", stanza_id);
  return item;
}

DisplayedSync::DisplayedSync(Component& component, const PrivilegeGrants& grants, PrivilegedIq& iq)
    : component_(component), grants_(grants), pep_(iq) {
  component.disco().add_feature(std::string(kMdsNode) + "+notify");
}

bool DisplayedSync::can_sync(const Jid& user) {
  const Privileges* granted = grants_.of(user);
  if (granted && granted->can_iq(IqType::set, kPubsubNs) &&
      granted->can_iq(IqType::set, kPubsubOwnerNs))
    return true;
  if (told_.emplace(user.domain()).second)
    spdlog::info(
        "read markers: {} grants no pubsub and pubsub#owner iq (XEP-0356): group read state "
        "is not synced with its users' clients (XEP-0490)",
        user.domain());
  return false;
}

asio::awaitable<void> DisplayedSync::after_login(Jid user) {
  if (!can_sync(user)) co_return;
  const Jid bare = user.bare();
  try {
    bool created = false;
    bool refused = false;  // the configuration: again with the access model alone
    try {
      created = co_await pep_.create(bare, std::string(kMdsNode), node_options());
    } catch (const StanzaError& e) {
      if (e.condition() == ErrorCondition::conflict || !options_refused(e)) throw;
      refused = true;
    }
    if (refused) created = co_await pep_.create(bare, std::string(kMdsNode), minimal_options());
    co_await pep_.affiliate(bare, std::string(kMdsNode), component_.jid().str(), "member");
    spdlog::debug("{}: read-marker node {}, the gateway is a member", bare.str(),
                  created ? "created" : "already there");
  } catch (const StanzaError& e) {
    spdlog::warn("{}: read markers (XEP-0490) could not be set up: {}", bare.str(), e.what());
  }
}

void DisplayedSync::read_elsewhere(const Jid& user, const Jid& room, std::string stanza_id) {
  if (!can_sync(user)) return;
  component_.router().tasks().spawn(publish(user.bare(), room, std::move(stanza_id)),
                                    "read marker");
}

asio::awaitable<void> DisplayedSync::publish(Jid user, Jid room, std::string stanza_id) {
  const std::string key = key_of(user, room);
  published_[key] = stanza_id;
  try {
    bool refused = false;  // the publish-options: again with the access model alone
    try {
      co_await pep_.publish(user, std::string(kMdsNode), displayed_item(room, stanza_id),
                            node_options());
    } catch (const StanzaError& e) {
      if (!options_refused(e)) throw;
      refused = true;
    }
    if (refused)
      co_await pep_.publish(user, std::string(kMdsNode), displayed_item(room, stanza_id),
                            minimal_options());
  } catch (const StanzaError& e) {
    published_.erase(key);
    spdlog::warn("{}: the read marker of {} was refused: {}", user.str(), room.str(), e.what());
  }
}

bool DisplayedSync::on_event(const std::shared_ptr<Session>& session, const Element& message) {
  const Element* event = message.child("event", kPubsubEventNs);
  const Element* items = event ? event->child("items", kPubsubEventNs) : nullptr;
  if (!items || items->attr_or("node") != kMdsNode) return false;
  for (const Element& item : items->children())
    if (item.is("item", kPubsubEventNs)) on_item(session, item);
  return true;
}

void DisplayedSync::on_item(const std::shared_ptr<Session>& session, const Element& item) {
  const Jid& user = session->user_jid();
  auto room_jid = Jid::parse(item.attr_or("id"));
  // Items of 1:1 chats (a contact's JID, or another service) carry the stanza-ids of the
  // user's server: nothing to do with them here.
  if (!room_jid || room_jid->domain() != component_.jid().domain() || room_jid->has_resource())
    return;
  Room* room = session->rooms().by_jid(*room_jid);
  const Element* displayed = item.child("displayed", kMdsNode);
  const Element* sid = displayed ? displayed->child("stanza-id", kStanzaIdNs) : nullptr;
  if (!room || !sid || sid->attr_or("by") != room->jid().str()) return;
  const std::string_view stanza_id = sid->attr_or("id");
  auto own = published_.find(key_of(user, room->jid()));
  if (own != published_.end() && own->second == stanza_id) {  // the gateway's own publish
    published_.erase(own);
    return;
  }
  auto legacy_id = room->legacy_id_of(stanza_id);
  if (!legacy_id) {
    spdlog::debug("{}: read marker of {} names an unknown message {}", user.str(),
                  room->jid().str(), stanza_id);
    return;
  }
  spdlog::debug("{}: read up to {} in {} on another device", user.str(), *legacy_id,
                room->jid().str());
  session->spawn(room_displayed(session, room->jid(), std::move(*legacy_id)));
}

void DisplayedSync::forget(const Jid& user) {
  const std::string prefix = user.bare_str() + '\n';
  for (auto it = published_.lower_bound(prefix);
       it != published_.end() && it->first.starts_with(prefix);)
    it = published_.erase(it);
}

}  // namespace legate
