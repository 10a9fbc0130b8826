// Config refusals: unknown sections and keys, bad types, out-of-range values, syntax
// errors, from the INI file (named with its line), the environment and the command line;
// each is one line and exit code 2. Also run_gateway's --check-config.
#include <doctest/doctest.h>

#include <iostream>
#include <sstream>

#include "examples/echo/echo_settings.hpp"
#include "gateway/gateway.hpp"
#include "gateway/run.hpp"
#include "tests/unit/config_test_util.hpp"

using namespace legate;
using legate::test::load;
using legate::test::refusal;
using legate::test::TempIni;

namespace {

// The refusal of an INI file made of the [component] essentials followed by `tail`.
std::string refuse_ini(const std::string& tail) {
  TempIni ini("[component]\njid = a\nsecret = b\n" + tail);
  const std::string message = refusal(load({"--config", ini.path}, {}, echo::echo_settings()));
  // The file name is the temporary one; report the rest.
  const auto at = message.find(ini.path);
  REQUIRE_MESSAGE(at != std::string::npos, message);
  return message.substr(0, at) + "FILE" + message.substr(at + ini.path.size());
}

}  // namespace

TEST_CASE("config: INI refusals name the file, the line and the key") {
  CHECK(refuse_ini("port = 99999\n") ==
        "legate-test: FILE:4: [component] port: 99999 is out of range 1..65535\n");
  CHECK(refuse_ini("port = 0\n") ==
        "legate-test: FILE:4: [component] port: 0 is out of range 1..65535\n");
  CHECK(refuse_ini("port = 99999999999999999999\n") ==
        "legate-test: FILE:4: [component] port: 99999999999999999999 is out of range "
        "1..65535\n");
  CHECK(refuse_ini("port = 53x\n") ==
        "legate-test: FILE:4: [component] port: '53x' is not an integer\n");
  CHECK(refuse_ini("port =\n") == "legate-test: FILE:4: [component] port: '' is not an integer\n");
  CHECK(refuse_ini("colour = blue\n") == "legate-test: FILE:4: [component] colour: unknown key\n");
  CHECK(refuse_ini("\n# comment\n[colours]\nred = 1\n") ==
        "legate-test: FILE:6: [colours]: unknown section\n");
  CHECK(refuse_ini("[log]\nlevel = loud\n") ==
        "legate-test: FILE:5: [log] level: 'loud' is not one of trace, debug, info, warn, error, "
        "critical, off\n");
  CHECK(refuse_ini("[http]\nlisten = localhost\n") ==
        "legate-test: FILE:5: [http] listen: 'localhost' does not match the pattern "
        "(.+:[0-9]{1,5})?\n");
  CHECK(refuse_ini("[echo]\nregistration = sms\n") ==
        "legate-test: FILE:5: [echo] registration: 'sms' is not one of form, two-factor, qr\n");
  CHECK(refuse_ini("[echo]\nqr_delay = soon\n") ==
        "legate-test: FILE:5: [echo] qr_delay: 'soon' is not an integer\n");
  CHECK(refuse_ini("jid = again\n") ==
        "legate-test: FILE:4: [component] jid: set twice (first on line 2)\n");
  CHECK(refuse_ini("just words\n") ==
        "legate-test: FILE:4: expected 'key = value', '[section]' or a comment, not 'just "
        "words'\n");
  CHECK(refuse_ini("[log\n") == "legate-test: FILE:4: malformed section header [log\n");
  CHECK(refuse_ini("[ ]\n") == "legate-test: FILE:4: malformed section header [ ]\n");

  TempIni outside("jid = a\n[component]\n");
  CHECK(refusal(load({"--config", outside.path})) ==
        "legate-test: " + outside.path + ":1: jid: key outside any [section]\n");
  CHECK(refusal(load({"--config", "/nonexistent/legate.ini"})) ==
        "legate-test: /nonexistent/legate.ini: cannot read the config file\n");
}

TEST_CASE("config: boolean settings accept the usual spellings only") {
  const std::vector<BridgeSetting> bridge{
      {.key = "b.flag", .default_value = "false", .help = "h", .type = SettingType::boolean}};
  for (const char* yes : {"true", "yes", "on", "1"}) {
    const auto loaded =
        load({"--component.jid=a", "--component.secret=b", "--b.flag", yes}, {}, bridge);
    REQUIRE(std::holds_alternative<Config>(loaded));
    CHECK(std::get<Config>(loaded).bridge.at("b.flag") == "true");
  }
  CHECK(refusal(load({"--b.flag", "maybe"}, {}, bridge)) ==
        "legate-test: --b.flag: 'maybe' is not true or false\n");
}

TEST_CASE("config: environment refusals name the variable") {
  const Environment port{{"LEGATE_COMPONENT_PORT", "70000"}};
  CHECK(refusal(load({"--component.jid=a", "--component.secret=b"}, port)) ==
        "legate-test: environment LEGATE_COMPONENT_PORT: 70000 is out of range 1..65535\n");
  const Environment level{{"LEGATE_LOG_LEVEL", "verbose"}};
  CHECK(refusal(load({"--component.jid=a", "--component.secret=b"}, level))
            .starts_with("legate-test: environment LEGATE_LOG_LEVEL: 'verbose' is not one of"));
}

