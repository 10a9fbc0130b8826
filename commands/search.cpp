// XEP-0055 search and XEP-0100 jabber:iq:gateway.
#include "commands/search.hpp"

#include "component/component.hpp"
#include "gateway/gateway_runtime.hpp"

namespace legate {
namespace {

// The logged-in session of the requester, or the reason there is none.
std::shared_ptr<Session> session_for(GatewayRuntime gateway, const Element& iq) {
  auto from = Jid::parse(iq.attr_or("from"));
  if (!from) throw StanzaError(ErrorCondition::jid_malformed);
  if (!gateway.bridge().find_user(*from)) throw StanzaError(ErrorCondition::registration_required);
  auto session = gateway.session_of(*from);
  if (!session || !session->logged_in())
    throw StanzaError(ErrorCondition::recipient_unavailable, "not logged in to the legacy network");
  return session;
}

Element results(const SearchResult& found) {
  Form form;
  form.type = "result";
  for (const auto& [var, label] : found.columns) {
    FormField column = FormField::text(var, label);
    if (var == "jid") column.type = FieldType::jid_single;
    form.reported.push_back(column);
  }
  for (const auto& row : found.rows) {
    std::vector<FormField> item;
    for (std::size_t i = 0; i < row.size() && i < found.columns.size(); ++i) {
      FormField cell;
      cell.var = found.columns[i].first;
      cell.type = form.reported[i].type;
      cell.values = {row[i]};
      item.push_back(std::move(cell));
    }
    form.items.push_back(std::move(item));
  }
  return form.to_element();
}

std::string jid_of_row(const SearchResult& found, std::size_t row) {
  for (std::size_t i = 0; i < found.columns.size(); ++i)
    if (found.columns[i].first == "jid" && i < found.rows[row].size()) return found.rows[row][i];
  return {};
}

}  // namespace

Form search_form(GatewayRuntime gateway) {
  Form form;
  form.title = "Search";
  form.instructions = {gateway.declared().search_instructions};
  // Search needs both the form and the hook.
  if (gateway.features().hooks.search) form.fields = gateway.declared().search_fields;
  return form;
}

void install_search(GatewayRuntime gateway) {
  const auto& fields = gateway.declared().search_fields;
  if (fields.empty() || !gateway.features().hooks.search) return;
  Component& component = gateway.component();
  Router& router = component.router();
  component.disco().add_feature(kSearchNs);
  router.on_iq(IqType::get, "query", kSearchNs, [gateway](const Element&) -> Router::IqPayload {
    Element query("query", std::string(kSearchNs));
    query.add_child("instructions", std::string(kSearchNs))
        .set_text(gateway.declared().search_instructions);
    query.add_child(search_form(gateway).to_element());
    return query;
  });
  router.on_iq_async(
      IqType::set, "query", kSearchNs, [gateway](Element iq) -> asio::awaitable<Router::IqPayload> {
        auto session = session_for(gateway, iq);
        const Element* x = iq.first_child()->child("x", Form::kNs);
        if (!x) throw StanzaError(ErrorCondition::bad_request, "a data form is required");
        const Form definition = search_form(gateway);
        const Form submitted = Form::parse(*x);
        if (auto error = validate_submission(definition, submitted))
          throw StanzaError(ErrorCondition::not_acceptable, error->var + ": " + error->message);
        SearchResult found = co_await session->on_search(submitted);
        Element query("query", std::string(kSearchNs));
        query.add_child(results(found));
        co_return query;
      });
  if (fields.size() != 1) return;
  // XEP-0100: a prompt (e.g. a phone number) turned into a contact's JID.
  component.disco().add_feature(kIqGatewayNs);
  router.on_iq(IqType::get, "query", kIqGatewayNs, [gateway](const Element&) -> Router::IqPayload {
    Element query("query", std::string(kIqGatewayNs));
    query.add_child("desc", std::string(kIqGatewayNs))
        .set_text(gateway.declared().search_instructions);
    const FormField& field = gateway.declared().search_fields.front();
    query.add_child("prompt", std::string(kIqGatewayNs))
        .set_text(field.label.empty() ? field.var : field.label);
    return query;
  });
  router.on_iq_async(
      IqType::set, "query", kIqGatewayNs,
      [gateway](Element iq) -> asio::awaitable<Router::IqPayload> {
        auto session = session_for(gateway, iq);
        const std::string prompt(iq.first_child()->child_text("prompt", kIqGatewayNs));
        if (prompt.empty()) throw StanzaError(ErrorCondition::bad_request, "empty prompt");
        Form submitted = search_form(gateway).submission();
        submitted.set_value(gateway.declared().search_fields.front().var, prompt);
        SearchResult found = co_await session->on_search(submitted);
        if (found.rows.size() != 1 || jid_of_row(found, 0).empty())
          throw StanzaError(ErrorCondition::item_not_found, "no single contact matches");
        Element query("query", std::string(kIqGatewayNs));
        query.add_child("jid", std::string(kIqGatewayNs)).set_text(jid_of_row(found, 0));
        co_return query;
      });
}

}  // namespace legate
