// Config: INI file + command-line overrides, required keys, refusals with exit code 2.
#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "config/config.hpp"

using namespace legate;

namespace {

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
};

std::variant<Config, ConfigExit> load(std::vector<std::string> args) {
  std::vector<const char*> argv{"legate-test"};
  for (auto& a : args) argv.push_back(a.c_str());
  return load_config(static_cast<int>(argv.size()), argv.data(), "legate-test", "1.2.3");
}

}  // namespace

TEST_CASE("config: INI file with command-line overrides") {
  TempIni ini("[component]\njid = gw.example\nsecret = s\nport = 5348\n[log]\nlevel = debug\n");
  auto loaded = load({"--config", ini.path, "--component.port", "6000"});
  REQUIRE(std::holds_alternative<Config>(loaded));
  const auto& c = std::get<Config>(loaded);
  CHECK(c.component.jid == "gw.example");
  CHECK(c.component.secret == "s");
  CHECK(c.component.host == "127.0.0.1");
  CHECK(c.component.port == 6000);
  CHECK(c.log.level == "debug");
}

TEST_CASE("config: command line alone") {
  auto loaded = load({"--component.jid", "gw.localhost", "--component.secret", "S",
                      "--component.host", "::1", "--component.port", "5347"});
  REQUIRE(std::holds_alternative<Config>(loaded));
  CHECK(std::get<Config>(loaded).component.host == "::1");
}

TEST_CASE("config: refusals exit with code 2 and one clear line") {
  TempIni unknown("[component]\njid = a\nsecret = b\ncolour = blue\n");
  TempIni bad_port("[component]\njid = a\nsecret = b\nport = 99999\n");
  const std::vector<std::vector<std::string>> cases{
      {},                                       // nothing
      {"--component.jid", "gw.x"},              // no secret
      {"--config", "/nonexistent/legate.ini"},  // unreadable file
      {"--config", unknown.path},               // unknown key
      {"--config", bad_port.path},              // out of range
      {"--component.jid", "a", "--component.secret", "b", "--log.level", "loud"},
      {"--bogus"},
  };
  for (const auto& args : cases) {
    auto loaded = load(args);
    REQUIRE(std::holds_alternative<ConfigExit>(loaded));
    const auto& exit = std::get<ConfigExit>(loaded);
    CHECK(exit.code == 2);
    CHECK(exit.message.find("configuration error") != std::string::npos);
    CHECK(std::count(exit.message.begin(), exit.message.end(), '\n') == 1);
  }
}

TEST_CASE("config: --help and --version exit 0") {
  auto help = load({"--help"});
  REQUIRE(std::holds_alternative<ConfigExit>(help));
  CHECK(std::get<ConfigExit>(help).code == 0);
  CHECK(std::get<ConfigExit>(help).message.find("--component.jid") != std::string::npos);
  auto version = load({"--version"});
  CHECK(std::get<ConfigExit>(version).message == "legate-test 1.2.3\n");
}

TEST_CASE("config: bridges declare their own settings") {
  TempIni ini("[component]\njid = a\nsecret = b\n[echo]\ncode = 42\n");
  const std::vector<BridgeSetting> echo{{"echo.code", "123456", "the 2FA code"},
                                        {"echo.registration", "form", "type"}};
  std::vector<const char*> argv{"t", "--config", ini.path.c_str(), "--echo.registration", "qr"};
  auto loaded = load_config(static_cast<int>(argv.size()), argv.data(), "t", "1", echo);
  REQUIRE(std::holds_alternative<Config>(loaded));
  const auto& c = std::get<Config>(loaded);
  CHECK(c.bridge.at("echo.code") == "42");
  CHECK(c.bridge.at("echo.registration") == "qr");
  // Without the declaration the same file is refused.
  auto refused = load({"--config", ini.path});
  CHECK(std::holds_alternative<ConfigExit>(refused));
}

TEST_CASE("config: the committed sample echo.ini is valid") {
  const std::string path = std::string(LEGATE_SOURCE_DIR) + "/config/echo.ini";
  const std::vector<BridgeSetting> echo{
      {"echo.registration", "", ""}, {"echo.code", "", ""}, {"echo.qr_delay", "", ""}};
  std::vector<const char*> argv{"t", "--config", path.c_str()};
  auto loaded = load_config(static_cast<int>(argv.size()), argv.data(), "t", "1", echo);
  REQUIRE_MESSAGE(std::holds_alternative<Config>(loaded), std::get<ConfigExit>(loaded).message);
  CHECK(std::get<Config>(loaded).component.jid == "echo.localhost");
  CHECK(std::get<Config>(loaded).bridge.at("echo.registration") == "two-factor");
}
