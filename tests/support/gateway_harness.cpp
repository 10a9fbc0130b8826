// GatewayHarness implementation.
#include "tests/support/gateway_harness.hpp"

#include <doctest/doctest.h>

#include <future>
#include <random>
#include <utility>

#include "component/stanza.hpp"
#include "storage/user_store.hpp"
#include "tests/support/scripted_session.hpp"

namespace legate::test {

asio::awaitable<Json> ScriptedGateway::validate(const Jid&, const Form& form) {
  if (form.value("password") == "wrong")
    throw StanzaError(ErrorCondition::not_authorized, "wrong password");
  co_return boost::json::object{{"username", form.value("username")},
                                {"password", form.value("password")}};
}

asio::awaitable<Json> ScriptedGateway::validate_two_factor_code(User& user, std::string code) {
  if (code != "1234") throw StanzaError(ErrorCondition::not_authorized, "wrong code");
  co_return user.legacy_data;
}

asio::awaitable<std::string> ScriptedGateway::get_qr_text(User& user) {
  co_return "qr:" + user.jid.str();
}

asio::awaitable<void> ScriptedGateway::unregister(User&) {
  ++unregister_calls;
  co_return;
}

std::unique_ptr<Session> ScriptedGateway::make_session(SessionHost& host, User user) {
  if (!sessions) return nullptr;
  return std::make_unique<ScriptedSession>(host, std::move(user), sessions);
}

TempDir::TempDir() {
  std::random_device random;
  path_ = std::filesystem::temp_directory_path() / ("legate-test-" + std::to_string(random()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

namespace {
GatewayOptions options_of(RegistrationType type, GatewaySettings settings,
                          std::chrono::milliseconds timeout) {
  GatewayOptions options;
  options.type = type;
  options.settings = std::move(settings);
  options.timeout = timeout;
  return options;
}
}  // namespace

GatewayHarness::GatewayHarness(RegistrationType type, GatewaySettings settings,
                               std::chrono::milliseconds timeout)
    : GatewayHarness(options_of(type, std::move(settings), timeout)) {}

GatewayHarness::GatewayHarness(GatewayOptions options) {
  database_path_ =
      options.database.empty() ? dir_.path() / "gateway.sqlite" : std::move(options.database);
  database_.emplace(database_path_.string());
  gateway_.emplace();
  gateway_->declared.name = "Test Gateway";
  gateway_->declared.type = "test";
  gateway_->declared.registration_type = options.type;
  gateway_->declared.instructions = "Log in, please.";
  gateway_->declared.registration_fields = {FormField::text("username", "User name", true),
                                            FormField::private_text("password", "Password", true)};
  gateway_->declared.welcome_message = "Welcome!";
  gateway_->declared.registration_timeout = options.timeout;
  gateway_->hooks = options.hooks;
  gateway_->declared.preference_fields = std::move(options.preference_fields);
  gateway_->sessions = std::move(options.sessions);
  options.settings.first_login_retry = kTestLoginRetry;
  options.settings.grants_wait = std::chrono::milliseconds(0);  // grants come with the handshake
  GatewayRuntime(*gateway_).attach(harness_.component(), *database_, std::move(options.settings));
  // Registered after attach(), so it runs after the gateway's own callback (login_all):
  // stanzas the test injects then never overtake it (the component dispatches stanzas
  // that arrive with the handshake before its connected callbacks run).
  auto connected = std::make_shared<std::promise<void>>();
  harness_.component().on_connected([connected, first = true]() mutable {
    if (std::exchange(first, false)) connected->set_value();
  });
  if (!options.with_handshake.empty())
    harness_.server().send_with_handshake(std::move(options.with_handshake));
  harness_.start();
  REQUIRE_MESSAGE(connected->get_future().wait_for(5s) == std::future_status::ready,
                  "the component did not report its connection");
}

GatewayHarness::~GatewayHarness() {
  harness_.stop(/*force=*/true);
  gateway_.reset();
}

Element GatewayHarness::register_with(std::string_view user, std::string_view username,
                                      std::string_view password, std::string_view id) {
  harness_.inject("<iq type='set' id='" + std::string(id) + "' from='" + std::string(user) +
                  "' to='gw.test'><query xmlns='jabber:iq:register'>"
                  "<x xmlns='jabber:x:data' type='submit'>"
                  "<field var='username'><value>" +
                  std::string(username) +
                  "</value></field>"
                  "<field var='password'><value>" +
                  std::string(password) +
                  "</value></field>"
                  "</x></query></iq>");
  return next_where([&](const Element& e) { return e.name() == "iq"; });
}

void GatewayHarness::say(std::string_view user, std::string_view body) {
  harness_.inject("<message type='chat' from='" + std::string(user) + "' to='gw.test'><body>" +
                  std::string(body) + "</body></message>");
}

Element GatewayHarness::next_where(const std::function<bool(const Element&)>& match,
                                   std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    REQUIRE_MESSAGE(left.count() > 0, "the expected stanza did not arrive");
    auto got = harness_.server().next(left);
    REQUIRE_MESSAGE(got.has_value(), "the expected stanza did not arrive");
    if (std::getenv("LEGATE_TEST_TRACE")) MESSAGE("received " << got->str());
    if (match(*got)) return std::move(*got);
  }
}

Element GatewayHarness::next_body_containing(std::string_view text) {
  return next_where([&](const Element& e) {
    return e.name() == "message" &&
           e.child_text("body", kComponentNs).find(text) != std::string_view::npos;
  });
}

bool GatewayHarness::registered(std::string_view user) {
  bool found = false;
  harness_.on_component_thread(
      [&] { found = UserStore(*database_).find(Jid(user).bare()).has_value(); });
  return found;
}

Element GatewayHarness::next_qr_text() {
  return next_where([&](const Element& e) {
    if (e.name() == "iq" && e.attr_or("type") == "get") {
      CHECK(e.attr_or("to") == "test");
      harness_.inject("<iq type='result' id='" + std::string(e.attr_or("id")) +
                      "' from='test' to='gw.test'><query xmlns='" +
                      std::string(e.first_child()->ns()) + "'/></iq>");
    }
    return e.name() == "message" &&
           e.child_text("body", kComponentNs).starts_with("The code's text:");
  });
}

}  // namespace legate::test
