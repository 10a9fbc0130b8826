// Data forms (XEP-0004, XEP-0221 media): parsing, serialisation, builders, parse errors.
#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "component/form.hpp"
#include "component/xml_parse.hpp"

using namespace legate;

namespace {

Element xml(std::string_view text) {
  return parse_element(text, Form::kNs);
}

// Parses `text` and checks that serialising gives the same element back.
Form round_trip(std::string_view text) {
  const Element original = xml(text);
  Form form = Form::parse(original);
  CHECK(structural_difference(form.to_element(), original) == "");
  return form;
}

// XEP-0004 example 2 (the <x/> only), verbatim.
constexpr std::string_view kBotForm = R"(
<x xmlns='jabber:x:data' type='form'>
  <title>Bot Configuration</title>
  <instructions>Fill out this form to configure your new bot!</instructions>
  <field type='hidden' var='FORM_TYPE'><value>jabber:bot</value></field>
  <field type='fixed'><value>Section 1: Bot Info</value></field>
  <field type='text-single' label='The name of your bot' var='botname'/>
  <field type='text-multi' label='Helpful description of your bot' var='description'/>
  <field type='boolean' label='Public bot?' var='public'><required/></field>
  <field type='text-private' label='Password for special access' var='password'/>
  <field type='fixed'><value>Section 2: Features</value></field>
  <field type='list-multi' label='What features will the bot support?' var='features'>
    <option label='Contests'><value>contests</value></option>
    <option label='News'><value>news</value></option>
    <option label='Polls'><value>polls</value></option>
    <option label='Reminders'><value>reminders</value></option>
    <option label='Search'><value>search</value></option>
    <value>news</value>
    <value>search</value>
  </field>
  <field type='fixed'><value>Section 3: Subscriber List</value></field>
  <field type='list-single' label='Maximum number of subscribers' var='maxsubs'>
    <value>20</value>
    <option label='10'><value>10</value></option>
    <option label='20'><value>20</value></option>
    <option label='30'><value>30</value></option>
    <option label='50'><value>50</value></option>
    <option label='100'><value>100</value></option>
    <option label='None'><value>none</value></option>
  </field>
  <field type='fixed'><value>Section 4: Invitations</value></field>
  <field type='jid-multi' label='People to invite' var='invitelist'>
    <desc>Tell all your friends about your new bot!</desc>
  </field>
</x>)";

// XEP-0004 example 3 (the <x/> only), verbatim.
constexpr std::string_view kBotSubmission = R"(
<x xmlns='jabber:x:data' type='submit'>
  <field type='hidden' var='FORM_TYPE'><value>jabber:bot</value></field>
  <field type='text-single' var='botname'><value>The Jabber Google Bot</value></field>
  <field type='text-multi' var='description'>
    <value>This bot enables you to send requests to</value>
    <value>Google and receive the search results right</value>
    <value>in your Jabber client. It&apos; really cool!</value>
    <value>It even supports Google News!</value>
  </field>
  <field type='boolean' var='public'><value>0</value></field>
  <field type='text-private' var='password'><value>v3r0na</value></field>
  <field type='list-multi' var='features'><value>news</value><value>search</value></field>
  <field type='list-single' var='maxsubs'><value>50</value></field>
  <field type='jid-multi' var='invitelist'>
    <value>juliet@capulet.com</value>
    <value>benvolio@montague.net</value>
  </field>
</x>)";

}  // namespace

TEST_CASE("form: field type names") {
  for (int i = 0; i <= static_cast<int>(FieldType::text_single); ++i) {
    const auto type = static_cast<FieldType>(i);
    CAPTURE(to_string(type));
    CHECK(field_type_from(to_string(type)) == type);
  }
  CHECK(to_string(FieldType::text_private) == "text-private");
  CHECK(to_string(FieldType::jid_multi) == "jid-multi");
  CHECK_FALSE(field_type_from("text_single").has_value());
  CHECK_FALSE(field_type_from("").has_value());
  CHECK(allows_multiple_values(FieldType::hidden));
  CHECK(allows_multiple_values(FieldType::text_multi));
  CHECK_FALSE(allows_multiple_values(FieldType::list_single));
  CHECK_FALSE(allows_multiple_values(FieldType::fixed));
}

