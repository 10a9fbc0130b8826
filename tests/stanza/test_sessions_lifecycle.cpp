// Stanza-level tests of the sessions layer over time: the user's presence merged over
// resources, `re-login`, logins that overlap, shutdown, and what survives a restart of the
// gateway on the same database (the id map, the contacts' last presences).
#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <future>
#include <thread>

#include "legacy/contact.hpp"
#include "tests/stanza/sessions_fixture.hpp"

using namespace legate;
using namespace legate::test;

TEST_CASE("sessions: the user's presence is merged over their resources") {
  auto script = two_contacts();
  GatewayHarness g(with_sessions(script));
  register_and_log_in(g);
  g.h().inject("<presence from='alice@test/phone' to='gw.test'/>");
  SessionCall first = script->wait_for(g.h(), "presence");
  REQUIRE(first.presence);
  CHECK(first.presence->show == PresenceShow::online);
  // Less available than the phone, and the phone's presence broadcast to a contact: the
  // merged presence stays the same, so on_presence() is not called.
  g.h().inject(
      "<presence from='alice@test/laptop' to='gw.test'><show>away</show>"
      "<status>afk</status></presence>");
  g.h().inject("<presence from='alice@test/phone' to='bob@gw.test'/>");
  g.h().inject("<presence type='unavailable' from='alice@test/phone' to='gw.test'/>");
  SessionCall second = script->wait_for(g.h(), "presence", 2);
  REQUIRE(second.presence);
  CHECK(second.presence->show == PresenceShow::away);
  CHECK(second.presence->status == "afk");
  g.h().inject("<presence type='unavailable' from='alice@test/laptop' to='bob@gw.test'/>");
  SessionCall third = script->wait_for(g.h(), "presence", 3);
  REQUIRE(third.presence);
  CHECK(third.presence->show == PresenceShow::offline);
  std::this_thread::sleep_for(100ms);
  CHECK(script->count(g.h(), "presence") == 3);
}

TEST_CASE("sessions: a presence that arrives during the login reaches the bridge after it") {
  auto script = two_contacts();
  script->login_delay = 300ms;
  GatewayHarness g(with_sessions(script));
  REQUIRE(g.register_with(kAlice, "al", "pw").attr_or("type") == "result");
  g.next_where([](const Element& e) { return is_gateway_status(e, "Logging in…"); });
  // The user's client answers the gateway's subscription request and goes online.
  g.h().inject("<presence from='alice@test/phone' to='gw.test'/>");
  g.next_where([](const Element& e) { return is_gateway_status(e, kLoginText); });
  SessionCall call = script->wait_for(g.h(), "presence", 1, 1s);
  REQUIRE(call.presence);
  CHECK(call.presence->show == PresenceShow::online);
}

TEST_CASE("sessions: the re-login chat keyword logs out and in again") {
  auto script = two_contacts();
  GatewayHarness g(with_sessions(script));
  register_and_log_in(g);
  g.say(kAlice, "re-login");
  g.next_body_containing("Logging in again");
  g.next_where([](const Element& e) { return is_gateway_status(e, "Logging in…"); });
  g.next_where([](const Element& e) { return is_gateway_status(e, kLoginText); });
  std::vector<std::string> hooks;
  for (const auto& call : script->snapshot(g.h())) hooks.push_back(call.hook);
  CHECK(hooks == std::vector<std::string>{"login", "logout", "login"});
}

