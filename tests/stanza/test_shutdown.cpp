// Stanza-level tests of the gateway's background work ending cleanly: a shutdown while users
// are in the middle of things (a two-factor wait, a chat-command question, a slow login)
// leaves the event loop without work at once and every registered user's data intact; a
// command suspended while its user unregisters keeps a live session, not a dangling one.
#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <future>
#include <set>

#include "commands/commands.hpp"
#include "legacy/session.hpp"
#include "storage/user_store.hpp"
#include "tests/stanza/sessions_fixture.hpp"

using namespace legate;
using namespace legate::test;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view kDave = "dave@test/pc";
constexpr std::string_view kErin = "erin@test/pc";

bool chat_to(const Element& e, std::string_view user) {
  return e.name() == "message" && Jid(e.attr_or("to")).bare() == Jid(user).bare();
}

// What run() does on SIGTERM: the gateway's shutdown (at most 10 s), then the component
// stops and the periodic work is cancelled.
void begin_shutdown(GatewayHarness& g) {
  g.h().on_component_thread([&g] {
    asio::co_spawn(
        g.h().component().router().executor(),
        [&g]() -> asio::awaitable<void> {
          using namespace asio::experimental::awaitable_operators;
          asio::steady_timer limit(co_await asio::this_coro::executor, 10s);
          co_await (g.runtime().shutdown() || limit.async_wait(asio::use_awaitable));
          g.h().component().stop();
          g.runtime().cancel_background_work();
        },
        asio::detached);
  });
}

}  // namespace

TEST_CASE("shutdown: a pending two-factor wait, chat question and slow login end within 2 s") {
  auto script = two_contacts();
  script->login_delay = 60s;  // dave's login would not finish during this test
  GatewayOptions options = with_sessions(script);
  options.type = RegistrationType::two_factor;
  GatewayHarness g(options);
  std::unique_ptr<Commands> commands;  // the built-ins: `register` in chat
  g.h().on_component_thread([&] { commands = std::make_unique<Commands>(g.gateway()); });

  // dave is registered, and his login is in progress.
  REQUIRE(g.register_with(kDave, "dv", "pw").attr_or("type") == "result");
  g.next_body_containing("reply with the code");
  g.say(kDave, "1234");
  g.next_where([](const Element& e) { return is_gateway_status(e, "Logging in…"); });
  // alice submitted the form; the gateway waits for her code (for minutes).
  REQUIRE(g.register_with(kAlice, "al", "pw").attr_or("type") == "result");
  g.next_body_containing("reply with the code");
  // erin runs the register chat command, which asks her for its first field.
  g.say(kErin, "register");
  Element question = g.next_where([](const Element& e) { return chat_to(e, kErin); });
  CHECK(question.str().find("registration") != std::string::npos);  // its first question
  std::size_t running = 0;
  g.h().on_component_thread([&] { running = g.h().component().router().tasks().size(); });
  CHECK(running >= 3);  // the login, the two-factor conversation, the chat command

  const auto start = std::chrono::steady_clock::now();
  begin_shutdown(g);
  // stop() joins the component thread: it returns once the io_context ran out of work.
  auto stopped = std::async(std::launch::async, [&] { g.h().stop(); });
  const bool in_time = stopped.wait_for(2s) == std::future_status::ready;
  if (!in_time) g.h().io().stop();  // unblock the join, to report rather than hang
  stopped.wait();
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  MESSAGE("the event loop ran out of work " << took.count() << " ms after shutdown began");
  CHECK(in_time);
  // The component thread is gone: the database is read from here.
  UserStore users(g.database());
  CHECK(users.find(Jid(kDave).bare()).has_value());         // the registered user is intact
  CHECK_FALSE(users.find(Jid(kAlice).bare()).has_value());  // unfinished: nothing stored
  CHECK_FALSE(users.find(Jid(kErin).bare()).has_value());
  CHECK(users.count() == 1);
  commands.reset();  // the component thread is gone: nothing runs concurrently
}

TEST_CASE("shutdown: messages the bridge has not sent yet are bounced, not lost") {
  auto script = two_contacts();
  GatewayHarness g(with_sessions(script));
  register_and_log_in(g);
  g.h().on_component_thread([&] { script->text_delay = 60s; });  // a stuck legacy network
  alice_sends(g, kBob, "m1", "<body>one</body>");
  alice_sends(g, kBob, "m2", "<body>two</body>");  // queued behind m1
  script->wait_for(g.h(), "text");
  begin_shutdown(g);
  std::set<std::string> bounced;
  for (int i = 0; i < 2; ++i) {
    Element error = g.next_where(
        [](const Element& e) { return e.name() == "message" && e.attr_or("type") == "error"; });
    CHECK(is_error(error, ErrorCondition::service_unavailable));
    CHECK(error.attr_or("from") == kBob);
    bounced.insert(std::string(error.attr_or("id")));
  }
  CHECK(bounced == std::set<std::string>{"m1", "m2"});
  auto stopped = std::async(std::launch::async, [&] { g.h().stop(); });
  const bool in_time = stopped.wait_for(2s) == std::future_status::ready;
  if (!in_time) g.h().io().stop();
  stopped.wait();
  CHECK(in_time);
}

TEST_CASE("a command suspended while its user unregisters finishes on the session it holds") {
  GatewayHarness g(with_sessions(two_contacts()));
  std::unique_ptr<Commands> commands;
  g.h().on_component_thread([&] {
    commands = std::make_unique<Commands>(g.gateway(), /*builtins=*/false);
    commands->add({"Slow", "slow", "slow", "Looks at the session after a while", Access::logged_in,
                   [](CommandContext& ctx) -> asio::awaitable<Outcome> {
                     asio::steady_timer pause(co_await asio::this_coro::executor, 200ms);
                     co_await pause.async_wait(asio::use_awaitable);
                     // The user left meanwhile: the context's session is still a live object.
                     co_return Outcome{
                         Note{Note::Kind::info,
                              ctx.session->user_jid().str() +
                                  (ctx.session->logged_in() ? " is logged in" : " is logged out")}};
                   }});
  });
  register_and_log_in(g);
  g.say(kAlice, "slow");
  g.h().inject(
      "<iq type='set' id='rm' from='alice@test/phone' to='gw.test'>"
      "<query xmlns='jabber:iq:register'><remove/></query></iq>");
  g.next_where([](const Element& e) { return e.name() == "iq" && e.attr_or("id") == "rm"; });
  CHECK_FALSE(g.registered(kAlice));
  Element answer = g.next_where([](const Element& e) {
    return chat_to(e, kAlice) && e.child("body", kComponentNs) != nullptr;
  });
  CHECK(answer.child_text("body", kComponentNs) == "alice@test is logged out");
  g.h().on_component_thread([&] { commands.reset(); });
}
