// Entity capabilities (XEP-0115) verification strings.
#include "component/caps.hpp"

#include <algorithm>
#include <tuple>

#include "component/base64.hpp"
#include "component/digest.hpp"

namespace legate {

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

Element caps_element(std::string_view node, std::string_view ver) {
  Element c("c", std::string(kCapsNs));
  c.set_attr("hash", "sha-1").set_attr("node", node).set_attr("ver", ver);
  return c;
}

}  // namespace legate
