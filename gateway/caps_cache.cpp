// CapsCache: disco#info by caps ver, per user.
#include "gateway/caps_cache.hpp"

#include <spdlog/spdlog.h>

#include "component/disco.hpp"
#include "component/stanza.hpp"

namespace legate {

namespace {

// More vers than any user's clients have: a client inventing vers cannot grow the map.
constexpr std::size_t kMaxEntriesPerUser = 16;

}  // namespace

void CapsCache::with_features(const Jid& resource, const std::string& node, const std::string& ver,
                              std::function<void(const FeatureSet&)> then) {
  const std::string user = resource.bare_str();
  std::string key = user + '\0' + ver;
  if (auto it = entries_.find(key); it != entries_.end()) {
    if (it->second.resolved)
      then(it->second.features);
    else
      it->second.waiting.push_back(std::move(then));
    return;
  }
  // The user's entries are contiguous ("user\0…"): count them, drop them all when too many.
  const std::string prefix = user + '\0';
  auto first = entries_.lower_bound(prefix);
  auto last = first;
  std::size_t count = 0;
  while (last != entries_.end() && last->first.starts_with(prefix)) ++last, ++count;
  if (count >= kMaxEntriesPerUser) {
    spdlog::info("{}: more than {} client capabilities seen, cache cleared", user,
                 kMaxEntriesPerUser);
    entries_.erase(first, last);
  }
  Entry& entry = entries_[key];
  entry.waiting.push_back(std::move(then));
  component_.router().tasks().spawn(resolve(resource, node, std::move(key)), "caps");
}

asio::awaitable<void> CapsCache::resolve(Jid resource, std::string node, std::string key) {
  FeatureSet features;
  Element iq =
      make_iq(IqType::get, component_.jid().str(), resource.str(), component_.router().next_id());
  const std::string ver = key.substr(key.find('\0') + 1);
  iq.add_child("query", std::string(kDiscoInfoNs)).set_attr("node", node + "#" + ver);
  try {
    const Element reply = co_await component_.request(std::move(iq), std::chrono::seconds(10));
    if (const Element* query = reply.child("query", kDiscoInfoNs))
      for (const Element& feature : query->children())
        if (feature.is("feature", kDiscoInfoNs)) features.emplace(feature.attr_or("var"));
  } catch (const StanzaError& e) {
    spdlog::debug("caps of {}: {}", resource.str(), e.what());
  }
  auto it = entries_.find(key);
  if (it == entries_.end()) co_return;  // forgotten meanwhile
  it->second.resolved = true;
  it->second.features = std::move(features);
  auto waiting = std::move(it->second.waiting);
  const FeatureSet resolved = it->second.features;  // a callback may change the map
  for (auto& then : waiting) then(resolved);
}

void CapsCache::forget(const Jid& user) {
  const std::string prefix = user.bare_str() + '\0';
  auto first = entries_.lower_bound(prefix);
  auto last = first;
  while (last != entries_.end() && last->first.starts_with(prefix)) ++last;
  entries_.erase(first, last);
}

}  // namespace legate
