// UserActions: what the user did on the legacy network outside XMPP (e.g. in its official
// app on their phone), reported by the bridge so that every XMPP client of the user shows it
// as sent by them: `contact.as_user().send_text("hi", {.legacy_id = id})`. Each action goes
// out as a XEP-0356 privileged message from the user's bare JID to the contact, which the
// user's server archives and copies to all their resources. Legacy ids are mapped like the
// user's own messages, so later corrections, replies and reactions find them; a legacy id
// already sent from XMPP is not copied again.
//
// Where the user's server does not grant the gateway message permission, nothing is sent
// (the admin is told once); with `[gateway] carbons_fallback = prefix` texts, files,
// corrections, retractions and reactions appear as the contact's messages prefixed with
// "You (elsewhere): ".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "../component/asio.hpp"
#include "../component/element.hpp"
#include "file.hpp"
#include "types.hpp"

namespace legate {

class Contact;

inline constexpr std::string_view kElsewherePrefix = "You (elsewhere): ";

class UserActions {
 public:
  explicit UserActions(Contact& contact) : contact_(contact) {}

  // The user sent a text to the contact. Returns its XMPP id ("" when it was not shown).
  std::string send_text(std::string_view body, SendOptions options = {});
  // The user sent a file (uploaded, then shared as a link, caption after it). Returns the
  // XMPP id of the link's message. Throws StanzaError when the file cannot be uploaded.
  asio::awaitable<std::string> send_file(OutgoingFile file);
  // The user corrected / retracted one of their messages.
  void correct(const LegacyId& legacy_id, std::string_view new_body);
  void retract(const LegacyId& legacy_id);
  // The user's reactions to a message (theirs or the contact's); empty removes them.
  void react(const LegacyId& legacy_id, std::vector<std::string> emojis);
  // The user read the contact's message (a XEP-0333 marker their clients sync on).
  void displayed(const LegacyId& legacy_id);

 private:
  // Injects `message` (built with an id from the host); false when it was not sent, after
  // showing `fallback` (if any) as a prefixed message from the contact where configured.
  bool send(Element message, std::string_view fallback);
  std::string new_id();

  Contact& contact_;
};

}  // namespace legate
