// CapsCache: what the user's clients can do (XEP-0115), resolved by disco#info and cached by
// the `ver` they advertise. Keyed by user and ver, not by ver alone: an unverified ver from
// one user must not decide what another user's clients are sent.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "../component/component.hpp"
#include "../component/jid.hpp"

namespace legate {

using FeatureSet = std::set<std::string, std::less<>>;

class CapsCache {
 public:
  explicit CapsCache(Component& component) : component_(component) {}

  // Calls `then` with the features of `resource` (a user's full JID) advertising caps
  // (node, ver): at once when known, else once its disco#info (node#ver) is answered (one
  // query per user and ver; a failed query gives an empty set).
  void with_features(const Jid& resource, const std::string& node, const std::string& ver,
                     std::function<void(const FeatureSet&)> then);
  // A user left the gateway: their entries go.
  void forget(const Jid& user);

 private:
  struct Entry {
    bool resolved = false;
    FeatureSet features;
    std::vector<std::function<void(const FeatureSet&)>> waiting;
  };
  asio::awaitable<void> resolve(Jid resource, std::string node, std::string key);

  Component& component_;
  std::map<std::string, Entry, std::less<>> entries_;  // "user\0ver"
};

}  // namespace legate
