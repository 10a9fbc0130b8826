// Data forms: checking submissions against the definition, and filling in defaults.
#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "component/form.hpp"
#include "component/xml_parse.hpp"

using namespace legate;

namespace {

Form definition() {
  Form form;
  form.fields = {
      FormField::hidden("FORM_TYPE", "urn:legate:test"),
      FormField::fixed("Account"),
      FormField::text("username", "User name", true),
      FormField::private_text("password", "Password", true),
      FormField::boolean("remember", "Stay signed in", true),
      FormField::list_single("network", "Network", {{"Alpha", "a"}, {"Beta", "b"}}).with_value("a"),
      FormField::list_multi("topics", "Topics", {{"", "x"}, {"", "y"}, {"", "z"}}),
      FormField::jid("contact", "Contact"),
      FormField::jid_multi("friends", "Friends"),
      FormField::text_multi("bio", "About you"),
      FormField::text("nick", "Nickname").with_value("anon"),
  };
  return form;
}

// A submission as clients send it: fields untyped, only what the user filled in.
Form submit(std::string_view fields, std::string_view type = "submit") {
  return Form::parse(parse_element(
      "<x xmlns='jabber:x:data' type='" + std::string(type) + "'>" + std::string(fields) + "</x>",
      Form::kNs));
}

constexpr std::string_view kCredentials =
    "<field var='username'><value>romeo</value></field>"
    "<field var='password'><value>s3cret</value></field>";

// Validates kCredentials plus `more`; expects an error on `var` whose message contains `text`.
void check_error(std::string_view more, std::string_view var, std::string_view text) {
  CAPTURE(more);
  const auto error =
      validate_submission(definition(), submit(std::string(kCredentials) + std::string(more)));
  REQUIRE(error.has_value());
  CHECK(error->var == var);
  CAPTURE(error->message);
  CHECK(error->message.find(text) != std::string::npos);
}

}  // namespace

TEST_CASE("form: a complete submission is valid") {
  const Form full = submit(std::string(kCredentials) +
                           "<field var='FORM_TYPE'><value>urn:legate:test</value></field>"
                           "<field var='remember'><value>false</value></field>"
                           "<field var='network'><value>b</value></field>"
                           "<field var='topics'><value>x</value><value>z</value></field>"
                           "<field var='contact'><value>juliet@capulet.lit</value></field>"
                           "<field var='friends'><value>a@b</value><value>c@d/r</value></field>"
                           "<field var='bio'><value>one</value><value>two</value></field>");
  CHECK_FALSE(validate_submission(definition(), full).has_value());
  // Only the required fields; FORM_TYPE left out is tolerated.
  CHECK_FALSE(validate_submission(definition(), submit(kCredentials)).has_value());
  // Fields the definition does not know are ignored, whatever they hold.
  CHECK_FALSE(validate_submission(definition(), submit(std::string(kCredentials) +
                                                       "<field var='x-extra'><value>1</value>"
                                                       "<value>2</value></field>"))
                  .has_value());
  // Blank optional fields pass: clients send <value/> for what the user left empty.
  CHECK_FALSE(validate_submission(definition(), submit(std::string(kCredentials) +
                                                       "<field var='contact'><value/></field>"
                                                       "<field var='network'><value/></field>"
                                                       "<field var='remember'><value/></field>"))
                  .has_value());
  // The form's own submission() with the blanks filled in is valid.
  Form answer = definition().submission();
  answer.set_value("username", "romeo");
  answer.set_value("password", "pw");
  CHECK_FALSE(validate_submission(definition(), answer).has_value());
}

TEST_CASE("form: a submission must be of type submit") {
  for (const char* type : {"form", "cancel", "result"}) {
    const auto error = validate_submission(definition(), submit(kCredentials, type));
    REQUIRE(error.has_value());
    CHECK(error->var.empty());
    CHECK(error->message == "form type is '" + std::string(type) + "', expected 'submit'");
  }
}

