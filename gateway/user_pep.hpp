// UserPep: the user's own PEP service (XEP-0163) reached through privileged iqs (XEP-0356
// §6.3), for what the gateway keeps in the user's account: bookmarks (XEP-0402) and read
// markers (XEP-0490). Needs the server's iq grant for the pubsub namespace.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "privileged_iq.hpp"

namespace legate {

inline constexpr std::string_view kPubsubNs = "http://jabber.org/protocol/pubsub";
inline constexpr std::string_view kPubsubOwnerNs = "http://jabber.org/protocol/pubsub#owner";
inline constexpr std::string_view kNodeConfigForm = "http://jabber.org/protocol/pubsub#node_config";
inline constexpr std::string_view kPublishOptionsForm =
    "http://jabber.org/protocol/pubsub#publish-options";

class UserPep {
 public:
  // publish-options fields, e.g. {"pubsub#access_model", "whitelist"}.
  using Options = std::vector<std::pair<std::string, std::string>>;

  explicit UserPep(PrivilegedIq& iq) : iq_(iq) {}

  // The items of the user's `node` (none when the node does not exist).
  asio::awaitable<std::vector<Element>> items(Jid user, std::string node);
  // Publishes `item` (an <item/> in the pubsub namespace, with its id and payload).
  asio::awaitable<void> publish(Jid user, std::string node, Element item, Options options = {});
  // Retracts an item, notifying the user's other resources.
  asio::awaitable<void> retract(Jid user, std::string node, std::string item_id);
  // Creates `node` with this configuration; false when it already existed (left as it is).
  asio::awaitable<bool> create(Jid user, std::string node, Options config);
  // Sets `jid`'s affiliation to the node (XEP-0060 §8.9.2), e.g. "member" on a whitelist.
  asio::awaitable<void> affiliate(Jid user, std::string node, std::string jid,
                                  std::string affiliation);

 private:
  PrivilegedIq& iq_;
};

// The iqs UserPep sends, before wrapping.
Element pep_items_query(std::string_view node);
Element pep_publish(std::string_view node, Element item, const UserPep::Options& options);
Element pep_retract(std::string_view node, std::string_view item_id);
Element pep_create(std::string_view node, const UserPep::Options& config);
Element pep_affiliation(std::string_view node, std::string_view jid, std::string_view affiliation);

}  // namespace legate
