// The echo bridge's [echo] section, declared once: EchoGateway::declared_settings() returns
// it, and the unit tests check config/echo.ini against the sample generated from it.
#pragma once

#include <vector>

#include <legate/config/config.hpp>

namespace echo {

inline std::vector<legate::BridgeSetting> echo_settings() {
  using legate::SettingType;
  return {
      {.key = "echo.registration",
       .default_value = "two-factor",
       .help = "The toy network's registration type.",
       .type = SettingType::choice,
       .choices = {"form", "two-factor", "qr"}},
      {"echo.code", "123456",
       "The two-factor code the toy network 'sends' (always the same: this is a toy)."},
      {.key = "echo.qr_delay",
       .default_value = "2",
       .help = "Seconds until the toy app 'scans' the QR code (negative: never).",
       .type = SettingType::integer},
  };
}

}  // namespace echo
