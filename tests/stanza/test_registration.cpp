// Stanza-level tests of registration (XEP-0077 + the follow-up steps in chat): every branch
// of the form, two-factor and QR flows, modification, removal and access control.
#include <doctest/doctest.h>

#include "component/form.hpp"
#include "gateway/registration.hpp"
#include "tests/support/gateway_harness.hpp"

using namespace legate;
using namespace legate::test;

namespace {

constexpr std::string_view kAlice = "alice@test/phone";

bool is_error(const Element& e, ErrorCondition condition) {
  return e.attr_or("type") == "error" && StanzaError::from_stanza(e).condition() == condition;
}

bool is_presence(const Element& e, std::string_view type) {
  return e.name() == "presence" && e.attr_or("type") == type;
}

void expect_registration_completed(GatewayHarness& g, std::string_view user) {
  g.next_where([](const Element& e) { return is_presence(e, "subscribe"); });
  g.next_body_containing("Welcome!");
  CHECK(g.registered(user));
}

}  // namespace

TEST_CASE("registration: the form for a new user") {
  GatewayHarness g(RegistrationType::form);
  g.h().inject(
      "<iq type='get' id='g1' from='alice@test/phone' to='gw.test'>"
      "<query xmlns='jabber:iq:register'/></iq>");
  Element reply = g.next_where([](const Element& e) { return e.name() == "iq"; });
  CHECK(reply.attr_or("type") == "result");
  const Element* query = reply.child("query", kRegisterNs);
  REQUIRE(query);
  CHECK(query->child_text("instructions", kRegisterNs) == "Log in, please.");
  CHECK(query->child("username", kRegisterNs));
  CHECK(query->child("password", kRegisterNs));
  CHECK_FALSE(query->child("registered", kRegisterNs));
  const Form form = Form::parse(*query->child("x", Form::kNs));
  CHECK(form.type == "form");
  REQUIRE(form.field("password"));
  CHECK(form.field("password")->type == FieldType::text_private);
  CHECK(form.field("username")->required);
}

TEST_CASE("registration: form type, refusals, success, modification and removal") {
  GatewaySettings settings;
  settings.admins = {Jid("admin@test")};
  GatewayHarness g(RegistrationType::form, settings);

  SUBCASE("a missing required field is not-acceptable") {
    g.h().inject(
        "<iq type='set' id='m1' from='alice@test/phone' to='gw.test'>"
        "<query xmlns='jabber:iq:register'><x xmlns='jabber:x:data' type='submit'>"
        "<field var='username'><value>al</value></field></x></query></iq>");
    Element reply = g.next_where([](const Element& e) { return e.name() == "iq"; });
    CHECK(is_error(reply, ErrorCondition::not_acceptable));
    CHECK(StanzaError::from_stanza(reply).text().find("password") != std::string::npos);
    CHECK_FALSE(g.registered(kAlice));
  }
  SUBCASE("validate() refusing is that StanzaError") {
    Element reply = g.register_with(kAlice, "al", "wrong");
    CHECK(is_error(reply, ErrorCondition::not_authorized));
    CHECK(StanzaError::from_stanza(reply).text() == "wrong password");
    CHECK_FALSE(g.registered(kAlice));
  }
  SUBCASE("success, then modification, then removal") {
    Element reply = g.register_with(kAlice, "al", "secret");
    CHECK(reply.attr_or("type") == "result");
    expect_registration_completed(g, kAlice);
    Element admin_note = g.next_body_containing("New user registered: alice@test");
    CHECK(admin_note.attr_or("to") == "admin@test");

    // A registered user sees <registered/> and their data, never the password.
    g.h().inject(
        "<iq type='get' id='g2' from='alice@test/laptop' to='gw.test'>"
        "<query xmlns='jabber:iq:register'/></iq>");
    Element form_reply = g.next_where([](const Element& e) { return e.name() == "iq"; });
    const Element* query = form_reply.child("query", kRegisterNs);
    REQUIRE(query);
    CHECK(query->child("registered", kRegisterNs));
    const Form form = Form::parse(*query->child("x", Form::kNs));
    CHECK(form.value("username") == "al");
    CHECK(form.value("password") == "");

    CHECK(g.register_with(kAlice, "alice2", "secret", "mod").attr_or("type") == "result");
    g.h().expect_nothing();  // no second welcome
    std::string stored;
    g.h().on_component_thread([&] {
      stored = g.gateway().find_user(Jid(kAlice))->legacy_data.at("username").as_string().c_str();
    });
    CHECK(stored == "alice2");

    g.h().inject(
        "<iq type='set' id='rm' from='alice@test/phone' to='gw.test'>"
        "<query xmlns='jabber:iq:register'><remove/></query></iq>");
    CHECK(g.next_where([](const Element& e) { return e.name() == "iq"; }).attr_or("type") ==
          "result");
    g.next_where([](const Element& e) { return is_presence(e, "unsubscribed"); });
    CHECK_FALSE(g.registered(kAlice));
    CHECK(g.gateway().unregister_calls == 1);
  }
  SUBCASE("plain XEP-0077 fields, without a data form") {
    g.h().inject(
        "<iq type='set' id='p1' from='alice@test/phone' to='gw.test'>"
        "<query xmlns='jabber:iq:register'><username>al</username>"
        "<password>pw</password></query></iq>");
    CHECK(g.next_where([](const Element& e) { return e.name() == "iq"; }).attr_or("type") ==
          "result");
    expect_registration_completed(g, kAlice);
  }
  SUBCASE("removing the gateway from the roster unregisters") {
    g.register_with(kAlice, "al", "secret");
    expect_registration_completed(g, kAlice);
    g.h().inject("<presence type='unsubscribe' from='alice@test' to='gw.test'/>");
    g.next_where([](const Element& e) { return is_presence(e, "unsubscribed"); });
    CHECK_FALSE(g.registered(kAlice));
  }
}

