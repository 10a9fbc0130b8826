// Unit tests of the bridge-facing API's compile-time and typed parts: which hooks a session
// type overrides (hooks_of, features_of), typed preferences and settings.
#include <doctest/doctest.h>

#include "gateway/gateway.hpp"

using namespace legate;

namespace {

struct Minimal : Session {
  using Session::Session;
  asio::awaitable<std::string> login() override { co_return "ok"; }
};

struct Chatty : Minimal {
  using Minimal::Minimal;
  asio::awaitable<LegacyId> on_text(Contact&, const Text&) override { co_return "1"; }
  asio::awaitable<void> on_react(Contact&, const LegacyId&, std::vector<std::string>) override {
    co_return;
  }
  asio::awaitable<void> on_chat_state(Contact&, ChatState) override { co_return; }
};

// Inherits Chatty's overrides and adds one: still counted.
struct Reading : Chatty {
  using Chatty::Chatty;
  asio::awaitable<void> on_displayed(Contact&, const LegacyId&) override { co_return; }
};

}  // namespace

TEST_CASE("bridge API: hooks_of sees exactly the overridden hooks, through intermediate bases") {
  constexpr SessionHooks none = hooks_of<Minimal>();
  CHECK_FALSE(none.text);
  CHECK_FALSE(none.react);
  CHECK_FALSE(none.file);
  CHECK_FALSE(none.search);
  constexpr SessionHooks chatty = hooks_of<Chatty>();
  CHECK(chatty.text);
  CHECK(chatty.react);
  CHECK(chatty.chat_state);
  CHECK_FALSE(chatty.correct);
  CHECK_FALSE(chatty.displayed);
  constexpr SessionHooks reading = Gateway<Reading>::hooks;
  CHECK(reading.text);
  CHECK(reading.displayed);
  CHECK_FALSE(reading.retract);
}

TEST_CASE("bridge API: features come from the hooks plus the declared capabilities") {
  const Features f = features_of(hooks_of<Reading>(), Capabilities{.replies = true});
  CHECK(f.reactions);
  CHECK(f.markers);
  CHECK(f.chat_states);
  CHECK(f.replies);
  CHECK_FALSE(f.corrections);
  CHECK_FALSE(f.retractions);
  CHECK_FALSE(f.files);
  CHECK_FALSE(f.real_receipts);
}

TEST_CASE("bridge API: typed preferences") {
  User user;
  user.jid = Jid("alice@test");
  user.preferences = boost::json::object{{"a", "1"}, {"b", "false"}, {"c", true},     {"n", "42"},
                                         {"m", 7},   {"s", "hi"},    {"bad", "maybe"}};
  CHECK(user.preference<bool>("a"));
  CHECK_FALSE(user.preference<bool>("b", true));
  CHECK(user.preference<bool>("c"));
  CHECK(user.preference<bool>("missing", true));
  CHECK(user.preference<int>("n") == 42);
  CHECK(user.preference<int>("m") == 7);
  CHECK(user.preference<std::string>("s") == "hi");
  CHECK_THROWS_AS(user.preference<bool>("bad"), std::invalid_argument);
  CHECK_THROWS_AS(user.preference<int>("s"), std::invalid_argument);
  user.preferences = nullptr;
  CHECK(user.preference<int>("n", 5) == 5);
}
