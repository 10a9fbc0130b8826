// StanzaError names, default types, and conversion from/to <error/> elements.
#include "component/stanza_error.hpp"

#include <array>
#include <utility>

#include "component/element.hpp"

namespace legate {
namespace {

struct ConditionInfo {
  ErrorCondition condition;
  std::string_view name;
  ErrorType type;
};

constexpr std::array<ConditionInfo, 22> kConditions{{
    {ErrorCondition::bad_request, "bad-request", ErrorType::modify},
    {ErrorCondition::conflict, "conflict", ErrorType::cancel},
    {ErrorCondition::feature_not_implemented, "feature-not-implemented", ErrorType::cancel},
    {ErrorCondition::forbidden, "forbidden", ErrorType::auth},
    {ErrorCondition::gone, "gone", ErrorType::cancel},
    {ErrorCondition::internal_server_error, "internal-server-error", ErrorType::cancel},
    {ErrorCondition::item_not_found, "item-not-found", ErrorType::cancel},
    {ErrorCondition::jid_malformed, "jid-malformed", ErrorType::modify},
    {ErrorCondition::not_acceptable, "not-acceptable", ErrorType::modify},
    {ErrorCondition::not_allowed, "not-allowed", ErrorType::cancel},
    {ErrorCondition::not_authorized, "not-authorized", ErrorType::auth},
    {ErrorCondition::policy_violation, "policy-violation", ErrorType::modify},
    {ErrorCondition::recipient_unavailable, "recipient-unavailable", ErrorType::wait},
    {ErrorCondition::redirect, "redirect", ErrorType::modify},
    {ErrorCondition::registration_required, "registration-required", ErrorType::auth},
    {ErrorCondition::remote_server_not_found, "remote-server-not-found", ErrorType::cancel},
    {ErrorCondition::remote_server_timeout, "remote-server-timeout", ErrorType::wait},
    {ErrorCondition::resource_constraint, "resource-constraint", ErrorType::wait},
    {ErrorCondition::service_unavailable, "service-unavailable", ErrorType::cancel},
    {ErrorCondition::subscription_required, "subscription-required", ErrorType::auth},
    {ErrorCondition::undefined_condition, "undefined-condition", ErrorType::cancel},
    {ErrorCondition::unexpected_request, "unexpected-request", ErrorType::wait},
}};

constexpr std::array<std::pair<ErrorType, std::string_view>, 5> kTypes{{
    {ErrorType::auth, "auth"},
    {ErrorType::cancel, "cancel"},
    {ErrorType::continue_, "continue"},
    {ErrorType::modify, "modify"},
    {ErrorType::wait, "wait"},
}};

const ConditionInfo& info(ErrorCondition condition) {
  for (const auto& i : kConditions)
    if (i.condition == condition) return i;
  return kConditions[20];  // undefined-condition
}

std::string describe(ErrorCondition condition, const std::string& text) {
  std::string what(to_string(condition));
  if (!text.empty()) what += ": " + text;
  return what;
}

}  // namespace

std::string_view to_string(ErrorCondition condition) {
  return info(condition).name;
}

std::string_view to_string(ErrorType type) {
  for (const auto& [t, name] : kTypes)
    if (t == type) return name;
  return "cancel";
}

std::optional<ErrorCondition> error_condition_from(std::string_view name) {
  for (const auto& i : kConditions)
    if (i.name == name) return i.condition;
  return std::nullopt;
}

std::optional<ErrorType> error_type_from(std::string_view name) {
  for (const auto& [t, n] : kTypes)
    if (n == name) return t;
  return std::nullopt;
}

ErrorType default_type(ErrorCondition condition) {
  return info(condition).type;
}

StanzaError::StanzaError(ErrorCondition condition, std::string text)
    : StanzaError(condition, default_type(condition), std::move(text)) {}

StanzaError::StanzaError(ErrorCondition condition, ErrorType type, std::string text)
    : std::runtime_error(describe(condition, text)),
      condition_(condition),
      type_(type),
      text_(std::move(text)) {}

Element StanzaError::to_element(std::string_view stanza_ns) const {
  Element error("error", std::string(stanza_ns));
  error.set_attr("type", to_string(type_));
  error.add_child(std::string(to_string(condition_)), std::string(kStanzaErrorsNs));
  if (!text_.empty()) {
    error.add_child("text", std::string(kStanzaErrorsNs)).set_text(text_);
  }
  if (app_condition_) error.add_child(app_condition_->name, app_condition_->ns);
  return error;
}

StanzaError StanzaError::from_stanza(const Element& stanza) {
  const Element* error = nullptr;
  for (const auto& c : stanza.children())
    if (c.name() == "error") error = &c;
  if (!error) return StanzaError(ErrorCondition::undefined_condition, "error without <error/>");
  ErrorCondition condition = ErrorCondition::undefined_condition;
  std::string text;
  std::optional<AppCondition> app_condition;
  for (const auto& c : error->children()) {
    if (c.ns() != kStanzaErrorsNs) {
      if (!app_condition && !c.ns().empty() && c.ns() != stanza.ns())
        app_condition = AppCondition{std::string(c.name()), std::string(c.ns())};
      continue;
    }
    if (c.name() == "text") {
      text = c.text();
    } else if (auto known = error_condition_from(c.name())) {
      condition = *known;
    }
  }
  auto type = error_type_from(error->attr_or("type"));
  StanzaError parsed(condition, type.value_or(default_type(condition)), std::move(text));
  parsed.app_condition_ = std::move(app_condition);
  return parsed;
}

}  // namespace legate
