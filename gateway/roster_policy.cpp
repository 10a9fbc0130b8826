// RosterPolicy: roster pushes vs subscriptions.
#include "gateway/roster_policy.hpp"

#include <spdlog/spdlog.h>

#include "legacy/contact_stanzas.hpp"
#include "legacy/session.hpp"

namespace legate {

RosterPolicy::RosterPolicy(Component& component, const PrivilegeGrants& grants, std::string group)
    : component_(component), group_(std::move(group)), grants_(grants) {}

RosterMode RosterPolicy::mode(const Jid& user) const {
  const Privileges* granted = grants_.of(user);
  if (!granted || !granted->can_set_roster() || push_failed_.count(user.bare_str()))
    return RosterMode::subscribe;
  return RosterMode::privileged;
}

void RosterPolicy::add(Contact& contact) {
  const Jid user = contact.session().user_jid();
  const RosterMode roster_mode = mode(user);
  if (!logged_mode_) {
    logged_mode_ = true;
    spdlog::info("contacts join rosters by {}", roster_mode == RosterMode::privileged
                                                    ? "privileged roster push (XEP-0356)"
                                                    : "subscription requests");
  }
  if (roster_mode == RosterMode::privileged) {
    Element stanza = roster_push(component_.jid().str(), user.str(), contact.jid().str(),
                                 contact.name(), group_, component_.router().next_id());
    contact.mark_in_roster(true);
    contact.session().spawn(push(contact.session(), std::move(stanza), contact.jid().str()));
    contact.send_presence_to(user);
  } else {
    component_.send(subscription_request(contact.jid().str(), user.str(),
                                         contact.nick().empty() ? contact.name() : contact.nick()));
  }
}

// The push is sent at once; its reply is checked afterwards, so that adding many contacts
// does not wait on the server.
asio::awaitable<void> RosterPolicy::push(Session& session, Element stanza, std::string contact) {
  try {
    co_await component_.request(std::move(stanza), std::chrono::seconds(30));
  } catch (const StanzaError& e) {
    // No reply (the stream dropped, or the server is slow) says nothing of the grant.
    if (e.condition() == ErrorCondition::remote_server_timeout)
      spdlog::debug("{}: no reply to the roster push of {}: {}", session.user_jid().str(), contact,
                    e.what());
    else
      fall_back(session, Jid::parse(contact).value(), e);
  }
}

void RosterPolicy::fall_back(Session& session, const Jid& contact_jid, const StanzaError& why) {
  const Jid user = session.user_jid().bare();
  if (push_failed_.insert(user.bare_str()).second)
    spdlog::warn(
        "{}: the server refused a roster push (XEP-0356): {}; this user's contacts "
        "now join the roster by subscription requests",
        user.str(), why.what());
  Contact* contact = session.roster().by_jid(contact_jid);
  if (!contact) return;  // gone meanwhile
  contact->mark_in_roster(false);
  component_.send(
      subscription_request(contact->jid().str(), user.str(),
                           contact->nick().empty() ? contact->name() : contact->nick()));
}

asio::awaitable<void> RosterPolicy::reconcile(Session& session) {
  const Jid user = session.user_jid().bare();
  const Privileges* granted = grants_.of(user);
  if (!granted || !granted->can_get_roster()) co_return;
  std::set<std::string, std::less<>> listed;  // the gateway's JIDs in the user's roster
  try {
    Element reply = co_await component_.request(
        roster_get(component_.jid().str(), user.str(), component_.router().next_id()),
        std::chrono::seconds(10));
    if (const Element* query = reply.child("query", kRosterNs)) {
      for (const auto& item : query->children()) {
        auto jid = item.is("item", kRosterNs) ? Jid::parse(item.attr_or("jid")) : std::nullopt;
        if (jid && jid->domain() == component_.jid().domain() && jid->has_local())
          listed.insert(jid->bare_str());
      }
    }
  } catch (const StanzaError& e) {
    spdlog::warn("{}: could not read the roster (XEP-0356): {}", user.str(), e.what());
    co_return;
  }
  std::size_t removed = 0;
  for (Contact* contact : session.roster().all()) {
    if (listed.count(contact->jid().bare_str())) {
      contact->mark_in_roster(true);
      contact->mark_removed_by_user(false);
    } else if (contact->in_roster()) {
      contact->mark_in_roster(false);
      contact->mark_removed_by_user(true);
      ++removed;
    }
  }
  spdlog::info("{}: roster read: {} of the gateway's contacts in it, {} removed by the user",
               user.str(), listed.size(), removed);
}

// The seed's handshake: approve, and ask back when we are not in their roster yet.
void RosterPolicy::approve_subscription(const Jid& user, Contact& contact) {
  component_.send(make_presence(contact.jid().str(), user.str(), "subscribed"));
  if (!contact.in_roster())
    component_.send(make_presence(contact.jid().str(), user.str(), "subscribe"));
  contact.mark_in_roster(true);
  contact.send_presence_to(user);
}

}  // namespace legate
