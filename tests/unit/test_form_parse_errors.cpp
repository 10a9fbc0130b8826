// Data forms: every malformed <x xmlns='jabber:x:data'/> is refused with bad-request and a
// text that names the offending field.
#include <doctest/doctest.h>

#include <string>
#include <string_view>

#include "component/form.hpp"
#include "component/stanza_error.hpp"
#include "component/xml_parse.hpp"

using namespace legate;

namespace {

void check_parse_error(std::string_view text, std::string_view expected) {
  CAPTURE(text);
  try {
    Form::parse(parse_element(text, Form::kNs));
    FAIL("parsed without error");
  } catch (const StanzaError& e) {
    CHECK(e.condition() == ErrorCondition::bad_request);
    CAPTURE(e.text());
    CHECK(e.text().find(expected) != std::string::npos);
  }
}

}  // namespace

TEST_CASE("form: parse errors say what is wrong and where") {
  check_parse_error("<query xmlns='jabber:iq:register'/>", "expected <x xmlns='jabber:x:data'/>");
  check_parse_error("<x xmlns='jabber:x:oob'/>", "expected <x xmlns='jabber:x:data'/>");
  check_parse_error("<x xmlns='jabber:x:data'/>", "<x/> has no type");
  check_parse_error("<x xmlns='jabber:x:data' type='reply'/>", "unknown form type 'reply'");
  check_parse_error("<x xmlns='jabber:x:data' type='form'><field var='a' type='text-double'/></x>",
                    "field 'a' has unknown type 'text-double'");
  check_parse_error(
      "<x xmlns='jabber:x:data' type='form'><field var='a'/><field label='Name'/></x>",
      "field #2 (label 'Name') has no var");
  check_parse_error("<x xmlns='jabber:x:data' type='form'><field type='hidden'/></x>",
                    "field #1 has no var");
  check_parse_error(
      "<x xmlns='jabber:x:data' type='submit'><field var='on' type='boolean'><value>yes</value>"
      "</field></x>",
      "field 'on': 'yes' is not a boolean");
  check_parse_error(
      "<x xmlns='jabber:x:data' type='submit'><field var='a' type='text-single'><value>1</value>"
      "<value>2</value></field></x>",
      "field 'a' is text-single but has 2 values");
  check_parse_error(
      "<x xmlns='jabber:x:data' type='form'><field var='a'><value>1</value><value>2</value>"
      "</field></x>",
      "field 'a' is text-single but has 2 values");
  check_parse_error(
      "<x xmlns='jabber:x:data' type='result'><field var='c' type='list-single'><value>1</value>"
      "<value>2</value></field></x>",
      "field 'c' is list-single but has 2 values");
  check_parse_error(
      "<x xmlns='jabber:x:data' type='form'><field var='l' type='list-single'>"
      "<option label='Empty'/></field></x>",
      "field 'l': <option> 'Empty' must have exactly one <value/>");
  check_parse_error(
      "<x xmlns='jabber:x:data' type='form'><field var='l' type='list-single'>"
      "<option label='Two'><value>1</value><value>2</value></option></field></x>",
      "field 'l': <option> 'Two' must have exactly one <value/>");
  check_parse_error(
      "<x xmlns='jabber:x:data' type='form'><field var='a'/><field var='b'/><field var='a'/></x>",
      "field 'a' appears more than once");
  for (const char* bad_width : {"wide", "-1", "70000", "", "12px"}) {
    check_parse_error(
        std::string("<x xmlns='jabber:x:data' type='form'><field var='m'>"
                    "<media xmlns='urn:xmpp:media-element' width='") +
            bad_width + "'/></field></x>",
        "field 'm': media width '" + std::string(bad_width) + "' is not a pixel count");
  }
  check_parse_error(
      "<x xmlns='jabber:x:data' type='form'><field var='m'><media "
      "xmlns='urn:xmpp:media-element' height='x'/></field></x>",
      "field 'm': media height 'x' is not a pixel count");
  check_parse_error(
      "<x xmlns='jabber:x:data' type='form'><field var='m'><media "
      "xmlns='urn:xmpp:media-element'><uri>http://a/b.png</uri></media></field></x>",
      "field 'm': media <uri> without a type");
  check_parse_error(
      "<x xmlns='jabber:x:data' type='result'><reported><field var='a'/></reported>"
      "<reported><field var='b'/></reported></x>",
      "more than one <reported>");
  check_parse_error("<x xmlns='jabber:x:data' type='result'><item><field var='a'/></item></x>",
                    "<item> without <reported>");
  check_parse_error(
      "<x xmlns='jabber:x:data' type='result'><reported><field var='a'/></reported>"
      "<item><field var='a'/></item><item><field var='z'/></item></x>",
      "<item> 2 field 'z' is not a <reported> column");
  check_parse_error(
      "<x xmlns='jabber:x:data' type='result'><reported><field var='a'/><field var='a'/>"
      "</reported></x>",
      "<reported> field 'a' appears more than once");
  check_parse_error(
      "<x xmlns='jabber:x:data' type='result'><reported><field var='a'/></reported>"
      "<item><field var='a'><value>1</value><value>2</value></field></item></x>",
      "<item> 1 field 'a' is text-single but has 2 values");
  // An item cell must respect its column's type.
  check_parse_error(
      "<x xmlns='jabber:x:data' type='result'><reported><field var='flag' type='boolean'/>"
      "</reported><item><field var='flag'><value>maybe</value></field></item></x>",
      "<item> 1 field 'flag': 'maybe' is not a boolean");
}
