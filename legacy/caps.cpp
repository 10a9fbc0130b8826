// Identity of a contact: XEP-0115 caps verification string and disco#info features.
#include <algorithm>
#include <tuple>

#include "component/base64.hpp"
#include "component/digest.hpp"
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

std::string caps_ver(const std::vector<Identity>& identities,
                     const std::vector<std::string>& features) {
  // §5.1: identities sorted by category, type (then xml:lang, which ours lack; the name
  // breaks remaining ties so the string is deterministic), each "category/type/lang/name<";
  // then the features sorted, each followed by '<'.
  std::vector<const Identity*> sorted_identities;
  for (const auto& identity : identities) sorted_identities.push_back(&identity);
  std::sort(
      sorted_identities.begin(), sorted_identities.end(), [](const Identity* a, const Identity* b) {
        return std::tie(a->category, a->type, a->name) < std::tie(b->category, b->type, b->name);
      });
  std::vector<std::string_view> sorted_features(features.begin(), features.end());
  std::sort(sorted_features.begin(), sorted_features.end());
  // A duplicate would make the receiver reject the ver (§5.4): count each feature once.
  sorted_features.erase(std::unique(sorted_features.begin(), sorted_features.end()),
                        sorted_features.end());

  std::string s;
  for (const Identity* identity : sorted_identities) {
    s += identity->category;
    s += '/';
    s += identity->type;
    s += "//";  // empty xml:lang
    s += identity->name;
    s += '<';
  }
  for (std::string_view f : sorted_features) {
    s += f;
    s += '<';
  }
  return base64_encode(sha1(s));
}

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