TEST_CASE("form: every field type survives parse and serialise") {
  const Form form = round_trip(R"(
    <x xmlns='jabber:x:data' type='form'>
      <title>All types</title>
      <instructions>One</instructions>
      <instructions>Two</instructions>
      <field type='boolean' var='b' label='B'><desc>a flag</desc><required/><value>1</value></field>
      <field type='fixed'><value>Header</value></field>
      <field type='fixed' var='f2'><value>Named header</value></field>
      <field type='hidden' var='h'><value>x</value><value>y</value></field>
      <field type='jid-multi' var='jm'><value>a@b</value><value>c@d/e</value></field>
      <field type='jid-single' var='js'><value>a@b</value></field>
      <field type='list-multi' var='lm'><value>1</value><value>2</value>
        <option label='One'><value>1</value></option><option><value>2</value></option></field>
      <field type='list-single' var='ls'><value/>
        <option label='One'><value>1</value></option></field>
      <field type='text-multi' var='tm'><value>line 1</value><value>line 2</value></field>
      <field type='text-private' var='tp'><value>secret</value></field>
      <field type='text-single' var='ts' label='Name'><value>  spaced  </value></field>
    </x>)");
  CHECK(form.type == "form");
  CHECK(form.title == "All types");
  CHECK(form.instructions == std::vector<std::string>{"One", "Two"});
  REQUIRE(form.fields.size() == 11);
  const FieldType expected[] = {
      FieldType::boolean,    FieldType::fixed,        FieldType::fixed,      FieldType::hidden,
      FieldType::jid_multi,  FieldType::jid_single,   FieldType::list_multi, FieldType::list_single,
      FieldType::text_multi, FieldType::text_private, FieldType::text_single};
  for (std::size_t i = 0; i < form.fields.size(); ++i) CHECK(form.fields[i].type == expected[i]);
  const FormField& b = form.fields[0];
  CHECK(b.var == "b");
  CHECK(b.label == "B");
  CHECK(b.desc == "a flag");
  CHECK(b.required);
  CHECK(b.as_bool() == true);
  CHECK(form.fields[1].var.empty());
  CHECK(form.field("lm")->options == std::vector<FormOption>{{"One", "1"}, {"", "2"}});
  CHECK(form.field("ls")->values == std::vector<std::string>{""});
  CHECK(form.field("h")->values.size() == 2);
  CHECK(form.value("ts") == "  spaced  ");  // values are not trimmed: passwords may have spaces
  CHECK(form.value("tp") == "secret");
  CHECK(form.value("missing") == "");
  CHECK(form.field("missing") == nullptr);
}

TEST_CASE("form: a missing type attribute means text-single") {
  const Form form = Form::parse(xml("<x xmlns='jabber:x:data' type='form'><field var='a'/></x>"));
  CHECK(form.fields.at(0).type == FieldType::text_single);
  CHECK(form.to_element().children().at(0).attr("type") == "text-single");
}

