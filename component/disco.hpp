// Disco: the identities, features and items the component JID announces (XEP-0030),
// filled by each layer that adds a service; answers disco#info and disco#items.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "element.hpp"

namespace legate {

inline constexpr std::string_view kDiscoInfoNs = "http://jabber.org/protocol/disco#info";
inline constexpr std::string_view kDiscoItemsNs = "http://jabber.org/protocol/disco#items";

struct Identity {
  std::string category;
  std::string type;
  std::string name;
  friend bool operator==(const Identity&, const Identity&) = default;
};

struct DiscoItem {
  std::string jid;
  std::string name;
  std::string node;
};

class Disco {
 public:
  Disco();
  void add_identity(Identity identity);
  void add_feature(std::string_view feature);
  void add_item(DiscoItem item);
  const std::vector<Identity>& identities() const { return identities_; }
  const std::vector<std::string>& features() const { return features_; }
  bool has_feature(std::string_view feature) const;

  // The <query/> payloads of the replies (kept built: asked far more often than changed).
  const Element& info() const { return info_; }
  const Element& items() const { return items_; }
  // The XEP-0115 ver of info(), for the component's own presences.
  const std::string& caps_ver() const { return caps_ver_; }

 private:
  void rebuild();
  std::vector<Identity> identities_;
  std::vector<std::string> features_;  // kept sorted and unique
  std::vector<DiscoItem> items_list_;
  Element info_;
  Element items_;
  std::string caps_ver_;
};

}  // namespace legate
