// Checking a submitted data form against the form the gateway sent, and filling in defaults.
// XEP-0004 §4 leaves validation to the form-processing entity: here, the gateway.
#include "component/form.hpp"

#include <algorithm>
#include <string>

#include "component/jid.hpp"

namespace legate {
namespace {

constexpr std::string_view kFormTypeVar = "FORM_TYPE";

std::string quoted(std::string_view s) {
  return "'" + std::string(s) + "'";
}

FieldError error(const FormField& f, std::string message) {
  return {f.var, "field " + quoted(f.var) + std::move(message)};
}

// The check one non-empty submitted value must pass for the definition's field type.
std::optional<FieldError> check_value(const FormField& def, const std::string& v) {
  switch (def.type) {
    case FieldType::boolean:
      if (!parse_form_bool(v)) return error(def, ": " + quoted(v) + " is not a boolean");
      break;
    case FieldType::jid_single:
    case FieldType::jid_multi:
      if (!Jid::parse(v)) return error(def, ": " + quoted(v) + " is not a valid JID");
      break;
    case FieldType::list_single:
    case FieldType::list_multi: {
      const bool offered = std::any_of(def.options.begin(), def.options.end(),
                                       [&](const FormOption& o) { return o.value == v; });
      if (!offered) return error(def, ": " + quoted(v) + " is not one of the options");
      break;
    }
    default:
      break;  // text and hidden fields carry any string
  }
  return std::nullopt;
}

}  // namespace

std::optional<FieldError> validate_submission(const Form& definition, const Form& submitted) {
  if (submitted.type != "submit")
    return FieldError{{}, "form type is " + quoted(submitted.type) + ", expected 'submit'"};

  // A FORM_TYPE that differs means the answer is to some other form. One left out is
  // tolerated: the fields are still checked against this definition.
  const FormField* expected_type = definition.field(kFormTypeVar);
  const FormField* given_type = submitted.field(kFormTypeVar);
  if (expected_type && given_type && given_type->value() != expected_type->value()) {
    return FieldError{std::string(kFormTypeVar), "FORM_TYPE is " + quoted(given_type->value()) +
                                                     ", expected " +
                                                     quoted(expected_type->value())};
  }

  for (const auto& def : definition.fields) {
    if (def.type == FieldType::fixed || def.var.empty() || def.var == kFormTypeVar) continue;
    const FormField* sub = submitted.field(def.var);
    if (!sub) {
      if (def.required) return error(def, " is required");
      continue;
    }
    // An empty <value/> is how clients send a field the user left blank.
    const bool filled = std::any_of(sub->values.begin(), sub->values.end(),
                                    [](const std::string& v) { return !v.empty(); });
    if (def.required && !filled) return error(def, " is required");
    if (!allows_multiple_values(def.type) && sub->values.size() > 1)
      return error(def, " takes one value, got " + std::to_string(sub->values.size()));
    for (const auto& v : sub->values) {
      if (v.empty()) continue;
      if (auto e = check_value(def, v)) return e;
    }
  }
  return std::nullopt;
}

Form with_defaults(const Form& definition, const Form& submitted) {
  Form result = submitted;
  for (const auto& def : definition.fields) {
    if (def.type == FieldType::fixed || def.var.empty()) continue;
    FormField* sub = result.field(def.var);
    if (!sub) {
      // Required fields are never defaulted: that would hide the user's omission.
      if (def.required || def.values.empty()) continue;
      FormField filled;
      filled.var = def.var;
      filled.type = def.type;
      filled.values = def.values;
      result.fields.push_back(std::move(filled));
      continue;
    }
    sub->type = def.type;
    // An explicit empty <value/> is a deliberate blank and stays; no <value/> at all means
    // the submitter did not touch the field.
    if (sub->values.empty() && !def.required) sub->values = def.values;
    // XEP-0004 booleans may be "true"/"false" or "1"/"0": hand bridges one spelling.
    if (def.type == FieldType::boolean && sub->values.size() == 1) {
      if (auto value = parse_form_bool(sub->values.front())) sub->values = {*value ? "1" : "0"};
    }
  }
  return result;
}

}  // namespace legate
