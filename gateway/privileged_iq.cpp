// Privileged iqs: wrapping, unwrapping, and the round trip.
#include "gateway/privileged_iq.hpp"

#include <spdlog/spdlog.h>

namespace legate {
namespace {

StanzaError malformed(std::string_view what) {
  return StanzaError(ErrorCondition::undefined_condition,
                     "malformed privileged iq reply: " + std::string(what));
}

}  // namespace

Element wrap_privileged_iq(std::string_view component, const Jid& user, Element inner,
                           std::string_view privilege_ns, std::string_view outer_id,
                           std::string_view inner_id) {
  const std::string bare = user.bare_str();
  const std::string type(inner.attr_or("type"));
  inner.remove_attr("from");
  inner.set_attr("to", bare).set_attr("id", inner_id);
  to_client_namespace(inner);
  Element outer = make_iq(type == "set" ? IqType::set : IqType::get, component, bare, outer_id);
  outer.add_child("privileged_iq", std::string(privilege_ns)).add_child(std::move(inner));
  return outer;
}

Element unwrap_privileged_reply(const Element& outer, std::string_view privilege_ns) {
  const Element* privilege = outer.child("privilege", privilege_ns);
  if (!privilege) throw malformed("no <privilege/>");
  const Element* forwarded = privilege->child("forwarded", kForwardNs);
  if (!forwarded) throw malformed("no <forwarded/>");
  const Element* inner = forwarded->child("iq", kClientNs);
  if (!inner) inner = forwarded->child("iq", kComponentNs);
  if (!inner) throw malformed("no forwarded <iq/>");
  const std::string_view type = inner->attr_or("type");
  if (type == "error") throw StanzaError::from_stanza(*inner);
  if (type != "result") throw malformed("inner iq of type '" + std::string(type) + "'");
  return *inner;
}

bool PrivilegedIq::granted(const Jid& user, IqType type, std::string_view ns) const {
  const Privileges* grants = grants_.of(user);
  return grants && grants->can_iq(type, ns);
}

asio::awaitable<Element> PrivilegedIq::operator()(Jid user, Element inner,
                                                  std::chrono::milliseconds timeout) {
  const std::string_view type_name = inner.attr_or("type");
  if (type_name != "get" && type_name != "set")
    throw StanzaError(ErrorCondition::bad_request, "a privileged iq is a get or a set");
  const IqType type = type_name == "set" ? IqType::set : IqType::get;
  const Element* payload = inner.first_child();
  if (!payload || inner.children().size() != 1)
    throw StanzaError(ErrorCondition::bad_request, "a privileged iq has exactly one payload");
  const Privileges* grants = grants_.of(user);
  if (!grants || !grants->can_iq(type, payload->ns())) {
    throw StanzaError(ErrorCondition::forbidden,
                      std::string(user.domain()) + " does not grant the gateway iq " +
                          std::string(type_name) + " in " + std::string(payload->ns()));
  }
  const std::string privilege_ns = grants->ns;  // grants may change while we wait
  Router& router = component_.router();
  const std::string outer_id = router.next_id();
  Element outer = wrap_privileged_iq(component_.jid().str(), user, std::move(inner), privilege_ns,
                                     outer_id, outer_id + "-in");
  Element reply = co_await router.request(std::move(outer), timeout);
  co_return unwrap_privileged_reply(reply, privilege_ns);
}

}  // namespace legate
