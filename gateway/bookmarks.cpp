// Bookmarks: XEP-0402 items through privileged PEP, or XEP-0249 invitations.
#include "gateway/bookmarks.hpp"

#include <spdlog/spdlog.h>

#include "component/stanza.hpp"
#include "component/task_group.hpp"
#include "legacy/room_stanzas.hpp"

namespace legate {

Element bookmark_item(const Room& room, std::string_view nick) {
  Element item("item", std::string(kPubsubNs));
  item.set_attr("id", room.jid().str());
  Element& conference = item.add_child("conference", std::string(kBookmarksNode));
  conference.set_attr("autojoin", "true");  // never a name: the room's own shows, renames too
  conference.add_child("nick", std::string(kBookmarksNode)).set_text(std::string(nick));
  return item;
}

bool Bookmarks::can_publish(const Jid& user) const {
  const Privileges* granted = grants_.of(user);
  return granted && granted->can_iq(IqType::set, kPubsubNs) &&
         granted->can_iq(IqType::get, kPubsubNs);
}

void Bookmarks::invite(const Jid& user, Room& room) {
  Element message = make_message(component_.jid().str(), user.bare_str(), "normal");
  Element& x = message.add_child("x", std::string(kConferenceNs));
  x.set_attr("jid", room.jid().str());
  x.set_attr("reason", room.name().empty() ? "Your group" : "Your group " + room.name());
  component_.send(message);
}

asio::awaitable<void> Bookmarks::after_login(std::shared_ptr<Session> session,
                                             std::vector<Room*> fresh) {
  const Jid user = session->user_jid();
  const std::string domain(user.domain());
  if (!can_publish(user)) {
    if (told_.insert(domain).second)
      spdlog::info(
          "bookmarks: {} grants no pubsub iq (XEP-0356): new groups are announced "
          "by invitations",
          domain);
    for (Room* room : fresh) invite(user, *room);
    co_return;
  }
  if (told_.insert(domain).second)
    spdlog::info("bookmarks: groups are bookmarked in the PEP of users of {}", domain);
  std::set<std::string, std::less<>> have;
  try {
    for (const Element& item : co_await pep_.items(user.bare(), std::string(kBookmarksNode)))
      have.emplace(item.attr_or("id"));
  } catch (const StanzaError& e) {
    spdlog::warn("{}: bookmarks could not be read: {}", user.str(), e.what());
    co_return;
  }
  for (Room* room : session->rooms().all()) {
    if (have.contains(room->jid().str())) continue;  // the user's own settings stay
    co_await publish(user.bare(), bookmark_item(*room, room->user_nick()), room->jid().str());
  }
}

asio::awaitable<void> Bookmarks::publish(Jid user, Element item, std::string room) {
  const std::string who = user.str();
  const UserPep::Options options = {{"pubsub#persist_items", "true"},
                                    {"pubsub#max_items", "max"},
                                    {"pubsub#send_last_published_item", "never"},
                                    {"pubsub#access_model", "whitelist"}};
  try {
    co_await pep_.publish(std::move(user), std::string(kBookmarksNode), std::move(item), options);
  } catch (const StanzaError& e) {
    spdlog::warn("{}: the bookmark of {} was refused: {}", who, room, e.what());
  }
}

asio::awaitable<void> Bookmarks::opened(std::shared_ptr<Session> session, Jid room_jid) {
  const Jid user = session->user_jid().bare();
  Room* room = session->rooms().by_jid(room_jid);
  if (!room || !can_publish(user)) co_return;
  co_await publish(user, bookmark_item(*room, room->user_nick()), room_jid.str());
}

asio::awaitable<void> Bookmarks::removed(Jid user, Jid room) {
  if (!can_publish(user)) co_return;
  try {
    co_await pep_.retract(user.bare(), std::string(kBookmarksNode), room.str());
  } catch (const StanzaError& e) {
    spdlog::debug("{}: the bookmark of {} was not retracted: {}", user.str(), room.str(), e.what());
  }
}

}  // namespace legate
