// DisplayedSync: read state that follows the user across their devices (XEP-0490 MDS,
// GROUPS §5.2). At login the gateway makes sure the user's `urn:xmpp:mds:displayed:0` node
// exists (whitelist) with the gateway as a member, through privileged pubsub (XEP-0356); its
// presence caps list the node's +notify, so the user's server sends it every item their
// clients publish. An item for one of the user's rooms names the room's stanza-id of the last
// message read: the room's on_displayed() gets its legacy id. What the user read in the
// legacy network's own app is published back (Participant::displayed on the user's occupant).
// 1:1 items name stanza-ids of the user's own server, which the gateway never sees: 1:1 read
// state goes by XEP-0333 markers (Session::on_displayed, Contact::as_user().displayed()).
// Without the pubsub iq grant nothing is set up or published (logged once per server).
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "../component/component.hpp"
#include "../legacy/session.hpp"
#include "privilege_grants.hpp"
#include "user_pep.hpp"

namespace legate {

inline constexpr std::string_view kMdsNode = "urn:xmpp:mds:displayed:0";

class DisplayedSync {
 public:
  // Advertises the node's +notify in the component's disco (and so in its caps).
  DisplayedSync(Component& component, const PrivilegeGrants& grants, PrivilegedIq& iq);

  // After a login: the node exists, the gateway is a member.
  asio::awaitable<void> after_login(Jid user);
  // The user read up to the room's message `stanza_id` elsewhere: published to their node.
  void read_elsewhere(const Jid& user, const Jid& room, std::string stanza_id);
  // A message from the user's bare JID with a pubsub <event/>: displayed items for the
  // session's rooms reach their on_displayed(). True when it was an MDS event.
  bool on_event(const std::shared_ptr<Session>& session, const Element& message);
  // The user left the gateway: what was kept for them goes.
  void forget(const Jid& user);

 private:
  bool can_sync(const Jid& user);
  asio::awaitable<void> publish(Jid user, Jid room, std::string stanza_id);
  void on_item(const std::shared_ptr<Session>& session, const Element& item);

  Component& component_;
  const PrivilegeGrants& grants_;
  UserPep pep_;
  std::set<std::string, std::less<>> told_;  // servers whose lack of a grant was logged
  // What the gateway itself published last, by user and room: its own event comes back.
  std::map<std::string, std::string, std::less<>> published_;
};

// <item id='room@gw'><displayed xmlns='urn:xmpp:mds:displayed:0'><stanza-id by id/>…
Element displayed_item(const Jid& room, std::string_view stanza_id);

}  // namespace legate
