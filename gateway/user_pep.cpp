// UserPep: pubsub queries on the user's account.
#include "gateway/user_pep.hpp"

namespace legate {
namespace {

constexpr std::string_view kDataFormsNs = "jabber:x:data";

Element pubsub_iq(IqType type, std::string_view ns = kPubsubNs) {
  Element iq = make_iq(type, "", "", "");
  for (std::string_view name : {"from", "to", "id"}) iq.remove_attr(name);
  iq.add_child("pubsub", std::string(ns));
  return iq;
}

void add_field(Element& form, std::string_view var, std::string_view value,
               std::string_view type = {}) {
  Element& field = form.add_child("field", std::string(kDataFormsNs));
  field.set_attr("var", var);
  if (!type.empty()) field.set_attr("type", type);
  field.add_child("value", std::string(kDataFormsNs)).set_text(std::string(value));
}

// <parent><x type='submit'> with FORM_TYPE `form_type` and the options.
void add_options(Element& parent, std::string_view form_type, const UserPep::Options& options) {
  Element& form = parent.add_child("x", std::string(kDataFormsNs));
  form.set_attr("type", "submit");
  add_field(form, "FORM_TYPE", form_type, "hidden");
  for (const auto& [var, value] : options) add_field(form, var, value);
}

}  // namespace

Element pep_publish(std::string_view node, Element item, const UserPep::Options& options) {
  Element iq = pubsub_iq(IqType::set);
  Element& pubsub = iq.children().front();
  Element& publish = pubsub.add_child("publish", std::string(kPubsubNs));
  publish.set_attr("node", node);
  publish.add_child(std::move(item));
  if (!options.empty())
    add_options(pubsub.add_child("publish-options", std::string(kPubsubNs)), kPublishOptionsForm,
                options);
  return iq;
}

Element pep_create(std::string_view node, const UserPep::Options& config) {
  Element iq = pubsub_iq(IqType::set);
  Element& pubsub = iq.children().front();
  pubsub.add_child("create", std::string(kPubsubNs)).set_attr("node", node);
  Element& configure = pubsub.add_child("configure", std::string(kPubsubNs));
  if (!config.empty()) add_options(configure, kNodeConfigForm, config);
  return iq;
}

Element pep_affiliation(std::string_view node, std::string_view jid, std::string_view affiliation) {
  Element iq = pubsub_iq(IqType::set, kPubsubOwnerNs);
  Element& affiliations =
      iq.children().front().add_child("affiliations", std::string(kPubsubOwnerNs));
  affiliations.set_attr("node", node);
  affiliations.add_child("affiliation", std::string(kPubsubOwnerNs))
      .set_attr("jid", jid)
      .set_attr("affiliation", affiliation);
  return iq;
}

Element pep_items_query(std::string_view node) {
  Element iq = pubsub_iq(IqType::get);
  iq.children().front().add_child("items", std::string(kPubsubNs)).set_attr("node", node);
  return iq;
}

Element pep_retract(std::string_view node, std::string_view item_id) {
  Element iq = pubsub_iq(IqType::set);
  Element& retract = iq.children().front().add_child("retract", std::string(kPubsubNs));
  retract.set_attr("node", node).set_attr("notify", "true");
  retract.add_child("item", std::string(kPubsubNs)).set_attr("id", item_id);
  return iq;
}

asio::awaitable<std::vector<Element>> UserPep::items(Jid user, std::string node) {
  std::vector<Element> found;
  try {
    Element result = co_await iq_(std::move(user), pep_items_query(node));
    const Element* pubsub = result.child("pubsub", kPubsubNs);
    const Element* items = pubsub ? pubsub->child("items", kPubsubNs) : nullptr;
    if (items)
      for (const auto& item : items->children())
        if (item.is("item", kPubsubNs)) found.push_back(item);
  } catch (const StanzaError& e) {
    if (e.condition() != ErrorCondition::item_not_found) throw;  // no such node: no items
  }
  co_return found;
}

asio::awaitable<void> UserPep::publish(Jid user, std::string node, Element item, Options options) {
  co_await iq_(std::move(user), pep_publish(node, std::move(item), options));
}

asio::awaitable<bool> UserPep::create(Jid user, std::string node, Options config) {
  try {
    co_await iq_(std::move(user), pep_create(node, config));
  } catch (const StanzaError& e) {
    if (e.condition() != ErrorCondition::conflict) throw;  // conflict: it is there already
    co_return false;
  }
  co_return true;
}

asio::awaitable<void> UserPep::affiliate(Jid user, std::string node, std::string jid,
                                         std::string affiliation) {
  co_await iq_(std::move(user), pep_affiliation(node, jid, affiliation));
}

asio::awaitable<void> UserPep::retract(Jid user, std::string node, std::string item_id) {
  co_await iq_(std::move(user), pep_retract(node, item_id));
}

}  // namespace legate
