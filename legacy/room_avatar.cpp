// Room avatars (XEP-0486): the picture stored once by hash, the room JID's vCard, the
// roominfo hash (room_stanzas.cpp) and the room's presence announcing a new one.
#include "component/component.hpp"
#include "legacy/contact_stanzas.hpp"
#include "legacy/room.hpp"
#include "legacy/session.hpp"
#include "legacy/stored_avatar.hpp"
#include "storage/avatar_store.hpp"

namespace legate {

void Room::set_avatar(std::string bytes, std::string type) {
  const std::string owner = session_.user_jid().str() + ": " + jid_.str();
  if (!replace_avatar(session_.host().database(), record_.avatar_hash, std::move(bytes), type,
                      owner, [this] { save(); }))
    return;
  for (const auto& resource : resources_) send_avatar_presence(full_jid(resource));
}

void Room::send_avatar_presence(std::string_view to) {
  Element presence = make_presence(jid_.str(), to, "");
  presence.add_child("x", std::string(kVcardUpdateNs))
      .add_child("photo", std::string(kVcardUpdateNs))
      .set_text(record_.avatar_hash);
  session_.host().component().send(std::move(presence));
}

Element Room::vcard() {
  const auto avatar = record_.avatar_hash.empty()
                          ? std::nullopt
                          : AvatarStore(session_.host().database()).get(record_.avatar_hash);
  return legate::vcard(record_.name, avatar ? std::string_view(avatar->bytes) : std::string_view(),
                       avatar ? std::string_view(avatar->info.type) : std::string_view());
}

}  // namespace legate