TEST_CASE("registration: access control") {
  GatewayHarness g(RegistrationType::form);
  SUBCASE("JIDs of other servers may not register") {
    CHECK(
        is_error(g.register_with("eve@elsewhere.org/x", "eve", "pw"), ErrorCondition::not_allowed));
    g.h().inject(
        "<iq type='get' id='g' from='eve@elsewhere.org/x' to='gw.test'>"
        "<query xmlns='jabber:iq:register'/></iq>");
    CHECK(is_error(g.next_where([](const Element& e) { return e.name() == "iq"; }),
                   ErrorCondition::not_allowed));
  }
  SUBCASE("unregistered users get registration-required beyond registration") {
    g.say(kAlice, "hello?");
    CHECK(is_error(g.next_where([](const Element& e) { return e.name() == "message"; }),
                   ErrorCondition::registration_required));
    g.h().inject("<message from='alice@test/phone' to='bob@gw.test'><body>hi</body></message>");
    CHECK(is_error(g.next_where([](const Element& e) { return e.name() == "message"; }),
                   ErrorCondition::registration_required));
  }
  SUBCASE("disco and ping stay open") {
    g.h().inject(
        "<iq type='get' id='p' from='eve@elsewhere.org/x' to='gw.test'>"
        "<ping xmlns='urn:xmpp:ping'/></iq>");
    CHECK(g.next_where([](const Element& e) { return e.name() == "iq"; }).attr_or("type") ==
          "result");
  }
}

TEST_CASE("registration: two-factor code in chat, wrong then right") {
  GatewayHarness g(RegistrationType::two_factor);
  CHECK(g.register_with(kAlice, "al", "pw").attr_or("type") == "result");
  g.next_body_containing("reply with the code");
  CHECK_FALSE(g.registered(kAlice));  // nothing stored before every step succeeded
  g.say(kAlice, "0000");
  g.next_body_containing("not accepted (wrong code)");
  g.say(kAlice, " 1234 ");
  expect_registration_completed(g, kAlice);
}

TEST_CASE("registration: two-factor gives up after too many wrong codes or a timeout") {
  SUBCASE("wrong codes") {
    GatewayHarness g(RegistrationType::two_factor);
    g.register_with(kAlice, "al", "pw");
    g.next_body_containing("reply with the code");
    for (int i = 0; i < 2; ++i) {
      g.say(kAlice, "0000");
      g.next_body_containing("not accepted");
    }
    g.say(kAlice, "0000");
    g.next_body_containing("Registration failed: too many wrong codes");
    CHECK_FALSE(g.registered(kAlice));
  }
  SUBCASE("timeout") {
    GatewayHarness g(RegistrationType::two_factor, {}, std::chrono::milliseconds(200));
    g.register_with(kAlice, "al", "pw");
    g.next_body_containing("reply with the code");
    g.next_body_containing("Registration failed: no code received in time");
    CHECK_FALSE(g.registered(kAlice));
  }
}

TEST_CASE("registration: QR code without an upload service, confirmed or timed out") {
  for (const bool confirm : {true, false}) {
    CAPTURE(confirm);
    GatewayHarness g(RegistrationType::qr, {},
                     confirm ? std::chrono::milliseconds(30000) : std::chrono::milliseconds(200));
    CHECK(g.register_with(kAlice, "al", "pw").attr_or("type") == "result");
    // The gateway looks for an upload service on the server; there is none.
    Element text = g.next_qr_text();
    CHECK(text.child_text("body", kComponentNs) == "The code's text: qr:alice@test");
    Element blocks = g.next_where([](const Element& e) { return e.name() == "message"; });
    CHECK(blocks.child_text("body", kComponentNs).find("\xE2\x96") != std::string_view::npos);
    if (confirm) {
      g.h().on_component_thread([&] { g.gateway().confirm_qr(Jid(kAlice)); });
      expect_registration_completed(g, kAlice);
    } else {
      g.next_body_containing("Registration failed: the QR code was not scanned in time");
      CHECK_FALSE(g.registered(kAlice));
    }
  }
}
