// Helpers for the config tests: a temporary INI file and load_config over string arguments.
#pragma once

#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace legate::test {

struct TempIni {
  std::string path;
  explicit TempIni(const std::string& text) {
    char name[] = "/tmp/legate-config-XXXXXX";
    const int fd = mkstemp(name);
    REQUIRE(fd >= 0);
    close(fd);
    path = name;
    std::ofstream(path) << text;
  }
  ~TempIni() { std::remove(path.c_str()); }
  TempIni(const TempIni&) = delete;
  TempIni& operator=(const TempIni&) = delete;
};

// Runs load_config with an explicit (by default empty) environment.
inline std::variant<Config, ConfigExit> load(std::vector<std::string> args,
                                             const Environment& env = {},
                                             const std::vector<BridgeSetting>& bridge = {}) {
  std::vector<const char*> argv{"legate-test"};
  for (auto& a : args) argv.push_back(a.c_str());
  return load_config(static_cast<int>(argv.size()), argv.data(), "legate-test", "1.2.3", bridge,
                     &env);
}

// The error message of a refused configuration (checks the exit code and the single line).
inline std::string refusal(const std::variant<Config, ConfigExit>& loaded) {
  REQUIRE(std::holds_alternative<ConfigExit>(loaded));
  const auto& exit = std::get<ConfigExit>(loaded);
  CHECK(exit.code == 2);
  CHECK(exit.message.starts_with("legate-test: "));
  CHECK(exit.message.find('\n') == exit.message.size() - 1);
  return exit.message;
}

}  // namespace legate::test