TEST_CASE("sessions: a failing fill() is reported, the session stays logged in") {
  auto script = two_contacts();
  script->fill_failure = "the contact list is unavailable";
  GatewayHarness g(with_sessions(script));
  REQUIRE(g.register_with(kAlice, "al", "pw").attr_or("type") == "result");
  g.next_where([](const Element& e) { return is_gateway_status(e, kLoginText); });
  g.next_body_containing("Could not list your contacts: the contact list is unavailable");
  // A failed login is retried after Backoff's first delay, drawn from [d/2, d]: wait past
  // it, or this check could not see the retry it is here to rule out.
  std::this_thread::sleep_for(kTestLoginRetry + 200ms);
  std::vector<std::string> hooks;
  for (const auto& call : script->snapshot(g.h())) hooks.push_back(call.hook);
  CHECK(hooks == std::vector<std::string>{"login"});  // no logout, no second login
  // Messages still flow: the session is logged in.
  alice_sends(g, kBob, "m1", "<body>hello</body>");
  const auto deadline = std::chrono::steady_clock::now() + 3s;
  while (script->count(g.h(), "text") == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(20ms);
  CHECK(script->count(g.h(), "text") == 1);
}

TEST_CASE("sessions: a re-login during a slow login runs after it, never at once") {
  auto script = two_contacts();
  script->login_delay = 200ms;
  GatewayHarness g(with_sessions(script));
  REQUIRE(g.register_with(kAlice, "al", "pw").attr_or("type") == "result");
  g.next_where([](const Element& e) { return is_gateway_status(e, "Logging in…"); });
  // The impatient user, or a bridge whose new connection dropped during its login: the
  // re-login is not lost (it was, leaving the session logged out for good).
  g.say(kAlice, "re-login");
  g.next_where([](const Element& e) { return is_gateway_status(e, kLoginText); });
  g.next_where([](const Element& e) { return is_gateway_status(e, "Logging in…"); });
  g.next_where([](const Element& e) { return is_gateway_status(e, kLoginText); });
  std::this_thread::sleep_for(350ms);  // any third login would be under way by now
  int most = 0;
  g.h().on_component_thread([&] { most = script->max_logins_in_flight; });
  CHECK(most == 1);
  std::vector<std::string> hooks;
  for (const auto& call : script->snapshot(g.h())) hooks.push_back(call.hook);
  CHECK(hooks == std::vector<std::string>{"login", "logout", "login"});
}

TEST_CASE("sessions: shutdown cancels a pending login retry") {
  auto script = two_contacts();
  script->login_failures = 100;
  GatewayHarness g(with_sessions(script));
  REQUIRE(g.register_with(kAlice, "al", "pw").attr_or("type") == "result");
  g.next_where([](const Element& e) { return is_gateway_status(e, "Could not log in"); });
  std::promise<void> done;
  g.h().on_component_thread([&] {
    asio::co_spawn(g.h().component().router().executor(), g.runtime().shutdown(),
                   [&](std::exception_ptr) { done.set_value(); });
  });
  REQUIRE(done.get_future().wait_for(2s) == std::future_status::ready);
  g.next_where([](const Element& e) {
    return is_presence(e, "unavailable") && e.attr_or("from") == "gw.test";
  });
  // The retry was due within kTestLoginRetry: it must not log in after the shutdown (the
  // daemon's io_context would never run out of work, and SIGTERM would not end it).
  std::this_thread::sleep_for(kTestLoginRetry * 2);
  CHECK(script->count(g.h(), "login") == 1);
}

namespace {

// Runs a first gateway on `database` where alice logs in, sends m1 (legacy L1) to bob and
// receives C1 from him; returns the XMPP id of C1. Then starts a second gateway on the same
// file, with contacts whose fill() leaves the presences alone, and waits for the login.
struct Restarted {
  TempDir dir;
  std::shared_ptr<SessionScript> script = two_contacts();
  std::string bobs_id;
  std::optional<GatewayHarness> g;

  Restarted() {
    GatewayOptions first = with_sessions(two_contacts());
    first.database = dir.path() / "gateway.sqlite";
    {
      GatewayHarness before(first);
      register_and_log_in(before);
      alice_sends(before, kBob, "m1", "<body>hi</body>");
      first.sessions->wait_for(before.h(), "text");
      before.h().on_component_thread([&] {
        bobs_id = first.sessions->session(kAlice).roster().by_legacy_id("bob").send_text(
            "yo", {.legacy_id = "C1"});
      });
      drain(before);
    }
    for (auto& contact : script->contacts) contact.show.reset();
    script->next_legacy_id = 100;
    GatewayOptions second = with_sessions(script);
    second.database = first.database;
    g.emplace(second);
    g->next_where([](const Element& e) { return is_gateway_status(e, kLoginText); });
    drain(*g);
  }
};

}  // namespace

TEST_CASE("sessions: the id map and the contacts' presences survive a restart") {
  Restarted r;
  GatewayHarness& g = *r.g;
  alice_sends(g, kBob, "r1", "<retract xmlns='urn:xmpp:message-retract:1' id='m1'/>");
  CHECK(r.script->wait_for(g.h(), "retract").legacy_id == "L1");
  alice_sends(g, kBob, "r2",
              "<reactions xmlns='urn:xmpp:reactions:0' id='" + r.bobs_id +
                  "'><reaction>👍</reaction></reactions>");
  CHECK(r.script->wait_for(g.h(), "react").legacy_id == "C1");
  // The bridge quotes the message it received before the restart.
  g.h().on_component_thread([&] {
    r.script->session(kAlice).roster().by_legacy_id("bob").send_text(
        "re", {.legacy_id = "C2", .reply_to = "C1"});
  });
  Element reply = g.next_where([](const Element& e) { return is_message_from(e, kBob); });
  REQUIRE(reply.child("reply", kReplyNs));
  CHECK(reply.child("reply", kReplyNs)->attr_or("id") == r.bobs_id);

  // Last presences come from the database until the bridge sets new ones.
  g.h().inject("<presence type='probe' from='alice@test' to='carol@gw.test'/>");
  Element carol = g.next_where([](const Element& e) { return e.name() == "presence"; });
  CHECK(carol.child_text("show", kComponentNs) == "away");
  CHECK(carol.child_text("status", kComponentNs) == "brb");
  g.h().inject("<presence type='probe' from='alice@test' to='bob@gw.test'/>");
  Element bob = g.next_where([](const Element& e) { return e.name() == "presence"; });
  CHECK(bob.attr_or("type") == "");  // bob was online
  CHECK(bob.child_text("status", kComponentNs) == "hi");
}

TEST_CASE("sessions: a correction after a restart names the legacy id") {
  Restarted r;
  GatewayHarness& g = *r.g;
  alice_sends(g, kBob, "m2",
              "<body>hello</body><replace xmlns='urn:xmpp:message-correct:0' id='m1'/>");
  SessionCall correct = r.script->wait_for(g.h(), "correct");
  CHECK(correct.legacy_id == "L1");
  CHECK(correct.text == "hello");
}
