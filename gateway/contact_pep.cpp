// ContactPep: contacts' avatar and nick over PEP (see contact_pep.hpp).
#include "gateway/contact_pep.hpp"

#include <spdlog/spdlog.h>

#include "component/base64.hpp"
#include "gateway/session_registry.hpp"
#include "legacy/contact_stanzas.hpp"
#include "legacy/session.hpp"
#include "storage/avatar_store.hpp"

namespace legate {

namespace {

std::string notify(std::string_view node) {
  return std::string(node) + "+notify";
}

}  // namespace

ContactPep::ContactPep(Component& component, Database& database, SessionRegistry& sessions)
    : component_(component), database_(database), sessions_(sessions), caps_(component) {}

Element ContactPep::metadata_item(const Contact& contact) {
  Element item("item", std::string(kPubsubNs));
  Element& metadata = item.add_child("metadata", std::string(kAvatarMetadataNs));
  const auto info = contact.avatar_hash().empty()
                        ? std::nullopt
                        : AvatarStore(database_).info(contact.avatar_hash());
  if (!info) {  // XEP-0084 §4.5: an empty <metadata/> says "no avatar"
    item.set_attr("id", "current");
    return item;
  }
  item.set_attr("id", info->hash);
  metadata.add_child("info", std::string(kAvatarMetadataNs))
      .set_attr("id", info->hash)
      .set_attr("bytes", std::to_string(info->size))
      .set_attr("type", info->type)
      .set_attr("width", std::to_string(info->width))
      .set_attr("height", std::to_string(info->height));
  return item;
}

std::optional<Element> ContactPep::nick_item(const Contact& contact) {
  const std::string& nick = contact.nick().empty() ? contact.name() : contact.nick();
  if (nick.empty()) return std::nullopt;
  Element item("item", std::string(kPubsubNs));
  item.set_attr("id", "current");
  item.add_child("nick", std::string(kNickNs)).set_text(nick);
  return item;
}

Element ContactPep::items(Contact& contact, const Element& pubsub) {
  const Element* items = pubsub.child("items", kPubsubNs);
  if (!items || pubsub.children().size() != 1)
    throw StanzaError(ErrorCondition::feature_not_implemented, "only item retrieval is supported");
  const std::string node(items->attr_or("node"));
  const Element* wanted = items->child("item", kPubsubNs);
  const std::string wanted_id = wanted ? std::string(wanted->attr_or("id")) : std::string();
  std::optional<Element> item;
  if (node == kAvatarMetadataNs) {
    item = metadata_item(contact);
  } else if (node == kAvatarDataNs) {
    const auto avatar = contact.avatar_hash().empty()
                            ? std::nullopt
                            : AvatarStore(database_).get(contact.avatar_hash());
    if (avatar) {
      item.emplace("item", std::string(kPubsubNs));
      item->set_attr("id", avatar->info.hash);
      item->add_child("data", std::string(kAvatarDataNs)).set_text(base64_encode(avatar->bytes));
    }
  } else if (node == kNickNs) {
    item = nick_item(contact);
  } else {
    throw StanzaError(ErrorCondition::item_not_found, "no such node");
  }
  if (!item || (!wanted_id.empty() && item->attr_or("id") != wanted_id))
    throw StanzaError(ErrorCondition::item_not_found, "no such item");
  Element result("pubsub", std::string(kPubsubNs));
  Element& out = result.add_child("items", std::string(kPubsubNs));
  out.set_attr("node", node);
  out.add_child(std::move(*item));
  return result;
}

Element ContactPep::event(const Contact& contact, const Jid& to, std::string_view node,
                          Element item) {
  Element message = make_message(contact.jid().bare_str(), to.str(), "headline");
  Element& items = message.add_child("event", std::string(kPubsubEventNs))
                       .add_child("items", std::string(kPubsubEventNs));
  items.set_attr("node", node);
  item.set_ns(std::string(kPubsubEventNs));
  items.add_child(std::move(item));
  return message;
}

void ContactPep::push(Contact& contact, const Jid& resource, const FeatureSet& features,
                      std::optional<IdentityChange> only) {
  if (!contact.in_roster()) return;  // not their contact (yet): no events, like a real PEP
  if ((!only || *only == IdentityChange::avatar) && features.count(notify(kAvatarMetadataNs)))
    component_.send(event(contact, resource, kAvatarMetadataNs, metadata_item(contact)));
  if ((!only || *only == IdentityChange::nick) && features.count(notify(kNickNs)))
    if (auto item = nick_item(contact))
      component_.send(event(contact, resource, kNickNs, std::move(*item)));
}

void ContactPep::on_presence(Contact& contact, const Jid& resource, const Element& presence) {
  const std::string user = resource.bare_str();
  const std::string type(presence.attr_or("type"));
  if (type == "unavailable") {
    if (auto it = resources_.find(user); it != resources_.end()) {
      it->second.erase(std::string(resource.resource()));
      if (it->second.empty()) resources_.erase(it);
    }
    return;
  }
  const Element* c = presence.child("c", kCapsNs);
  if (!c || c->attr_or("ver").empty() || c->attr_or("node").empty()) return;
  Caps caps{std::string(c->attr_or("node")), std::string(c->attr_or("ver"))};
  resources_[user][std::string(resource.resource())] = caps;
  const Jid contact_jid = contact.jid();
  caps_.with_features(resource, caps.node, caps.ver,
                      [this, resource, contact_jid](const FeatureSet& features) {
                        auto session = sessions_.find(resource.bare());
                        Contact* now = session ? session->roster().by_jid(contact_jid) : nullptr;
                        if (now) push(*now, resource, features, std::nullopt);
                      });
}

void ContactPep::changed(Contact& contact, IdentityChange what) {
  const Jid user = contact.session().user_jid().bare();
  auto it = resources_.find(user.bare_str());
  if (it == resources_.end()) return;
  const Jid contact_jid = contact.jid();
  for (const auto& [resource_name, caps] : it->second) {
    auto resource = Jid::parse(user.bare_str() + "/" + resource_name);
    if (!resource) continue;
    caps_.with_features(*resource, caps.node, caps.ver,
                        [this, resource = *resource, contact_jid, what](const FeatureSet& f) {
                          auto session = sessions_.find(resource.bare());
                          Contact* now = session ? session->roster().by_jid(contact_jid) : nullptr;
                          if (now) push(*now, resource, f, what);
                        });
  }
}

void ContactPep::forget(const Jid& user) {
  resources_.erase(user.bare_str());
  caps_.forget(user);
}

}  // namespace legate
