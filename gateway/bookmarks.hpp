// Bookmarks: the user's groups appear in their clients by themselves (GROUPS §3). After each
// login every room of the session gets a XEP-0402 bookmark in the user's PEP, published
// through a privileged iq (XEP-0356) with autojoin and the nick, never a name (so renames
// show); a bookmark the user already has is left as they set it, a missing one (a XEP-0048
// client rewrote the list) is published again. Without the iq grant, each new room is
// announced by a XEP-0249 invitation from the gateway instead (the mode logged once per
// server). Leaving a group retracts its bookmark.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "../component/component.hpp"
#include "../legacy/session.hpp"
#include "privilege_grants.hpp"
#include "user_pep.hpp"

namespace legate {

inline constexpr std::string_view kBookmarksNode = "urn:xmpp:bookmarks:1";

class Bookmarks {
 public:
  Bookmarks(Component& component, const PrivilegeGrants& grants, PrivilegedIq& iq)
      : component_(component), grants_(grants), pep_(iq) {}

  // After fill(): `fresh` are the rooms this login created (the ones to invite to without
  // the grant).
  asio::awaitable<void> after_login(std::shared_ptr<Session> session, std::vector<Room*> fresh);
  // A room opened by a join from the user's client (Rooms::legacy_id_of): its bookmark, so
  // that the user's other clients have it too (nothing without the grant: they joined).
  asio::awaitable<void> opened(std::shared_ptr<Session> session, Jid room);
  // The user left `room` for good.
  asio::awaitable<void> removed(Jid user, Jid room);

 private:
  bool can_publish(const Jid& user) const;
  // Publishes the bookmark of `room` (logged, not thrown, when refused).
  asio::awaitable<void> publish(Jid user, Element item, std::string room);
  void invite(const Jid& user, Room& room);

  Component& component_;
  const PrivilegeGrants& grants_;
  UserPep pep_;
  std::set<std::string, std::less<>> told_;  // servers whose mode was logged
};

// <item id='room@gw'><conference xmlns='urn:xmpp:bookmarks:1' autojoin='true'><nick/>…
Element bookmark_item(const Room& room, std::string_view nick);

}  // namespace legate
