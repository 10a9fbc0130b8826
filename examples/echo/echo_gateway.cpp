// EchoGateway: registration policy of the reference bridge.
#include "echo_gateway.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <random>

#include "echo_account.hpp"
#include "echo_settings.hpp"

namespace echo {

using legate::ErrorCondition;
using legate::StanzaError;

std::vector<legate::BridgeSetting> EchoGateway::declared_settings() const {
  return echo_settings();
}

legate::GatewayInfo EchoGateway::info() const {
  legate::GatewayInfo info;
  info.name = "Legate Echo";
  info.type = "echo";
  info.group_service = "text";  // the lounge and the channels
  const std::string_view type = setting("echo.registration");
  info.registration_type = type == "form" ? legate::RegistrationType::form
                           : type == "qr" ? legate::RegistrationType::qr
                                          : legate::RegistrationType::two_factor;
  info.instructions = "Any user name works; any password but 'wrong'.";
  info.registration_fields = {
      legate::FormField::text("username", "User name", true),
      legate::FormField::private_text("password", "Password", true),
  };
  info.welcome_message = "Welcome to Legate Echo! Every contact here echoes what you write.";
  info.registration_timeout = std::chrono::seconds(60);
  info.capabilities.replies = true;  // the other features come from EchoSession's hooks
  info.search_fields = {legate::FormField::text("name", "Name or phone number", true)};
  info.search_instructions = "Find an echo contact by name, or enter a phone number.";
  info.preference_fields = {legate::FormField::boolean("react", "React 👍 to my messages", true)};
  return info;
}

legate::asio::awaitable<legate::Json> EchoGateway::validate(const legate::Jid& user,
                                                            const legate::Form& form) {
  if (form.value("password") == "wrong")
    throw StanzaError(ErrorCondition::not_authorized, "wrong password");
  spdlog::info("{}: echo account {} accepted", user.str(), form.value("username"));
  co_return boost::json::value_from(EchoAccount{.username = std::string(form.value("username"))});
}

legate::asio::awaitable<legate::Json> EchoGateway::validate_two_factor_code(legate::User& user,
                                                                            std::string code) {
  if (code != setting("echo.code")) throw StanzaError(ErrorCondition::not_authorized, "wrong code");
  EchoAccount account = user.data<EchoAccount>();
  account.verified = true;
  co_return boost::json::value_from(account);
}

legate::asio::awaitable<std::string> EchoGateway::get_qr_text(legate::User& user) {
  std::random_device random;
  std::string text = "legate-echo:login:" + user.jid.str() + ":" + std::to_string(random());
  spawn(pretend_scan(user.jid));
  co_return text;
}

legate::asio::awaitable<void> EchoGateway::pretend_scan(legate::Jid user) {
  const int delay = setting<int>("echo.qr_delay");
  if (delay < 0) co_return;
  legate::asio::steady_timer timer(co_await legate::asio::this_coro::executor,
                                   std::chrono::seconds(delay));
  co_await timer.async_wait(legate::asio::use_awaitable);
  confirm_qr(user);
}

legate::asio::awaitable<void> EchoGateway::unregister(legate::User& user) {
  spdlog::info("{}: echo account forgotten", user.jid.str());
  co_return;
}

}  // namespace echo
