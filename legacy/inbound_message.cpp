// Parser of the messages a user sends to a contact: which single action a stanza asks for
// (text, correction, retraction, reaction, displayed marker, chat state) and its details.
#include <algorithm>
#include <charconv>
#include <utility>

#include "component/text.hpp"
#include "legacy/contact_stanzas.hpp"

namespace legate {

namespace {

using Kind = InboundMessage::Kind;

constexpr std::pair<std::string_view, ChatState> kChatStates[] = {
    {"active", ChatState::active}, {"composing", ChatState::composing},
    {"paused", ChatState::paused}, {"inactive", ChatState::inactive},
    {"gone", ChatState::gone},
};

std::optional<ChatState> chat_state_of(const Element& message) {
  for (const auto& child : message.children()) {
    if (child.ns() != kChatStatesNs) continue;
    for (const auto& [name, state] : kChatStates)
      if (child.name() == name) return state;
  }
  return std::nullopt;
}

std::optional<std::size_t> parse_offset(std::optional<std::string_view> text) {
  if (!text || text->empty()) return std::nullopt;
  std::size_t value = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size()) return std::nullopt;
  return value;
}

// Removes the XEP-0461 quote (XEP-0428 fallback ranges for urn:xmpp:reply:0) from `body`.
// Offsets count Unicode code points (XEP-0426), so they are mapped to UTF-8 byte offsets.
// A range that does not fit the body is ignored: better a duplicated quote than lost text.
std::string strip_reply_fallback(const Element& message, std::string_view body) {
  std::vector<std::pair<std::size_t, std::size_t>> ranges;  // code points [start, end)
  for (const auto& fallback : message.children()) {
    if (!fallback.is("fallback", kFallbackNs) || fallback.attr_or("for") != kReplyNs) continue;
    for (const auto& range : fallback.children()) {
      if (!range.is("body", kFallbackNs)) continue;
      // A range-less <body/> would mark the whole body as quote: never the case for a
      // reply with content, so it is not applied.
      const auto start = parse_offset(range.attr("start"));
      const auto end = parse_offset(range.attr("end"));
      if (start && end && *start <= *end) ranges.emplace_back(*start, *end);
    }
  }
  if (ranges.empty()) return std::string(body);

  // Byte offset of each code point, plus one past the end.
  std::vector<std::size_t> offsets;
  for (std::size_t i = 0; i < body.size(); ++i)
    if ((static_cast<unsigned char>(body[i]) & 0xC0) != 0x80) offsets.push_back(i);
  offsets.push_back(body.size());
  const std::size_t length = offsets.size() - 1;

  std::sort(ranges.begin(), ranges.end());
  std::string out;
  std::size_t kept_from = 0;  // code point where the text still to copy begins
  for (const auto& [start, end] : ranges) {
    if (end > length) continue;
    if (start > kept_from)
      out.append(body.substr(offsets[kept_from], offsets[start] - offsets[kept_from]));
    kept_from = std::max(kept_from, end);  // overlapping ranges merge
  }
  out.append(body.substr(offsets[kept_from]));
  return out;
}

// The id a retraction points at, in the current or the pre-0.4 (XEP-0422 fastening) form;
// "" when the message is a retraction without an id, nullopt when it is no retraction.
std::optional<std::string_view> retraction_target(const Element& message) {
  if (const Element* retract = message.child("retract", kRetractNs)) return retract->attr_or("id");
  for (const auto& apply_to : message.children()) {
    if (apply_to.is("apply-to", kFastenNs) && apply_to.child("retract", kRetractLegacyNs))
      return apply_to.attr_or("id");
  }
  return std::nullopt;
}

std::vector<std::string> reactions_of(const Element& reactions) {
  std::vector<std::string> emojis;
  for (const auto& reaction : reactions.children()) {
    if (!reaction.is("reaction", kReactionsNs) || reaction.text().empty()) continue;
    if (std::find(emojis.begin(), emojis.end(), reaction.text()) == emojis.end())
      emojis.push_back(reaction.text());
  }
  return emojis;
}

InboundMessage with_target(InboundMessage message, Kind kind, std::string_view target) {
  // A reference to nothing cannot be acted upon (and must not degrade into a plain text).
  if (target.empty()) return {};
  message.kind = kind;
  message.target_id = std::string(target);
  return message;
}

}  // namespace

InboundMessage classify_message(const Element& message, bool groupchat) {
  InboundMessage out;
  if (message.name() != "message") return out;
  const std::string_view type = message.attr_or("type", "normal");
  if (type == "error" || (type == "groupchat") != groupchat) return out;

  // XEP-0359: clients reference their own messages by origin-id when they set one.
  const Element* origin = message.child("origin-id", kStanzaIdNs);
  out.id = std::string(origin && !origin->attr_or("id").empty() ? origin->attr_or("id")
                                                                : message.attr_or("id"));
  out.chat_state = chat_state_of(message);
  out.wants_receipt = message.child("request", kReceiptsNs) != nullptr;
  if (const Element* reply = message.child("reply", kReplyNs)) {
    if (auto id = reply->attr("id"); id && !id->empty()) out.reply_to_id = std::string(*id);
    if (auto to = reply->attr("to"); to && !to->empty()) out.reply_to_jid = std::string(*to);
  }
  const Element* body = message.child("body", message.ns());
  const bool has_body = body && !body->text().empty();

  if (auto target = retraction_target(message))
    return with_target(std::move(out), Kind::retraction, *target);
  if (const Element* replace = message.child("replace", kCorrectNs); replace && has_body) {
    out.body = strip_reply_fallback(message, body->text());
    return with_target(std::move(out), Kind::correction, replace->attr_or("id"));
  }
  if (const Element* reactions = message.child("reactions", kReactionsNs)) {
    out.emojis = reactions_of(*reactions);
    return with_target(std::move(out), Kind::reaction, reactions->attr_or("id"));
  }
  if (const Element* displayed = message.child("displayed", kMarkersNs))
    return with_target(std::move(out), Kind::displayed, displayed->attr_or("id"));
  // XEP-0066: a shared file (clients put the same URL in the body, for others).
  if (const Element* oob = message.child("x", kOobNs)) {
    const Element* url = oob->child("url", kOobNs);
    if (url && !url->text().empty()) {
      out.kind = Kind::file;
      out.url = std::string(trim(url->text()));
      if (has_body && trim(body->text()) != out.url) out.body = body->text();
      return out;
    }
  }
  if (has_body) {
    out.kind = Kind::text;
    out.body = strip_reply_fallback(message, body->text());
    return out;
  }
  if (out.chat_state) out.kind = Kind::chat_state;
  return out;
}

}  // namespace legate
