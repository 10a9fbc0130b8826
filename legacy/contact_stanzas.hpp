// The stanzas of a legacy contact: what the gateway sends on its behalf (messages, markers,
// presences, vCard, disco/caps) and the parser of what the user sends to it. Pure functions
// over Element, so every XEP detail is testable without a session or a network.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../component/caps.hpp"
#include "../component/disco.hpp"
#include "../component/element.hpp"
#include "types.hpp"

namespace legate {

// Namespaces of the XEPs contacts speak (current versions; inbound also accepts older forms).
inline constexpr std::string_view kDelayNs = "urn:xmpp:delay";                      // XEP-0203
inline constexpr std::string_view kReplyNs = "urn:xmpp:reply:0";                    // XEP-0461
inline constexpr std::string_view kFallbackNs = "urn:xmpp:fallback:0";              // XEP-0428
inline constexpr std::string_view kCorrectNs = "urn:xmpp:message-correct:0";        // XEP-0308
inline constexpr std::string_view kRetractNs = "urn:xmpp:message-retract:1";        // XEP-0424
inline constexpr std::string_view kRetractLegacyNs = "urn:xmpp:message-retract:0";  // pre-0.4
inline constexpr std::string_view kFastenNs = "urn:xmpp:fasten:0";                  // XEP-0422
inline constexpr std::string_view kReactionsNs = "urn:xmpp:reactions:0";            // XEP-0444
inline constexpr std::string_view kChatStatesNs = "http://jabber.org/protocol/chatstates";
inline constexpr std::string_view kReceiptsNs = "urn:xmpp:receipts";            // XEP-0184
inline constexpr std::string_view kMarkersNs = "urn:xmpp:chat-markers:0";       // XEP-0333
inline constexpr std::string_view kStanzaIdNs = "urn:xmpp:sid:0";               // XEP-0359
inline constexpr std::string_view kHintsNs = "urn:xmpp:hints";                  // XEP-0334
inline constexpr std::string_view kNickNs = "http://jabber.org/protocol/nick";  // XEP-0172
inline constexpr std::string_view kVcardNs = "vcard-temp";                      // XEP-0054
inline constexpr std::string_view kVcardUpdateNs = "vcard-temp:x:update";       // XEP-0153
inline constexpr std::string_view kIdleNs = "urn:xmpp:idle:1";                  // XEP-0319
inline constexpr std::string_view kOobNs = "jabber:x:oob";                      // XEP-0066

// The fallback body of a retraction, for clients that do not know XEP-0424.
inline constexpr std::string_view kRetractFallbackBody =
    "This person attempted to retract a previous message, but it's unsupported by your client.";

// ---------------------------------------------------------------------------------------
// Outbound, contact → user. `from` is the contact's JID, `to` the user's (full or bare).
// Messages are of type chat; those taking an `id` carry it as their stanza id.

// A text message. `when` (a message from the past, e.g. history after login) adds a
// XEP-0203 delay; `reply` a XEP-0461 reply (skipped when its xmpp_id is unknown); the flag
// asks the user's client for XEP-0333 markers and a XEP-0184 receipt.
// A shared file from a contact: the URL as the body (for clients without XEP-0066) and in
// an OOB element, markable and with a receipt request.
Element file_message(std::string_view from, std::string_view to, std::string_view id,
                     std::string_view url);
Element text_message(std::string_view from, std::string_view to, std::string_view id,
                     std::string_view body,
                     std::optional<std::chrono::system_clock::time_point> when,
                     std::optional<ReplyTo> reply, bool markable_and_receipt_request);
// XEP-0308: `new_body` replaces the message whose XMPP id is `replaced_id`.
Element correction_message(std::string_view from, std::string_view to, std::string_view id,
                           std::string_view replaced_id, std::string_view new_body);
// XEP-0424 (v0.4) retraction, with the XEP-0428 fallback body.
Element retraction_message(std::string_view from, std::string_view to, std::string_view id,
                           std::string_view retracted_id);
// XEP-0444: the full set of the contact's reactions to `target_id` (empty removes them all).
Element reactions_message(std::string_view from, std::string_view to, std::string_view id,
                          std::string_view target_id, const std::vector<std::string>& emojis);
// XEP-0085 standalone notification (no body, not archived).
Element chat_state_message(std::string_view from, std::string_view to, ChatState state);
// XEP-0184 receipt / XEP-0333 displayed marker for the user's message `*_id`.
Element receipt_message(std::string_view from, std::string_view to, std::string_view received_id);
Element displayed_message(std::string_view from, std::string_view to,
                          std::string_view displayed_id);

// The contact's presence: show/status, XEP-0319 idle (last_seen, unless online), XEP-0153
// avatar hash ("" advertises "no avatar") and XEP-0115 caps (when `caps_ver` is set and the
// contact is available).
// The <show/> value of a presence state ("" for online and offline), and back ("" or an
// unknown value is online).
std::string_view show_element(PresenceShow show);
PresenceShow show_from_element(std::string_view show);

Element contact_presence(std::string_view from, std::string_view to, const ContactPresence& p,
                         std::string_view avatar_hash, std::string_view caps_node,
                         std::string_view caps_ver);
// A presence subscription request, with the contact's XEP-0172 nick when known.
Element subscription_request(std::string_view from, std::string_view to, std::string_view nick);

// ---------------------------------------------------------------------------------------
// Identity of a contact: vCard, avatar hashes, disco and caps.

// The <vCard xmlns='vcard-temp'/> payload of a vCard get result (FN and NICKNAME set to
// `nick_or_name`, PHOTO when there are avatar bytes; each part omitted when empty).
Element vcard(std::string_view nick_or_name, std::string_view avatar_bytes,
              std::string_view avatar_type);
// XEP-0082 UTC timestamp, "2026-11-25T10:00:00Z", for delay and idle.
std::string xmpp_datetime(std::chrono::system_clock::time_point when);

// The disco features a contact advertises (sorted): the base set plus one per Features flag.
std::vector<std::string> contact_features(const Features& f);
// The disco#info <query/> of a contact: identity client/pc (named `name` when non-empty).
Element contact_disco_info(const Features& f, std::string_view name);
// The caps ver matching contact_disco_info(f, name), so the two can never disagree.
std::string contact_caps_ver(const Features& f, std::string_view name);
// The node of contacts' XEP-0115 caps: a disco#info query for "node#ver" names it.
inline constexpr std::string_view kContactCapsNode = kCapsNode;

// ---------------------------------------------------------------------------------------
// Inbound, user → contact.

struct InboundMessage {
  enum class Kind { none, text, correction, retraction, reaction, displayed, chat_state, file };
  Kind kind = Kind::none;
  // The XEP-0359 origin-id if present, else the stanza id (may be empty for a text).
  std::string id;
  // The id the replace / retract / reactions / displayed element points at.
  std::string target_id;
  // Text and correction: the body without any XEP-0461 quoted fallback.
  std::string body;
  // Reaction: the emojis (deduplicated, in order); empty removes the user's reactions.
  std::vector<std::string> emojis;
  // Also set alongside another kind when the message carries a chat state.
  std::optional<ChatState> chat_state;
  bool wants_receipt = false;  // XEP-0184 <request/>
  // File: the XEP-0066 URL (the body, if it says more than the URL, is a caption).
  std::string url;
  // XEP-0461: the quoted message id and its author, when the message is a reply.
  std::optional<std::string> reply_to_id;
  std::optional<std::string> reply_to_jid;
};

// What a message stanza from the user means. Priority: retraction > correction (with a
// body) > reaction > displayed > file (an OOB URL) > text (a body) > chat state alone. Error
// messages, malformed ones (a retract/replace/reactions/displayed without its id) and, unless
// `groupchat` (a message to a room, then the only type read), groupchat ones are Kind::none.
InboundMessage classify_message(const Element& message, bool groupchat = false);

}  // namespace legate
