// Stanza-level tests of the legacy data's life cycle: a session storing a refreshed token
// (typed, persisted, surviving a restart), a re-registration reaching the live session, a
// QR step confirmed with new data or failed with a reason, preferences with their defaults.
#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/json/value_from.hpp>
#include <boost/json/value_to.hpp>
#include <functional>
#include <future>

#include "component/component.hpp"
#include "storage/user_store.hpp"
#include "tests/stanza/sessions_fixture.hpp"

using namespace legate;
using namespace legate::test;

namespace creds {

// A bridge's own credentials type, read and written through Boost.JSON.
struct Credentials {
  std::string username;
  std::string token;
};

void tag_invoke(boost::json::value_from_tag, boost::json::value& json, const Credentials& c) {
  json = {{"username", c.username}, {"token", c.token}};
}

Credentials tag_invoke(boost::json::value_to_tag<Credentials>, const boost::json::value& json) {
  const auto& o = json.as_object();
  return {boost::json::value_to<std::string>(o.at("username")),
          o.contains("token") ? boost::json::value_to<std::string>(o.at("token")) : ""};
}

}  // namespace creds

namespace {

// Runs a coroutine on the component thread and waits for it (rethrowing its exception).
void run_on_component(GatewayHarness& g, std::function<asio::awaitable<void>()> make) {
  std::promise<void> done;
  auto finished = done.get_future();
  g.h().on_component_thread([&] {
    asio::co_spawn(g.h().component().router().executor(), make(),
                   [&done](std::exception_ptr failure) {
                     if (failure)
                       done.set_exception(failure);
                     else
                       done.set_value();
                   });
  });
  REQUIRE(finished.wait_for(5s) == std::future_status::ready);
  finished.get();
}

Json stored_legacy_data(GatewayHarness& g) {
  Json data;
  g.h().on_component_thread(
      [&] { data = UserStore(g.database()).find(Jid(kAliceBare))->legacy_data; });
  return data;
}

}  // namespace

TEST_CASE("legacy data: a session stores a refreshed token, typed; it survives a restart") {
  TempDir dir;
  GatewayOptions options = with_sessions(two_contacts());
  options.database = dir.path() / "gateway.sqlite";
  {
    GatewayHarness g(options);
    register_and_log_in(g);  // validate() stored {"username": "al", "password": "pw"}
    ScriptedSession* session = nullptr;
    g.h().on_component_thread([&] { session = &options.sessions->session(kAlice); });
    const auto before = session->user().data<creds::Credentials>();  // read on our thread:
    CHECK(before.username == "al");                                  // nothing changes it now
    CHECK(before.token.empty());

    run_on_component(g, [session]() -> asio::awaitable<void> {
      const creds::Credentials refreshed{"al", "t2"};  // named, not a temporary (g++ 12)
      co_await session->update_legacy_data(refreshed);
    });
    CHECK(session->user().data<creds::Credentials>().token == "t2");
    CHECK(stored_legacy_data(g) == Json(boost::json::object{{"username", "al"}, {"token", "t2"}}));
  }
  // A restart logs in with the refreshed token.
  auto script = two_contacts();
  GatewayOptions second = with_sessions(script);
  second.database = options.database;
  GatewayHarness g(second);
  const SessionCall login = script->wait_for(g.h(), "login");
  CHECK(parse_json_text(login.text) ==
        Json(boost::json::object{{"username", "al"}, {"token", "t2"}}));
}

TEST_CASE("legacy data: a user that does not fit the bridge's type is a clear error") {
  GatewayHarness g(with_sessions(two_contacts()));
  register_and_log_in(g);
  User user;
  g.h().on_component_thread([&] { user = g.gateway().find_user(Jid(kAlice)).value(); });
  user.legacy_data = boost::json::object{{"token", "t"}};  // no username
  CHECK_THROWS_WITH_AS(user.data<creds::Credentials>(),
                       doctest::Contains("does not fit the bridge's type"), std::invalid_argument);
}

TEST_CASE("legacy data: a re-registration reaches the live session, which logs in again") {
  auto script = two_contacts();
  GatewayHarness g(with_sessions(script));
  register_and_log_in(g);
  CHECK(parse_json_text(script->wait_for(g.h(), "login").text).as_object().at("password") == "pw");

  CHECK(g.register_with(kAlice, "al", "new").attr_or("type") == "result");
  const SessionCall second = script->wait_for(g.h(), "login", 2);
  CHECK(parse_json_text(second.text).as_object().at("password") == "new");
  CHECK(script->count(g.h(), "logout") == 1);
  Json live;
  g.h().on_component_thread([&] { live = script->session(kAlice).user().legacy_data; });
  CHECK(live.as_object().at("password") == "new");
  CHECK(stored_legacy_data(g).as_object().at("password") == "new");
}

TEST_CASE("legacy data: a QR step confirmed with data stores it; a failed one says why") {
  GatewayHarness g(RegistrationType::qr);
  CHECK(g.register_with(kAlice, "al", "pw").attr_or("type") == "result");
  g.next_qr_text();
  SUBCASE("confirmed with the paired device") {
    g.h().on_component_thread([&] {
      g.gateway().confirm_qr(Jid(kAlice), boost::json::object{{"device", "d1"}});
    });
    g.next_body_containing("Welcome!");
    CHECK(stored_legacy_data(g) == Json(boost::json::object{{"device", "d1"}}));
  }
  SUBCASE("confirmed without data: validate()'s data stays") {
    g.h().on_component_thread([&] { g.gateway().confirm_qr(Jid(kAlice)); });
    g.next_body_containing("Welcome!");
    CHECK(stored_legacy_data(g).as_object().at("username") == "al");
  }
  SUBCASE("failed") {
    g.h().on_component_thread(
        [&] { g.gateway().fail_qr(Jid(kAlice), "the phone refused the pairing"); });
    g.next_body_containing("Registration failed: the phone refused the pairing");
    CHECK_FALSE(g.registered(kAlice));
  }
}

TEST_CASE("legacy data: preferences come typed, with the declared defaults until stored") {
  GatewayOptions options = with_sessions(two_contacts());
  options.preference_fields = {FormField::boolean("react", "React to my messages", true),
                               FormField::text("greeting", "Greeting", false)};
  GatewayHarness g(options);
  register_and_log_in(g);
  auto preferences = [&] {
    User user;
    g.h().on_component_thread([&] { user = options.sessions->session(kAlice).user(); });
    return user;
  };
  CHECK(preferences().preference<bool>("react") == true);
  CHECK(preferences().preference<std::string>("greeting", "hello") == "hello");
  g.h().on_component_thread([&] {
    g.runtime().update_preferences(Jid(kAlice), boost::json::object{{"react", "0"}});
  });
  CHECK(preferences().preference<bool>("react", true) == false);
}
