// Room: the default hooks (what a bridge did not implement is refused with a clear error,
// or ignored where the legacy network may simply have no such thing), and the user's
// resources leaving all at once: the gateway stopping, a leave or a destruction accepted.
#include <spdlog/spdlog.h>

#include "component/component.hpp"
#include "component/stanza_error.hpp"
#include "legacy/room.hpp"
#include "legacy/room_stanzas.hpp"
#include "legacy/session.hpp"

namespace legate {
namespace {

[[noreturn]] void not_implemented(std::string_view what) {
  throw StanzaError(ErrorCondition::feature_not_implemented,
                    std::string(what) + " in this group are not supported by this gateway");
}

}  // namespace

asio::awaitable<LegacyId> Room::on_text(const Text&) {
  throw StanzaError(ErrorCondition::feature_not_implemented,
                    "messages to this group are not supported by this gateway");
}

asio::awaitable<void> Room::on_correct(const LegacyId&, const Text&) {
  not_implemented("corrections");
}

asio::awaitable<void> Room::on_retract(const LegacyId&) {
  not_implemented("retractions");
}

asio::awaitable<void> Room::on_react(const LegacyId&, std::vector<std::string>) {
  not_implemented("reactions");
}

asio::awaitable<void> Room::on_set_subject(std::string) {
  throw StanzaError(ErrorCondition::forbidden, "the subject cannot be changed from here");
}

asio::awaitable<OccupantVersion> Room::on_occupant_version(Participant&) {
  throw StanzaError(ErrorCondition::service_unavailable, "this network does not tell");
  co_return OccupantVersion{};
}

asio::awaitable<std::string> Room::on_nick_change(std::string) {
  throw StanzaError(ErrorCondition::not_acceptable, "nick changes are not supported in this group");
  co_return std::string();
}

asio::awaitable<void> Room::on_displayed(const LegacyId&) {
  co_return;
}

asio::awaitable<void> Room::on_chat_state(ChatState) {
  co_return;
}

asio::awaitable<void> Room::on_invite(Contact&, std::string) {
  not_implemented("invitations");
}

asio::awaitable<void> Room::on_kick(Participant&, std::string) {
  not_implemented("kicks");
}

asio::awaitable<void> Room::on_set_affiliation(Contact&, Affiliation, std::string) {
  not_implemented("affiliation changes");
}

asio::awaitable<void> Room::on_leave() {
  throw StanzaError(ErrorCondition::feature_not_implemented,
                    "leaving this group from XMPP is not supported by this gateway");
}

asio::awaitable<void> Room::on_destroy(std::string) {
  throw StanzaError(ErrorCondition::forbidden, "this group cannot be destroyed from here");
}

void Room::shutdown() {
  Component& component = session_.host().component();
  Participant& me = user();
  for (const auto& resource : resources_) {
    Element self = presence_of(me, full_jid(resource), "unavailable");
    add_status(self, MucStatus::self);
    add_status(self, MucStatus::shutdown);
    component.send(self);
  }
  resources_.clear();  // a clean stop: clients rejoin (332); after a crash they stay stored
  RoomStore(session_.host().database()).clear_resources(record_.id);
}

void Room::user_gone(bool destroyed, std::string_view reason) {
  Component& component = session_.host().component();
  Participant& me = user();
  for (const auto& resource : resources_) {
    OccupantPresence gone{.from = occupant_jid(me.nick()),
                          .to = full_jid(resource),
                          .type = "unavailable",
                          .affiliation = Affiliation::none,
                          .role = Role::none,
                          .occupant_id = me.occupant_id(),
                          .codes = {MucStatus::self}};
    Element presence = occupant_presence(gone);
    if (destroyed) {
      Element& destroy =
          presence.child("x", kMucUserNs)->add_child("destroy", std::string(kMucUserNs));
      if (!reason.empty())
        destroy.add_child("reason", std::string(kMucUserNs)).set_text(std::string(reason));
    }
    component.send(presence);
  }
  spdlog::info("{}: {} {}", session_.user_jid().str(), destroyed ? "destroyed" : "left",
               jid_.str());
  resources_.clear();
  RoomStore(session_.host().database()).clear_resources(record_.id);
}

}  // namespace legate
