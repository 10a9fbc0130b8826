// Plain data of the bridge-author API: legacy ids, presence states, what a user sent.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace legate {

// Legacy ids (contacts, messages) are opaque strings chosen by the bridge.
using LegacyId = std::string;

enum class PresenceShow { online, away, busy, extended_away, offline };

struct ContactPresence {
  PresenceShow show = PresenceShow::offline;
  std::string status;
  std::optional<std::chrono::system_clock::time_point> last_seen;  // XEP-0319
};

// The user's own presence, merged over their resources (the most available one wins).
struct UserPresence {
  PresenceShow show = PresenceShow::offline;
  std::string status;
};

enum class ChatState { active, composing, paused, inactive, gone };

// A message the user quotes (XEP-0461).
struct ReplyTo {
  LegacyId id;             // the legacy id of the quoted message ("" if unknown)
  std::string xmpp_id;     // its id on the XMPP side
  bool to_contact = true;  // quoting the contact's message (else the user's own)
};

// A text message from the user to a contact.
struct Text {
  std::string body;
  std::string xmpp_id;  // the id the user's client gave it
  std::optional<ReplyTo> reply_to;
};

// How a contact's message is sent (Contact::send_text), by designated initialisers.
struct SendOptions {
  // The message's id on the legacy network: later corrections, retractions, reactions,
  // markers and replies name it.
  // (Every member has an initialiser, so that g++ -Wextra accepts designated initialisers
  // that leave some out.)
  LegacyId legacy_id{};
  // The bridge made legacy_id just now, unique (e.g. a counter for a network without ids):
  // a group message (text or reaction) then skips the check that it was not relayed
  // already (a storage read).
  bool fresh_id = false;
  // The legacy id of the message it answers (XEP-0461), the user's or the contact's.
  std::optional<LegacyId> reply_to{};
  // When it was sent, for a message from the past (XEP-0203 delay); nullopt: now.
  std::optional<std::chrono::system_clock::time_point> when{};
};

// Rows found by a search (XEP-0055, the `find` command); each row has a "jid" value.
struct SearchResult {
  std::vector<std::pair<std::string, std::string>> columns;  // var, label ("jid" included)
  std::vector<std::vector<std::string>> rows;                // values in column order
};

// Which XMPP→legacy hooks the bridge's session type overrides (hooks_of<S>(), computed at
// compile time by legate::Gateway<S>).
struct SessionHooks {
  bool text = false;            // on_text
  bool correct = false;         // on_correct (XEP-0308)
  bool retract = false;         // on_retract (XEP-0424)
  bool react = false;           // on_react (XEP-0444)
  bool displayed = false;       // on_displayed (XEP-0333)
  bool chat_state = false;      // on_chat_state (XEP-0085)
  bool file = false;            // on_file (OOB links, XEP-0047 streams)
  bool presence = false;        // on_presence
  bool friend_request = false;  // on_friend_request
  bool search = false;          // on_search (XEP-0055, `find`)
};

// What the bridge declares that no override shows.
struct Capabilities {
  bool replies = false;  // on_text() uses Text::reply_to (XEP-0461 advertised)
  // The network confirms delivery itself (Contact::received); otherwise the gateway sends a
  // XEP-0184 receipt as soon as on_text() accepted the message.
  bool real_receipts = false;
};

// What contacts advertise in disco#info and caps, and what routing delivers: derived from
// SessionHooks and Capabilities (features_of()), never set by hand.
struct Features {
  bool corrections = false;  // on_correct / Contact::correct (XEP-0308)
  bool retractions = false;  // on_retract / Contact::retract (XEP-0424)
  bool reactions = false;    // on_react / Contact::react (XEP-0444)
  bool markers = false;      // on_displayed / Contact::displayed (XEP-0333)
  bool chat_states = false;  // on_chat_state / Contact::composing… (XEP-0085)
  bool replies = false;      // reply-to info (XEP-0461)
  bool files = false;        // on_file: files from the user (OOB links, XEP-0047 streams)
  bool real_receipts = false;
  SessionHooks hooks;
};

}  // namespace legate
