// Room::send_notice: a line from the group itself (XEP-0045 §7.2.x service messages: a
// groupchat message from the room's bare JID), for events that are no participant's message.
#include <atomic>
#include <chrono>
#include <cstdint>

#include "component/stanza.hpp"
#include "legacy/room.hpp"

namespace legate {

void Room::send_notice(std::string_view text) {
  if (resources_.empty() || text.empty()) return;
  static std::atomic<std::uint64_t> counter{0};
  const auto now = std::chrono::system_clock::now().time_since_epoch().count();
  Element message("message", std::string(kComponentNs));
  message.set_attr("from", jid_.str());
  message.set_attr("type", "groupchat");
  message.set_attr("id", "notice-" + std::to_string(now) + "-" + std::to_string(++counter));
  message.add_child("body", std::string(kComponentNs)).set_text(std::string(text));
  broadcast(std::move(message));
}

}  // namespace legate