TEST_CASE("form: XEP-0004 configuration form") {
  const Form form = Form::parse(xml(kBotForm));
  CHECK(form.title == "Bot Configuration");
  CHECK(form.instructions.size() == 1);
  REQUIRE(form.fields.size() == 12);
  CHECK(form.value("FORM_TYPE") == "jabber:bot");
  CHECK(form.field("FORM_TYPE")->type == FieldType::hidden);
  CHECK(form.fields[1].type == FieldType::fixed);
  CHECK(form.fields[1].value() == "Section 1: Bot Info");
  CHECK(form.field("public")->required);
  CHECK_FALSE(form.field("public")->as_bool().has_value());
  CHECK(form.field("password")->type == FieldType::text_private);
  CHECK(form.field("features")->options.size() == 5);
  CHECK(form.field("features")->values == std::vector<std::string>{"news", "search"});
  CHECK(form.value("maxsubs") == "20");
  CHECK(form.field("maxsubs")->options.back().label == "None");
  CHECK(form.field("invitelist")->desc == "Tell all your friends about your new bot!");

  // Serialisation writes desc, required, values, then options (the schema's order), so only
  // the list-multi field, whose options come first in the example, moves.
  std::string canonical(kBotForm);
  const std::string values = "    <value>news</value>\n    <value>search</value>\n";
  const auto at = canonical.find(values);
  REQUIRE(at != std::string::npos);
  canonical.erase(at, values.size());
  canonical.insert(canonical.find("    <option label='Contests'>"), values);
  CHECK(structural_difference(form.to_element(), xml(canonical)) == "");
  CHECK(structural_difference(Form::parse(form.to_element()).to_element(), form.to_element()) ==
        "");
}

TEST_CASE("form: XEP-0004 submission") {
  const Form form = round_trip(kBotSubmission);
  CHECK(form.type == "submit");
  CHECK(form.field("description")->values.size() == 4);
  CHECK(form.field("description")->values[2] == "in your Jabber client. It' really cool!");
  CHECK(form.field("public")->as_bool() == false);
  CHECK(form.value("maxsubs") == "50");
  CHECK(form.field("invitelist")->values.back() == "benvolio@montague.net");
  CHECK_FALSE(validate_submission(Form::parse(xml(kBotForm)), form).has_value());
}

