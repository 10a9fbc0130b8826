// GatewayStatus: the gateway's presence to each user.
#include "gateway/gateway_status.hpp"

#include "component/caps.hpp"
#include "legacy/contact_stanzas.hpp"

namespace legate {

GatewayStatus::GatewayStatus(Component& component, std::string avatar_hash)
    : component_(component), avatar_hash_(std::move(avatar_hash)) {}

void GatewayStatus::set(const Jid& user, PresenceShow show, std::string_view text) {
  Shown& shown = shown_[user.bare_str()];
  shown.show = show;
  shown.text = std::string(text);
  send(user);
}

std::string_view GatewayStatus::text(const Jid& user) const {
  auto it = shown_.find(user.bare_str());
  return it == shown_.end() ? std::string_view() : std::string_view(it->second.text);
}

void GatewayStatus::add_notice(const Jid& user, std::string_view notice) {
  std::string& notices = notices_[user.bare_str()];
  if (notices.find(notice) != std::string::npos) return;
  if (!notices.empty()) notices += " · ";
  notices += notice;
  if (shown_.count(user.bare_str())) send(user);
}

void GatewayStatus::send(const Jid& user) {
  const Shown& shown = shown_[user.bare_str()];
  std::string text = shown.text;
  if (auto it = notices_.find(user.bare_str()); it != notices_.end()) {
    if (!text.empty()) text += " · ";
    text += it->second;
  }
  Element presence = make_presence(component_.jid().str(), user.bare_str(),
                                   shown.show == PresenceShow::offline ? "unavailable" : "");
  if (auto show = show_element(shown.show); !show.empty())
    presence.add_child("show", std::string(kComponentNs)).set_text(std::string(show));
  if (!text.empty()) presence.add_child("status", std::string(kComponentNs)).set_text(text);
  if (!avatar_hash_.empty()) {  // XEP-0153, like a contact's
    presence.add_child("x", std::string(kVcardUpdateNs))
        .add_child("photo", std::string(kVcardUpdateNs))
        .set_text(avatar_hash_);
  }
  // XEP-0115: the user's server learns the gateway's +notify interests from it (XEP-0490).
  if (shown.show != PresenceShow::offline)
    presence.add_child(caps_element(kCapsNode, component_.disco().caps_ver()));
  component_.send(presence);
}

}  // namespace legate