TEST_CASE("form: validation errors name the field") {
  check_error("<field var='FORM_TYPE'><value>jabber:bot</value></field>", "FORM_TYPE",
              "FORM_TYPE is 'jabber:bot', expected 'urn:legate:test'");
  check_error("<field var='contact'><value>a@b</value><value>c@d</value></field>", "contact",
              "field 'contact' takes one value, got 2");
  check_error("<field var='remember'><value>1</value><value>0</value></field>", "remember",
              "takes one value, got 2");
  check_error("<field var='network'><value>c</value></field>", "network",
              "field 'network': 'c' is not one of the options");
  check_error("<field var='topics'><value>x</value><value>w</value></field>", "topics",
              "'w' is not one of the options");
  check_error("<field var='remember'><value>yes</value></field>", "remember",
              "'yes' is not a boolean");
  check_error("<field var='contact'><value>not a jid@@</value></field>", "contact",
              "'not a jid@@' is not a valid JID");
  check_error("<field var='friends'><value>a@b</value><value>@nodomain</value></field>", "friends",
              "'@nodomain' is not a valid JID");
}

TEST_CASE("form: required fields must be present and non-empty") {
  auto error = validate_submission(definition(), submit("<field var='password'><value>p</value>"
                                                        "</field>"));
  REQUIRE(error.has_value());
  CHECK(error->var == "username");
  CHECK(error->message == "field 'username' is required");
  error = validate_submission(definition(), submit("<field var='username'><value>r</value>"
                                                   "</field><field var='password'><value/>"
                                                   "</field>"));
  REQUIRE(error.has_value());
  CHECK(error->var == "password");
  error = validate_submission(definition(), submit("<field var='username'><value>r</value>"
                                                   "</field><field var='password'/>"));
  REQUIRE(error.has_value());
  CHECK(error->var == "password");
  // The definition's default does not count as the user's answer.
  Form with_default = definition();
  with_default.field("username")->values = {"guest"};
  error = validate_submission(with_default, submit("<field var='password'><value>p</value>"
                                                   "</field>"));
  REQUIRE(error.has_value());
  CHECK(error->var == "username");
}

TEST_CASE("form: with_defaults fills optional fields the submitter left out") {
  const Form submitted = submit(std::string(kCredentials) +
                                "<field var='remember'><value>0</value></field>"
                                "<field var='nick'><value/></field>"
                                "<field var='topics'/>"
                                "<field var='x-extra'><value>kept</value></field>");
  const Form filled = with_defaults(definition(), submitted);
  CHECK(filled.type == "submit");
  CHECK(filled.value("FORM_TYPE") == "urn:legate:test");
  CHECK(filled.value("network") == "a");                                // left out: default
  CHECK(filled.field("remember")->as_bool() == false);                  // answered: kept
  CHECK(filled.field("remember")->type == FieldType::boolean);          // typed from the definition
  CHECK(filled.field("nick")->values == std::vector<std::string>{""});  // deliberate blank
  CHECK(filled.field("topics")->values.empty());                        // no default to fill in
  CHECK(filled.field("topics")->type == FieldType::list_multi);
  CHECK(filled.value("x-extra") == "kept");
  CHECK(filled.field("contact") == nullptr);  // nothing to add without a default
  CHECK(filled.value("username") == "romeo");

  // Required fields are never defaulted, so validation still sees them missing.
  Form def = definition();
  def.field("username")->values = {"guest"};
  const Form partial = with_defaults(def, submit("<field var='password'><value>p</value></field>"));
  CHECK(partial.field("username") == nullptr);
  CHECK(validate_submission(def, partial)->var == "username");

  // A field sent without any <value/> takes the default.
  const Form bare = with_defaults(definition(), submit("<field var='nick'/>"));
  CHECK(bare.value("nick") == "anon");
  CHECK(bare.field("remember")->as_bool() == true);
}

TEST_CASE("form: with_defaults spells booleans as 1 and 0") {
  legate::Form definition;
  definition.fields = {legate::FormField::boolean("react", "React", true)};
  for (const auto& [sent, stored] : std::vector<std::pair<std::string, std::string>>{
           {"false", "0"}, {"true", "1"}, {"0", "0"}, {"1", "1"}}) {
    legate::Form submitted;
    submitted.type = "submit";
    submitted.set_value("react", sent);
    CHECK(legate::with_defaults(definition, submitted).value("react") == stored);
  }
}
