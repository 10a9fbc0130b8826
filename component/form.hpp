// Data forms (XEP-0004) with the media element (XEP-0221): the value type the gateway uses
// for registration, ad-hoc commands and search, its XML mapping, and submission checks.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "element.hpp"

namespace legate {

inline constexpr std::string_view kMediaElementNs = "urn:xmpp:media-element";

enum class FieldType {
  boolean,
  fixed,
  hidden,
  jid_multi,
  jid_single,
  list_multi,
  list_single,
  text_multi,
  text_private,
  text_single,
};

// The XEP-0004 names ("text-single", "jid-multi", ...).
std::string_view to_string(FieldType type);
std::optional<FieldType> field_type_from(std::string_view name);
// XEP-0004 §3.2: list-multi, jid-multi, text-multi and hidden may carry several <value/>s.
bool allows_multiple_values(FieldType type);
// The XEP-0004 boolean lexical space: "1"/"true" and "0"/"false"; nullopt for anything else.
std::optional<bool> parse_form_bool(std::string_view text);

struct FormOption {
  std::string label;
  std::string value;
  friend bool operator==(const FormOption&, const FormOption&) = default;
};

// One out-of-band location of the media (XEP-0221 <uri type='image/png'>...</uri>).
struct MediaUri {
  std::string type;  // MIME type, parameters allowed ("audio/ogg; codecs=speex")
  std::string uri;
  friend bool operator==(const MediaUri&, const MediaUri&) = default;
};

struct FormMedia {
  std::optional<unsigned> width, height;
  std::vector<MediaUri> uris;
  friend bool operator==(const FormMedia&, const FormMedia&) = default;
};

struct FormField {
  std::string var;  // empty only for fixed fields
  FieldType type = FieldType::text_single;
  std::string label;
  std::string desc;
  bool required = false;
  std::vector<std::string> values;  // defaults in a form, answers in a submission
  std::vector<FormOption> options;  // list-single / list-multi only
  std::optional<FormMedia> media;

  // The first value, or empty.
  std::string_view value() const {
    return values.empty() ? std::string_view() : std::string_view(values.front());
  }
  // The first value read as a boolean; nullopt when absent or not a boolean.
  std::optional<bool> as_bool() const { return parse_form_bool(value()); }

  // Builders for form definitions; members stay public for anything they do not cover.
  static FormField text(std::string var, std::string label, bool required = false);
  static FormField private_text(std::string var, std::string label, bool required = false);
  static FormField text_multi(std::string var, std::string label, bool required = false);
  static FormField jid(std::string var, std::string label, bool required = false);
  static FormField jid_multi(std::string var, std::string label, bool required = false);
  static FormField boolean(std::string var, std::string label, bool value = false);
  static FormField list_single(std::string var, std::string label, std::vector<FormOption> options,
                               bool required = false);
  static FormField list_multi(std::string var, std::string label, std::vector<FormOption> options,
                              bool required = false);
  static FormField fixed(std::string text);
  static FormField hidden(std::string var, std::string value);

  // Chainable tweaks for the builders: FormField::text(...).with_value("x").with_desc("...").
  FormField& with_value(std::string v) {
    values.push_back(std::move(v));
    return *this;
  }
  FormField& with_desc(std::string d) {
    desc = std::move(d);
    return *this;
  }
  FormField& with_media(FormMedia m) {
    media = std::move(m);
    return *this;
  }
};

class Form {
 public:
  static inline constexpr std::string_view kNs = "jabber:x:data";

  std::string type = "form";  // form, submit, cancel or result
  std::string title;
  std::vector<std::string> instructions;
  std::vector<FormField> fields;
  // A result table (XEP-0004 §3.4): the column definitions and one field list per row.
  std::vector<FormField> reported;
  std::vector<std::vector<FormField>> items;

  // Reads <x xmlns='jabber:x:data'/>. Throws StanzaError(bad-request) naming the offending
  // field for anything the XEP forbids that would make the form ambiguous.
  static Form parse(const Element& x);
  Element to_element() const;

  const FormField* field(std::string_view var) const;
  FormField* field(std::string_view var);
  // The field's first value, or empty when the field or value is missing.
  std::string_view value(std::string_view var) const;

  // The answer a client would send back: type 'submit', every non-fixed field with its var,
  // type and default values (hidden fields such as FORM_TYPE included, as XEP-0004 asks).
  Form submission() const;
  // Replaces the field's values, appending a (text-single) field when there is none.
  void set_value(std::string_view var, std::string value);
  void set_values(std::string_view var, std::vector<std::string> values);
};

struct FieldError {
  std::string var;  // empty for an error about the form as a whole
  std::string message;
};

// Checks `submitted` against the form the gateway sent (`definition`): first problem found,
// or nullopt. Fields the definition does not know are ignored (XEP-0004 §3.1); the field
// types come from the definition, since submitters may omit them.
std::optional<FieldError> validate_submission(const Form& definition, const Form& submitted);

// The submission with the definition's types on known fields, and with the definition's
// default values for optional fields that were left out or sent without any <value/>.
Form with_defaults(const Form& definition, const Form& submitted);

}  // namespace legate
