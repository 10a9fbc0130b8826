// MamQuery: XEP-0313 forms and XEP-0059 sets read into values (and refused with bad-request
// when malformed), XEP-0082 times, and the answer's pieces compared structurally.
#include <doctest/doctest.h>

#include "component/mam_query.hpp"
#include "component/stanza_error.hpp"
#include "component/xml_parse.hpp"
#include "legacy/room_stanzas.hpp"

using namespace legate;

namespace {

MamQuery parse(std::string_view xml) {
  return parse_mam_query(parse_element(xml));
}

std::string form(std::string_view fields) {
  return "<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'>"
         "<value>urn:xmpp:mam:2</value></field>" +
         std::string(fields) + "</x>";
}

ErrorCondition refusal(std::string_view xml) {
  try {
    parse(xml);
  } catch (const StanzaError& e) {
    return e.condition();
  }
  FAIL("no refusal for " << xml);
  return ErrorCondition::undefined_condition;
}

}  // namespace

TEST_CASE("mam: XEP-0082 date-times to unix ms") {
  CHECK(parse_datetime_ms("1970-01-01T00:00:00Z") == 0);
  CHECK(parse_datetime_ms("2026-12-04T10:00:00Z") == 1796378400000);
  CHECK(parse_datetime_ms("2026-12-04T10:00:00.25Z") == 1796378400250);
  CHECK(parse_datetime_ms("2026-12-04T12:00:00+02:00") == 1796378400000);
  CHECK(parse_datetime_ms("2026-12-04T09:30:00-00:30") == 1796378400000);
  CHECK_FALSE(parse_datetime_ms("2026-12-04"));
  CHECK_FALSE(parse_datetime_ms("2026-13-04T10:00:00Z"));
  CHECK_FALSE(parse_datetime_ms("2026-02-30T10:00:00Z"));
  CHECK_FALSE(parse_datetime_ms("2026-12-04T10:00:00"));
  CHECK_FALSE(parse_datetime_ms("2026-12-04T10:00:00.Z"));
  CHECK_FALSE(parse_datetime_ms("2026-12-04T10:00:00Zjunk"));
}

TEST_CASE("mam: a query with a form and a set") {
  const MamQuery q =
      parse("<query xmlns='urn:xmpp:mam:2' queryid='f27'>" +
            form("<field var='start'><value>2026-12-04T10:00:00Z</value></field>"
                 "<field var='with'><value>room@gw/bob</value></field>"
                 "<field var='after-id'><value>s1</value></field>"
                 "<field var='ids'><value>a</value><value>b</value></field>") +
            "<set xmlns='http://jabber.org/protocol/rsm'><max>500</max><before/></set>"
            "<flip-page/></query>");
  CHECK(q.query_id == "f27");
  CHECK(q.start_ms == 1796378400000);
  CHECK_FALSE(q.end_ms);
  CHECK(q.with == "room@gw/bob");
  CHECK(q.after_id == "s1");
  CHECK(q.ids == std::vector<std::string>{"a", "b"});
  CHECK(q.max == MamQuery::kMaxPage);  // capped
  REQUIRE(q.rsm_before);
  CHECK(q.rsm_before->empty());  // the last page
  CHECK(q.flip_page);

  const MamQuery plain = parse("<query xmlns='urn:xmpp:mam:2'/>");
  CHECK(plain.max == MamQuery::kDefaultPage);
  CHECK_FALSE(plain.rsm_after);
  CHECK_FALSE(plain.rsm_before);
}

TEST_CASE("mam: malformed queries are bad requests, unknown fields not implemented") {
  CHECK(refusal("<query xmlns='urn:xmpp:mam:2'>" +
                form("<field var='start'><value>yesterday</value></field>") + "</query>") ==
        ErrorCondition::bad_request);
  CHECK(refusal("<query xmlns='urn:xmpp:mam:2'>" +
                form("<field var='colour'><value>red</value></field>") + "</query>") ==
        ErrorCondition::feature_not_implemented);
  CHECK(refusal("<query xmlns='urn:xmpp:mam:2'><x xmlns='jabber:x:data' type='submit'>"
                "<field var='FORM_TYPE'><value>urn:xmpp:mam:1</value></field></x></query>") ==
        ErrorCondition::bad_request);
  CHECK(refusal("<query xmlns='urn:xmpp:mam:2'><set xmlns='http://jabber.org/protocol/rsm'>"
                "<max>-1</max></set></query>") == ErrorCondition::bad_request);
  CHECK(refusal("<query xmlns='urn:xmpp:mam:2'><set xmlns='http://jabber.org/protocol/rsm'>"
                "<after>a</after><before>b</before></set></query>") == ErrorCondition::bad_request);
  CHECK(refusal("<query xmlns='urn:xmpp:mam:2'>" +
                form("<field var='start'><value>2026-12-05T00:00:00Z</value></field>"
                     "<field var='end'><value>2026-12-04T00:00:00Z</value></field>") +
                "</query>") == ErrorCondition::bad_request);
}

TEST_CASE("mam: the form, a result and the fin") {
  const Element form_answer = mam_query_form();
  const Element* x = form_answer.child("x", "jabber:x:data");
  REQUIRE(x);
  std::vector<std::string> vars;
  for (const auto& f : x->children()) vars.emplace_back(f.attr_or("var"));
  CHECK(vars == std::vector<std::string>{"FORM_TYPE", "with", "start", "end", "before-id",
                                         "after-id", "ids"});

  Element archived = parse_element(
      "<message xmlns='jabber:component:accept' type='groupchat' from='room@gw/bob'>"
      "<body>hi</body></message>");
  const Element result = mam_result("u@s/r", "room@gw", "q1", "S1", 1796378400000, archived);
  CHECK(structural_difference(
            result,
            parse_element("<message xmlns='jabber:component:accept' from='room@gw' to='u@s/r'>"
                          "<result xmlns='urn:xmpp:mam:2' queryid='q1' id='S1'>"
                          "<forwarded xmlns='urn:xmpp:forward:0'>"
                          "<delay xmlns='urn:xmpp:delay' stamp='2026-12-04T10:00:00Z'/>"
                          "<message xmlns='jabber:component:accept' type='groupchat' "
                          "from='room@gw/bob'><body>hi</body></message>"
                          "</forwarded></result></message>")) == "");

  const Element fin =
      mam_fin({.first = "a", .last = "b", .count = 7, .complete = true, .stable = false});
  CHECK(structural_difference(
            fin, parse_element("<fin xmlns='urn:xmpp:mam:2' complete='true' stable='false'>"
                               "<set xmlns='http://jabber.org/protocol/rsm'><first>a</first>"
                               "<last>b</last><count>7</count></set></fin>")) == "");
  const Element empty = mam_fin({});
  CHECK(structural_difference(
            empty,
            parse_element("<fin xmlns='urn:xmpp:mam:2'><set "
                          "xmlns='http://jabber.org/protocol/rsm'><count>0</count></set></fin>")) ==
        "");
}
