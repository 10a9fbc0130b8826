// ContactPep: the gateway as every contact's PEP service (XEP-0163) for its avatar
// (XEP-0084) and nick (XEP-0172): answers item requests to `contact@gw`, and sends `+notify`
// events to the user's clients whose caps ask for them, when a client comes online and when
// the avatar or nick changes. Only contacts in the user's roster push (like a real PEP).
#pragma once

#include <map>
#include <string>

#include "../component/component.hpp"
#include "../component/element.hpp"
#include "../legacy/contact.hpp"
#include "../legacy/session_host.hpp"
#include "caps_cache.hpp"
#include "user_pep.hpp"  // kPubsubNs

namespace legate {

class Database;
class SessionRegistry;

inline constexpr std::string_view kPubsubEventNs = "http://jabber.org/protocol/pubsub#event";
inline constexpr std::string_view kAvatarMetadataNs = "urn:xmpp:avatar:metadata";
inline constexpr std::string_view kAvatarDataNs = "urn:xmpp:avatar:data";

class ContactPep {
 public:
  ContactPep(Component& component, Database& database, SessionRegistry& sessions);

  // The result payload for a pubsub iq get to `contact` (`<items node=…/>`, optionally
  // naming an item). Throws StanzaError (item-not-found, feature-not-implemented, …).
  Element items(Contact& contact, const Element& pubsub);
  // A presence of one of the user's resources to `contact`: available with caps → events
  // for the nodes its client wants; unavailable → forgotten.
  void on_presence(Contact& contact, const Jid& resource, const Element& presence);
  // The contact's avatar or nick changed: events to the user's clients that want them.
  void changed(Contact& contact, IdentityChange what);
  // The user left or logged out: nothing of theirs stays.
  void forget(const Jid& user);

 private:
  struct Caps {
    std::string node, ver;
  };
  void push(Contact& contact, const Jid& resource, const FeatureSet& features,
            std::optional<IdentityChange> only);
  Element event(const Contact& contact, const Jid& to, std::string_view node, Element item);
  Element metadata_item(const Contact& contact);
  std::optional<Element> nick_item(const Contact& contact);

  Component& component_;
  Database& database_;
  SessionRegistry& sessions_;
  CapsCache caps_;
  // The user's resources that sent caps to the gateway's contacts, by bare user JID.
  std::map<std::string, std::map<std::string, Caps>, std::less<>> resources_;
};

}  // namespace legate
