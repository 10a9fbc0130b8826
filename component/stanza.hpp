// Typed views over stanza Elements (message, presence, iq) and builders for replies.
// Views hold a reference to the Element; they are cheap to create and never copy it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "element.hpp"
#include "jid.hpp"
#include "stanza_error.hpp"

namespace legate {

inline constexpr std::string_view kComponentNs = "jabber:component:accept";

enum class StanzaKind { message, presence, iq, other };
enum class IqType { get, set, result, error };

StanzaKind stanza_kind(const Element& stanza);
std::optional<IqType> iq_type_from(std::string_view name);
std::string_view to_string(IqType type);

// What every stanza has: addressing, id, type.
class StanzaView {
 public:
  explicit StanzaView(const Element& element) : element_(element) {}
  const Element& element() const { return element_; }
  StanzaKind kind() const { return stanza_kind(element_); }
  std::string_view id() const { return element_.attr_or("id"); }
  std::string_view type() const { return element_.attr_or("type"); }
  std::string_view from_str() const { return element_.attr_or("from"); }
  std::string_view to_str() const { return element_.attr_or("to"); }
  // Parsed addresses; nullopt when absent or malformed.
  std::optional<Jid> from() const { return Jid::parse(from_str()); }
  std::optional<Jid> to() const { return Jid::parse(to_str()); }
  bool is_error() const { return type() == "error"; }
  StanzaError error() const { return StanzaError::from_stanza(element_); }

 protected:
  const Element& element_;
};

class IqView : public StanzaView {
 public:
  using StanzaView::StanzaView;
  std::optional<IqType> iq_type() const { return iq_type_from(type()); }
  // The single payload child of a get/set (nullptr when absent).
  const Element* payload() const { return element_.first_child(); }
};

class MessageView : public StanzaView {
 public:
  using StanzaView::StanzaView;
  // RFC 6121: a missing type means "normal".
  std::string_view message_type() const { return element_.attr_or("type", "normal"); }
  std::string_view body() const { return element_.child_text("body", kComponentNs); }
};

class PresenceView : public StanzaView {
 public:
  using StanzaView::StanzaView;
  // "available" when the type attribute is absent.
  std::string_view presence_type() const { return element_.attr_or("type", "available"); }
  std::string_view show() const { return element_.child_text("show", kComponentNs); }
  std::string_view status() const { return element_.child_text("status", kComponentNs); }
};

// Builders. Addresses are strings so callers holding a Jid or a view can both use them.
Element make_iq(IqType type, std::string_view from, std::string_view to, std::string_view id);
Element make_message(std::string_view from, std::string_view to, std::string_view type = "chat");
Element make_presence(std::string_view from, std::string_view to, std::string_view type = {});
// The result reply to an iq get/set, with an optional payload.
Element iq_result(const Element& request, std::optional<Element> payload = std::nullopt);
// The error reply to any stanza: addresses swapped, same id, type='error'.
Element error_reply(const Element& request, const StanzaError& error);

}  // namespace legate
