// Stanza kinds, iq types and reply builders.
#include "component/stanza.hpp"

namespace legate {

StanzaKind stanza_kind(const Element& stanza) {
  if (stanza.ns() != kComponentNs) return StanzaKind::other;
  const std::string_view name = stanza.name();
  if (name == "message") return StanzaKind::message;
  if (name == "presence") return StanzaKind::presence;
  if (name == "iq") return StanzaKind::iq;
  return StanzaKind::other;
}

std::optional<IqType> iq_type_from(std::string_view name) {
  if (name == "get") return IqType::get;
  if (name == "set") return IqType::set;
  if (name == "result") return IqType::result;
  if (name == "error") return IqType::error;
  return std::nullopt;
}

std::string_view to_string(IqType type) {
  switch (type) {
    case IqType::get:
      return "get";
    case IqType::set:
      return "set";
    case IqType::result:
      return "result";
    case IqType::error:
      return "error";
  }
  return "get";
}

namespace {

Element addressed(std::string name, std::string_view from, std::string_view to) {
  Element e(std::move(name), std::string(kComponentNs));
  e.reserve_attributes(4);
  if (!from.empty()) e.set_attr("from", from);
  if (!to.empty()) e.set_attr("to", to);
  return e;
}

}  // namespace

Element make_iq(IqType type, std::string_view from, std::string_view to, std::string_view id) {
  Element iq = addressed("iq", from, to);
  iq.set_attr("type", to_string(type));
  iq.set_attr("id", id);
  return iq;
}

Element make_message(std::string_view from, std::string_view to, std::string_view type) {
  Element message = addressed("message", from, to);
  if (!type.empty()) message.set_attr("type", type);
  return message;
}

Element make_presence(std::string_view from, std::string_view to, std::string_view type) {
  Element presence = addressed("presence", from, to);
  if (!type.empty()) presence.set_attr("type", type);
  return presence;
}

Element iq_result(const Element& request, std::optional<Element> payload) {
  Element reply = make_iq(IqType::result, request.attr_or("to"), request.attr_or("from"),
                          request.attr_or("id"));
  if (payload) reply.add_child(std::move(*payload));
  return reply;
}

Element error_reply(const Element& request, const StanzaError& error) {
  Element reply =
      addressed(std::string(request.name()), request.attr_or("to"), request.attr_or("from"));
  reply.set_ns(std::string(request.ns()));
  if (auto id = request.attr("id")) reply.set_attr("id", *id);
  reply.set_attr("type", "error");
  reply.add_child(error.to_element(request.ns()));
  return reply;
}

}  // namespace legate
