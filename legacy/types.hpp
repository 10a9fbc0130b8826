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

// Rows found by a search (XEP-0055, the `find` command); each row has a "jid" value.
struct SearchResult {
  std::vector<std::pair<std::string, std::string>> columns;  // var, label ("jid" included)
  std::vector<std::vector<std::string>> rows;                // values in column order
};

// What the bridge can do; disco#info and caps of contacts advertise only these.
struct Features {
  bool corrections = false;  // on_correct / Contact::correct (XEP-0308)
  bool retractions = false;  // on_retract / Contact::retract (XEP-0424)
  bool reactions = false;    // on_react / Contact::react (XEP-0444)
  bool markers = false;      // on_displayed / Contact::displayed (XEP-0333)
  bool chat_states = false;  // on_chat_state / Contact::composing… (XEP-0085)
  bool replies = false;      // reply-to info (XEP-0461)
  bool files = false;        // on_file: files from the user (OOB links, XEP-0047 streams)
  // The network confirms delivery itself (Contact::received); otherwise the gateway sends
  // a XEP-0184 receipt as soon as on_text() accepted the message.
  bool real_receipts = false;
};

}  // namespace legate
