// The XEP-0054 vCard a contact (or the gateway) answers with, its photo being the avatar
// whose SHA-1 XEP-0153 presences announce.
#include "component/base64.hpp"
#include "legacy/contact_stanzas.hpp"

namespace legate {

Element vcard(std::string_view nick_or_name, std::string_view avatar_bytes,
              std::string_view avatar_type) {
  const std::string ns(kVcardNs);
  Element card("vCard", ns);
  auto add_text = [&ns](Element& parent, std::string name, std::string_view text) {
    parent.add_child(std::move(name), ns).set_text(std::string(text));
  };
  if (!nick_or_name.empty()) {
    // NICKNAME is what most clients display; FN is the one vCard-temp says is required.
    add_text(card, "NICKNAME", nick_or_name);
    add_text(card, "FN", nick_or_name);
  }
  if (!avatar_bytes.empty()) {
    Element& photo = card.add_child("PHOTO", ns);
    add_text(photo, "TYPE", avatar_type);
    add_text(photo, "BINVAL", base64_encode(avatar_bytes));
  }
  return card;
}

}  // namespace legate
