// Disco registry and its cached reply payloads.
#include "component/disco.hpp"

#include <algorithm>

#include "component/caps.hpp"

namespace legate {

Disco::Disco() {
  add_feature(kDiscoInfoNs);
  add_feature(kDiscoItemsNs);
}

void Disco::add_identity(Identity identity) {
  if (std::find(identities_.begin(), identities_.end(), identity) == identities_.end())
    identities_.push_back(std::move(identity));
  rebuild();
}

void Disco::add_feature(std::string_view feature) {
  auto it = std::lower_bound(features_.begin(), features_.end(), feature);
  if (it == features_.end() || *it != feature) features_.insert(it, std::string(feature));
  rebuild();
}

void Disco::add_item(DiscoItem item) {
  items_list_.push_back(std::move(item));
  rebuild();
}

bool Disco::has_feature(std::string_view feature) const {
  return std::binary_search(features_.begin(), features_.end(), feature);
}

void Disco::rebuild() {
  info_ = Element("query", std::string(kDiscoInfoNs));
  for (const auto& id : identities_) {
    Element& e = info_.add_child("identity", std::string(kDiscoInfoNs));
    e.set_attr("category", id.category).set_attr("type", id.type);
    if (!id.name.empty()) e.set_attr("name", id.name);
  }
  for (const auto& f : features_) {
    info_.add_child("feature", std::string(kDiscoInfoNs)).set_attr("var", f);
  }
  caps_ver_ = legate::caps_ver(identities_, features_);
  items_ = Element("query", std::string(kDiscoItemsNs));
  for (const auto& item : items_list_) {
    Element& e = items_.add_child("item", std::string(kDiscoItemsNs));
    e.set_attr("jid", item.jid);
    if (!item.name.empty()) e.set_attr("name", item.name);
    if (!item.node.empty()) e.set_attr("node", item.node);
  }
}

}  // namespace legate
