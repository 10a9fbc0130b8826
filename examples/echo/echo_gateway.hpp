// EchoGateway: the reference bridge's gateway. Its "legacy network" is a toy: any user name
// and password are accepted (except the password "wrong"), a two-factor code or a QR scan
// can be required, and the settings make every registration type testable.
#pragma once

#include <legate/gateway/gateway.hpp>
#include "echo_session.hpp"

namespace echo {

class EchoGateway : public legate::Gateway<EchoSession> {
 public:
  legate::GatewayInfo info() const override;
  std::vector<legate::BridgeSetting> declared_settings() const override;

  legate::asio::awaitable<legate::Json> validate(const legate::Jid& user,
                                                 const legate::Form& form) override;
  legate::asio::awaitable<legate::Json> validate_two_factor_code(legate::User& user,
                                                                 std::string code) override;
  legate::asio::awaitable<std::string> get_qr_text(legate::User& user) override;
  legate::asio::awaitable<void> unregister(legate::User& user) override;

 private:
  legate::asio::awaitable<void> pretend_scan(legate::Jid user);
};

}  // namespace echo