TEST_CASE("config: command-line refusals name the flag") {
  CHECK(refusal(load({"--bogus", "1"})) == "legate-test: --bogus: unknown option (see --help)\n");
  CHECK(refusal(load({"--component.colour=blue"})) ==
        "legate-test: --component.colour: unknown option (see --help)\n");
  CHECK(refusal(load({"--component.port", "x1"})) ==
        "legate-test: --component.port: 'x1' is not an integer\n");
  CHECK(refusal(load({"--component.port=65536"})) ==
        "legate-test: --component.port: 65536 is out of range 1..65535\n");
  CHECK(refusal(load({"--component.jid"})) == "legate-test: --component.jid: missing value\n");
  CHECK(refusal(load({"--component.jid", "--component.secret", "s"})) ==
        "legate-test: --component.jid: missing value\n");
  CHECK(refusal(load({"--config"})) == "legate-test: --config: missing value\n");
  CHECK(refusal(load({"stray"})) ==
        "legate-test: 'stray': unexpected argument (settings are --section.key VALUE)\n");
  // The command line is checked even when the file or environment would override nothing.
  CHECK(refusal(load({"--log.level", "loud", "--component.jid=a", "--component.secret=b"}))
            .starts_with("legate-test: --log.level: 'loud' is not one of"));
}

TEST_CASE("config: the file limits have defaults and ranges") {
  const auto defaults = load({"--component.jid=a", "--component.secret=b"});
  REQUIRE(std::holds_alternative<Config>(defaults));
  CHECK(std::get<Config>(defaults).gateway.max_file_mib == 100);
  CHECK(std::get<Config>(defaults).gateway.file_timeout_s == 300);
  const auto set = load({"--component.jid=a", "--component.secret=b", "--gateway.max_file_size=20",
                         "--gateway.file_timeout", "60"});
  REQUIRE(std::holds_alternative<Config>(set));
  CHECK(std::get<Config>(set).gateway.max_file_mib == 20);
  CHECK(std::get<Config>(set).gateway.file_timeout_s == 60);
  CHECK(refusal(load({"--gateway.max_file_size=0"})) ==
        "legate-test: --gateway.max_file_size: 0 is out of range 1..4096\n");
  CHECK(refusal(load({"--gateway.file_timeout=1"})) ==
        "legate-test: --gateway.file_timeout: 1 is out of range 5..86400\n");
}

TEST_CASE("config: required settings") {
  CHECK(refusal(load({})) ==
        "legate-test: missing required setting component.jid ([component] jid in the INI "
        "file, --component.jid or LEGATE_COMPONENT_JID)\n");
  CHECK(refusal(load({"--component.jid", "gw.x"})).find("component.secret") != std::string::npos);
  CHECK(refusal(load({"--component.jid=gw.x", "--component.secret="}))
            .find("missing required setting component.secret") != std::string::npos);
}

TEST_CASE("config: a bridge cannot declare a core key or a key without a section") {
  CHECK(refusal(load({}, {}, {{"component.jid", "", "again"}})).find("core section") !=
        std::string::npos);
  CHECK(refusal(load({}, {}, {{"nodot", "", "h"}})).find("is not section.name") !=
        std::string::npos);
  CHECK(refusal(load({}, {}, {{"b.x", "", "h"}, {"b.x", "", "h"}})).find("twice") !=
        std::string::npos);
  CHECK(refusal(load({}, {}, {{.key = "b.n", .default_value = "x", .type = SettingType::integer}}))
            .find("'b.n': default 'x' is not an integer") != std::string::npos);
}

namespace {

struct IdleSession : Session {
  using Session::Session;
  asio::awaitable<std::string> login() override { co_return "idle"; }
};

struct IdleGateway : Gateway<IdleSession> {
  GatewayInfo info() const override { return {}; }
};

// Runs run_gateway and returns its exit code and what it printed on stdout.
std::pair<int, std::string> run(std::vector<std::string> args) {
  std::vector<char*> argv{const_cast<char*>("legate-test")};
  for (auto& a : args) argv.push_back(a.data());
  IdleGateway gateway;
  std::ostringstream out;
  std::ostringstream err;
  auto* old = std::cout.rdbuf(out.rdbuf());
  auto* old_err = std::cerr.rdbuf(err.rdbuf());
  bool attached = false;
  const int code = run_gateway(gateway, static_cast<int>(argv.size()), argv.data(), "legate-test",
                               "1", [&] { attached = true; });
  std::cout.rdbuf(old);
  std::cerr.rdbuf(old_err);
  CHECK_FALSE(attached);
  return {code, out.str()};
}

}  // namespace

TEST_CASE("config: --check-config exits 0 with 'configuration OK' before connecting") {
  TempIni ini("[component]\njid = gw.localhost\nsecret = s\nport = 1\n");
  // Port 1 has no server: the run would fail to connect, the check does not try.
  const auto [code, out] = run({"--config", ini.path, "--check-config"});
  CHECK(code == 0);
  CHECK(out == "configuration OK\n");
  TempIni bad("[component]\njid = gw.localhost\nsecret = s\n[nope]\n");
  CHECK(run({"--config", bad.path, "--check-config"}).first == 2);
  CHECK(run({"--check-config", "--component.jid=gw.localhost", "--component.secret=s"}).first == 0);
}
