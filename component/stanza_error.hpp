// StanzaError: the typed error a handler throws to refuse a request (RFC 6120 §8.3); the
// router turns it into the <error/> reply. Also parsed from error replies we receive.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace legate {

class Element;

enum class ErrorCondition {
  bad_request,
  conflict,
  feature_not_implemented,
  forbidden,
  gone,
  internal_server_error,
  item_not_found,
  jid_malformed,
  not_acceptable,
  not_allowed,
  not_authorized,
  policy_violation,
  recipient_unavailable,
  redirect,
  registration_required,
  remote_server_not_found,
  remote_server_timeout,
  resource_constraint,
  service_unavailable,
  subscription_required,
  undefined_condition,
  unexpected_request,
};

enum class ErrorType { auth, cancel, continue_, modify, wait };

inline constexpr std::string_view kStanzaErrorsNs = "urn:ietf:params:xml:ns:xmpp-stanzas";

std::string_view to_string(ErrorCondition condition);
std::string_view to_string(ErrorType type);
std::optional<ErrorCondition> error_condition_from(std::string_view name);
std::optional<ErrorType> error_type_from(std::string_view name);
// The type RFC 6120 §8.3.3 suggests for each condition.
ErrorType default_type(ErrorCondition condition);

// An application-specific condition (RFC 6120 §8.3.4), e.g. XEP-0050's <bad-sessionid/>:
// an empty element in the application's namespace, after the defined condition.
struct AppCondition {
  std::string name;
  std::string ns;
  friend bool operator==(const AppCondition&, const AppCondition&) = default;
};

class StanzaError : public std::runtime_error {
 public:
  explicit StanzaError(ErrorCondition condition, std::string text = {});
  StanzaError(ErrorCondition condition, ErrorType type, std::string text);

  ErrorCondition condition() const { return condition_; }
  ErrorType type() const { return type_; }
  const std::string& text() const { return text_; }
  const std::optional<AppCondition>& app_condition() const { return app_condition_; }
  StanzaError& with_app_condition(std::string name, std::string ns) {
    app_condition_ = AppCondition{std::move(name), std::move(ns)};
    return *this;
  }

  // The <error/> element (in the stanza's namespace, i.e. without its own xmlns).
  Element to_element(std::string_view stanza_ns) const;
  // Reads the <error/> child of an error stanza; undefined-condition when it has none.
  static StanzaError from_stanza(const Element& stanza);

 private:
  ErrorCondition condition_;
  ErrorType type_;
  std::string text_;
  std::optional<AppCondition> app_condition_;
};

}  // namespace legate
