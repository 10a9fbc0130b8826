// Stanza views, StanzaError conditions/types and error replies.
#include <doctest/doctest.h>

#include "component/sender_check.hpp"
#include "component/stanza.hpp"
#include "component/xml_parse.hpp"

using namespace legate;

TEST_CASE("stanza: kinds, views and defaults") {
  Element m = parse_element("<message from='a@b/c' to='gw.x' id='1'><body>hi</body></message>");
  MessageView mv(m);
  CHECK(mv.kind() == StanzaKind::message);
  CHECK(mv.message_type() == "normal");
  CHECK(mv.body() == "hi");
  CHECK(mv.from()->bare_str() == "a@b");
  Element p =
      parse_element("<presence from='a@b/c'><show>away</show><status>out</status></presence>");
  PresenceView pv(p);
  CHECK(pv.presence_type() == "available");
  CHECK(pv.show() == "away");
  CHECK(pv.status() == "out");
  CHECK(stanza_kind(parse_element("<iq/>", "jabber:client")) == StanzaKind::other);
  Element bad = parse_element("<iq from='not a jid@@' type='get'/>");
  CHECK_FALSE(IqView(bad).from().has_value());
}

TEST_CASE("stanza: every condition has a name and a default type, round trip") {
  for (int i = 0; i <= static_cast<int>(ErrorCondition::unexpected_request); ++i) {
    const auto condition = static_cast<ErrorCondition>(i);
    const auto name = to_string(condition);
    CAPTURE(name);
    CHECK(error_condition_from(name) == condition);
    StanzaError e(condition, "because");
    Element request =
        parse_element("<iq type='get' id='q' from='u@h/r' to='gw.x'><x xmlns='y'/></iq>");
    Element reply = error_reply(request, e);
    StanzaError back = StanzaError::from_stanza(reply);
    CHECK(back.condition() == condition);
    CHECK(back.type() == default_type(condition));
    CHECK(back.text() == "because");
  }
  CHECK(default_type(ErrorCondition::bad_request) == ErrorType::modify);
  CHECK(default_type(ErrorCondition::forbidden) == ErrorType::auth);
  CHECK(default_type(ErrorCondition::service_unavailable) == ErrorType::cancel);
  CHECK(default_type(ErrorCondition::resource_constraint) == ErrorType::wait);
}

TEST_CASE("stanza: an application-specific condition follows the defined one") {
  Element request =
      parse_element("<iq type='set' id='c' from='u@h/r' to='gw.x'><x xmlns='y'/></iq>");
  StanzaError error(ErrorCondition::bad_request, "stale");
  error.with_app_condition("bad-sessionid", "http://jabber.org/protocol/commands");
  const Element reply = error_reply(request, error);
  const Element expected = parse_element(
      "<iq id='c' type='error' from='gw.x' to='u@h/r'><error type='modify'>"
      "<bad-request xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
      "<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>stale</text>"
      "<bad-sessionid xmlns='http://jabber.org/protocol/commands'/></error></iq>");
  CHECK(structural_difference(reply, expected) == "");
  const StanzaError back = StanzaError::from_stanza(reply);
  REQUIRE(back.app_condition());
  CHECK(*back.app_condition() ==
        AppCondition{"bad-sessionid", "http://jabber.org/protocol/commands"});
  CHECK_FALSE(StanzaError::from_stanza(error_reply(request, StanzaError(ErrorCondition::gone)))
                  .app_condition());
}

TEST_CASE("stanza: error replies swap addresses and keep the id") {
  Element request =
      parse_element("<message id='m' from='u@h/r' to='c@gw.x'><body>x</body></message>");
  Element reply = error_reply(request, StanzaError(ErrorCondition::item_not_found));
  const Element expected = parse_element(
      "<message id='m' type='error' from='c@gw.x' to='u@h/r'><error type='cancel'>"
      "<item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>");
  CHECK(structural_difference(reply, expected) == "");
  Element result = iq_result(parse_element("<iq type='get' id='7' from='u@h/r' to='gw.x'/>"));
  CHECK(structural_difference(
            result, parse_element("<iq type='result' id='7' from='gw.x' to='u@h/r'/>")) == "");
  // An error without <error/> is still an error, of undefined condition.
  CHECK(StanzaError::from_stanza(parse_element("<iq type='error'/>")).condition() ==
        ErrorCondition::undefined_condition);
}

TEST_CASE("stanzas from another domain than the component's are not sent") {
  auto from = [](std::string_view jid) {
    legate::Element e("presence", "jabber:component:accept");
    if (!jid.empty()) e.set_attr("from", jid);
    return e;
  };
  using legate::from_component_domain;
  CHECK(from_component_domain(from("gw.example"), "gw.example"));
  CHECK(from_component_domain(from("alice@gw.example/phone"), "gw.example"));
  CHECK(from_component_domain(from("#c%irc@GW.Example/nick"), "gw.example"));
  CHECK(from_component_domain(from(""), "gw.example"));  // no from: the server stamps it
  CHECK_FALSE(from_component_domain(from("tester@localhost/desk"), "gw.example"));
  CHECK_FALSE(from_component_domain(from("x@sub.gw.example"), "gw.example"));
  CHECK_FALSE(from_component_domain(from("x@gw.example.evil"), "gw.example"));
  CHECK_FALSE(from_component_domain(from("gw.example@evil/x"), "gw.example"));
}
