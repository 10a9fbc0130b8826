// Identity of a contact: its disco#info features and XEP-0115 caps ver.
#include <algorithm>

#include "legacy/contact_stanzas.hpp"

namespace legate {

namespace {

Element feature(std::string_view var) {
  Element e("feature", std::string(kDiscoInfoNs));
  e.set_attr("var", var);
  return e;
}

Identity contact_identity(std::string_view name) {
  return {"client", "pc", std::string(name)};
}

}  // namespace

std::vector<std::string> contact_features(const Features& f) {
  // Receipts are always offered: without real ones the gateway acknowledges itself.
  std::vector<std::string> features = {std::string(kDiscoInfoNs), std::string(kCapsNs),
                                       std::string(kVcardNs), std::string(kReceiptsNs)};
  if (f.chat_states) features.emplace_back(kChatStatesNs);
  if (f.corrections) features.emplace_back(kCorrectNs);
  if (f.retractions) features.emplace_back(kRetractNs);
  if (f.reactions) features.emplace_back(kReactionsNs);
  if (f.markers) features.emplace_back(kMarkersNs);
  if (f.replies) features.emplace_back(kReplyNs);
  if (f.files) {
    features.emplace_back("jabber:x:oob");
    features.emplace_back("http://jabber.org/protocol/ibb");
  }
  std::sort(features.begin(), features.end());
  return features;
}

Element contact_disco_info(const Features& f, std::string_view name) {
  Element query("query", std::string(kDiscoInfoNs));
  const Identity identity = contact_identity(name);
  Element& e = query.add_child("identity", std::string(kDiscoInfoNs));
  e.set_attr("category", identity.category);
  e.set_attr("type", identity.type);
  if (!identity.name.empty()) e.set_attr("name", identity.name);
  for (const auto& var : contact_features(f)) query.add_child(feature(var));
  return query;
}

std::string contact_caps_ver(const Features& f, std::string_view name) {
  return caps_ver({contact_identity(name)}, contact_features(f));
}

}  // namespace legate