TEST_CASE("form: XEP-0004 search result table") {
  const Form form = Form::parse(xml(R"(
    <x xmlns='jabber:x:data' type='result'>
      <title>Joogle Search: verona</title>
      <reported><field var='name'/><field var='url'/></reported>
      <item>
        <field var='name'><value>Comune di Verona - Benvenuti nel sito ufficiale</value></field>
        <field var='url'><value>http://www.comune.verona.it/</value></field>
      </item>
      <item>
        <field var='name'><value>benvenuto!</value></field>
        <field var='url'><value>http://www.hellasverona.it/</value></field>
      </item>
    </x>)"));
  CHECK(form.type == "result");
  CHECK(form.fields.empty());
  REQUIRE(form.reported.size() == 2);
  CHECK(form.reported[1].var == "url");
  REQUIRE(form.items.size() == 2);
  CHECK(form.items[1][0].value() == "benvenuto!");
  CHECK(form.items[0][1].value() == "http://www.comune.verona.it/");
  // The columns get their (default) type written; the cells leave it to the columns.
  const Element expected = xml(R"(
    <x xmlns='jabber:x:data' type='result'>
      <title>Joogle Search: verona</title>
      <reported><field var='name' type='text-single'/><field var='url' type='text-single'/></reported>
      <item>
        <field var='name'><value>Comune di Verona - Benvenuti nel sito ufficiale</value></field>
        <field var='url'><value>http://www.comune.verona.it/</value></field>
      </item>
      <item>
        <field var='name'><value>benvenuto!</value></field>
        <field var='url'><value>http://www.hellasverona.it/</value></field>
      </item>
    </x>)");
  CHECK(structural_difference(form.to_element(), expected) == "");
}

TEST_CASE("form: item fields take their type from <reported>") {
  const Form form = round_trip(R"(
    <x xmlns='jabber:x:data' type='result'>
      <reported>
        <field var='jids' type='jid-multi' label='Members'/>
        <field var='flag' type='boolean'/>
      </reported>
      <item>
        <field var='jids'><value>a@b</value><value>c@d</value></field>
        <field var='flag' type='text-single'><value>maybe</value></field>
      </item>
    </x>)");
  CHECK(form.items.at(0).at(0).type == FieldType::jid_multi);
  CHECK(form.items.at(0).at(1).type == FieldType::text_single);  // an explicit type wins
}

TEST_CASE("form: XEP-0221 media element round trip") {
  const Form form = Form::parse(xml(R"(
    <x xmlns='jabber:x:data' type='form'>
      <field var='ocr' type='text-single' label='Enter the text you see'>
        <required/>
        <value/>
        <media xmlns='urn:xmpp:media-element' height='80' width='290'>
          <uri type='image/png'>
            http://www.example.com/challenges/ocr.png?F3A6292C
          </uri>
          <uri type='image/png'>cid:sha1+f24030b8d91d233bac14777be5ab531ca3b9f102@bob.xmpp.org</uri>
          <uri type='image/png'>data:image/png;base64,iVBORw0KGgo=</uri>
        </media>
      </field>
      <field var='speech'>
        <media xmlns='urn:xmpp:media-element'>
          <uri type='audio/ogg; codecs=speex'>http://www.example.com/speech.ogg</uri>
        </media>
      </field>
    </x>)"));
  const FormField& ocr = form.fields.at(0);
  REQUIRE(ocr.media.has_value());
  CHECK(ocr.media->width == 290u);
  CHECK(ocr.media->height == 80u);
  REQUIRE(ocr.media->uris.size() == 3);
  CHECK(ocr.media->uris[0] ==
        MediaUri{"image/png", "http://www.example.com/challenges/ocr.png?F3A6292C"});
  CHECK(ocr.media->uris[2].uri == "data:image/png;base64,iVBORw0KGgo=");
  const FormField& speech = form.fields.at(1);
  CHECK_FALSE(speech.media->width.has_value());
  CHECK(speech.media->uris.at(0).type == "audio/ogg; codecs=speex");

  const Element out = form.to_element();
  const Element* media = out.children().at(0).child("media", kMediaElementNs);
  REQUIRE(media != nullptr);
  CHECK(media->attr("width") == "290");
  CHECK(media->children().at(1).text() ==
        "cid:sha1+f24030b8d91d233bac14777be5ab531ca3b9f102@bob.xmpp.org");
  CHECK(out.children().at(1).child("media", kMediaElementNs)->attr("height") == std::nullopt);
  const Form again = Form::parse(out);
  CHECK(again.fields.at(0).media == ocr.media);
  CHECK(again.fields.at(1).media == speech.media);
  CHECK(structural_difference(again.to_element(), out) == "");
  // Written in canonical order (values before media), the same form round-trips exactly.
  round_trip(R"(<x xmlns='jabber:x:data' type='form'><field var='ocr' type='text-single'>
      <value/><media xmlns='urn:xmpp:media-element' height='80' width='290'>
      <uri type='image/png'>http://www.example.com/ocr.png</uri></media></field></x>)");
}

TEST_CASE("form: untyped fields of a submission may carry several values") {
  // Written back untyped: the default text-single would contradict the two values.
  const Form form = round_trip(R"(<x xmlns='jabber:x:data' type='submit'>
      <field var='features'><value>news</value><value>search</value></field></x>)");
  CHECK(form.field("features")->values.size() == 2);
  CHECK(form.field("features")->type == FieldType::text_single);
  // A single-valued untyped field is text-single, and written so.
  const Form one = Form::parse(
      xml("<x xmlns='jabber:x:data' type='submit'><field var='name'><value>b</value></field></x>"));
  CHECK(one.to_element().children().at(0).attr("type") == "text-single");
}

TEST_CASE("form: an empty boolean value is an unset boolean") {
  const Form form = Form::parse(xml(
      "<x xmlns='jabber:x:data' type='submit'><field var='b' type='boolean'><value/></field></x>"));
  CHECK_FALSE(form.field("b")->as_bool().has_value());
}

TEST_CASE("form: boolean values") {
  FormField f;
  CHECK_FALSE(f.as_bool().has_value());
  for (const char* yes : {"1", "true"}) {
    f.values = {yes};
    CHECK(f.as_bool() == true);
  }
  for (const char* no : {"0", "false"}) {
    f.values = {no};
    CHECK(f.as_bool() == false);
  }
  for (const char* neither : {"yes", "TRUE", " 1", ""}) {
    f.values = {neither};
    CHECK_FALSE(f.as_bool().has_value());
  }
}

TEST_CASE("form: builders") {
  Form form;
  form.title = "Register";
  form.instructions.push_back("Enter your legacy network account.");
  form.fields = {
      FormField::hidden("FORM_TYPE", "jabber:iq:register"),
      FormField::fixed("Account"),
      FormField::text("username", "User name", true),
      FormField::private_text("password", "Password", true).with_desc("Never shown"),
      FormField::boolean("remember", "Stay signed in", true),
      FormField::list_single("network", "Network", {{"Alpha", "a"}, {"Beta", "b"}}).with_value("a"),
      FormField::list_multi("topics", "Topics", {{"", "x"}}),
      FormField::jid("contact", "Contact"),
      FormField::jid_multi("friends", "Friends"),
      FormField::text_multi("bio", "About you"),
  };
  CHECK(form.field("password")->type == FieldType::text_private);
  CHECK(form.field("remember")->as_bool() == true);
  CHECK(FormField::boolean("b", "B").values == std::vector<std::string>{"0"});
  const Element expected = xml(R"(
    <x xmlns='jabber:x:data' type='form'>
      <title>Register</title>
      <instructions>Enter your legacy network account.</instructions>
      <field var='FORM_TYPE' type='hidden'><value>jabber:iq:register</value></field>
      <field type='fixed'><value>Account</value></field>
      <field var='username' type='text-single' label='User name'><required/></field>
      <field var='password' type='text-private' label='Password'>
        <desc>Never shown</desc><required/></field>
      <field var='remember' type='boolean' label='Stay signed in'><value>1</value></field>
      <field var='network' type='list-single' label='Network'><value>a</value>
        <option label='Alpha'><value>a</value></option>
        <option label='Beta'><value>b</value></option></field>
      <field var='topics' type='list-multi' label='Topics'><option><value>x</value></option></field>
      <field var='contact' type='jid-single' label='Contact'/>
      <field var='friends' type='jid-multi' label='Friends'/>
      <field var='bio' type='text-multi' label='About you'/>
    </x>)");
  CHECK(structural_difference(form.to_element(), expected) == "");
}

TEST_CASE("form: submission and set_value build an answer") {
  const Form definition = Form::parse(xml(kBotForm));
  Form answer = definition.submission();
  CHECK(answer.type == "submit");
  CHECK(answer.fields.size() == 8);  // the four fixed fields are left out
  CHECK(answer.value("FORM_TYPE") == "jabber:bot");
  CHECK(answer.field("features")->values == std::vector<std::string>{"news", "search"});
  CHECK(answer.field("features")->options.empty());
  CHECK(answer.field("public")->label.empty());
  CHECK_FALSE(answer.field("public")->required);
  answer.set_value("botname", "Joogle");
  answer.set_value("maxsubs", "50");
  answer.set_values("invitelist", {"juliet@capulet.com", "benvolio@montague.net"});
  answer.set_value("extra", "ignored");
  CHECK(answer.value("botname") == "Joogle");
  CHECK(answer.field("maxsubs")->values.size() == 1);
  CHECK(answer.field("invitelist")->values.size() == 2);
  CHECK(answer.field("extra")->type == FieldType::text_single);
  CHECK(answer.fields.size() == 9);
  CHECK(structural_difference(Form::parse(answer.to_element()).to_element(), answer.to_element()) ==
        "");
}

TEST_CASE("form: cancel") {
  const Form form = round_trip("<x xmlns='jabber:x:data' type='cancel'/>");
  CHECK(form.type == "cancel");
  CHECK(form.fields.empty());
}
