// Config: the four sources and their precedence, bridge settings, --help, --version,
// --check-config and the generated sample INI (config/echo.ini).
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "examples/echo/echo_settings.hpp"
#include "tests/unit/config_test_util.hpp"

using namespace legate;
using legate::test::load;
using legate::test::TempIni;

namespace {

const Config& ok(const std::variant<Config, ConfigExit>& loaded) {
  REQUIRE_MESSAGE(std::holds_alternative<Config>(loaded),
                  (std::get_if<ConfigExit>(&loaded) ? std::get<ConfigExit>(loaded).message : ""));
  return std::get<Config>(loaded);
}

}  // namespace

TEST_CASE("config: INI file with command-line overrides") {
  TempIni ini("[component]\njid = gw.example\nsecret = s\nport = 5348\n[log]\nlevel = debug\n");
  const auto loaded = load({"--config", ini.path, "--component.port", "6000"});
  const auto& c = ok(loaded);
  CHECK(c.component.jid == "gw.example");
  CHECK(c.component.secret == "s");
  CHECK(c.component.host == "127.0.0.1");
  CHECK(c.component.port == 6000);
  CHECK(c.log.level == "debug");
  CHECK(c.path == ini.path);
  CHECK_FALSE(c.check_only);
}

TEST_CASE("config: each core key is declared once, bound to its field, default included") {
  // No Config field has a default of its own: every value, defaults included, arrives
  // through the key's binding in the schema.
  for (const Setting& setting : core_settings()) CHECK_MESSAGE(setting.bind, setting.key);
  const auto loaded = load({"--component.jid", "gw.localhost", "--component.secret", "S"});
  const auto& c = ok(loaded);
  CHECK(c.component.port == 5347);
  CHECK(c.component.max_stanza_kib == 4096);
  CHECK(c.component.max_stream_mib == 16);
  CHECK(c.gateway.max_file_mib == 100);
  CHECK(c.gateway.file_timeout_s == 300);
  CHECK(c.storage.message_ids_days == 90);
  CHECK(c.log.level == "info");
  CHECK(c.http.listen.empty());
  // A bridge key cannot bind into the framework's Config.
  Setting sneaky{.key = "mynet.port", .default_value = "1"};
  sneaky.bind = [](Config& config, std::string_view) { config.component.port = 1; };
  CHECK_THROWS_AS(make_schema({sneaky}), ConfigError);
}

TEST_CASE("config: command line alone, both flag forms") {
  const auto loaded = load({"--component.jid", "gw.localhost", "--component.secret=S",
                            "--component.host", "::1", "--component.port=5347"});
  const auto& c = ok(loaded);
  CHECK(c.component.host == "::1");
  CHECK(c.component.secret == "S");
  CHECK(c.log.file.empty());
  CHECK(c.http.listen.empty());
}

TEST_CASE("config: precedence is defaults < INI file < environment < command line") {
  TempIni ini(
      "; a comment\n[component]\n  jid = file.example  \nsecret = file\nhost = file-host\n"
      "port = 1001\n# another\n[log]\nlevel = warn\n");
  const Environment env{{"LEGATE_COMPONENT_SECRET", "env"},
                        {"LEGATE_COMPONENT_HOST", "env-host"},
                        {"LEGATE_COMPONENT_PORT", "1002"},
                        {"LEGATE_KEEP_TMP", "1"}};  // other LEGATE_ variables are not ours
  const auto loaded = load({"--config", ini.path, "--component.port", "1003"}, env);
  const auto& c = ok(loaded);
  CHECK(c.component.jid == "file.example");  // file over default (none)
  CHECK(c.component.secret == "env");        // environment over file
  CHECK(c.component.host == "env-host");     // environment over file
  CHECK(c.component.port == 1003);           // command line over environment
  CHECK(c.log.level == "warn");              // file over default
  CHECK(c.gateway.admins.empty());           // default
  // Without the file: the defaults show through.
  const auto bare = load({"--component.jid=a", "--component.secret=b"});
  CHECK(ok(bare).component.host == "127.0.0.1");
  CHECK(ok(bare).component.port == 5347);
  CHECK(ok(bare).log.level == "info");
}

TEST_CASE("config: environment variable names") {
  CHECK(env_name("component.jid") == "LEGATE_COMPONENT_JID");
  CHECK(env_name("gateway.allowed_jids") == "LEGATE_GATEWAY_ALLOWED_JIDS");
  CHECK(env_name("my-bridge.qr-delay") == "LEGATE_MY_BRIDGE_QR_DELAY");
  const Environment env{
      {"LEGATE_COMPONENT_JID", "e.example"},         {"LEGATE_COMPONENT_SECRET", "x"},
      {"LEGATE_GATEWAY_ALLOWED_JIDS", ".*@example"}, {"LEGATE_LOG_FILE", "/tmp/l.log"},
      {"LEGATE_HTTP_LISTEN", "127.0.0.1:9100"},      {"LEGATE_ECHO_QR_DELAY", "-1"}};
  const auto loaded = load({}, env, echo::echo_settings());
  const auto& c = ok(loaded);
  CHECK(c.component.jid == "e.example");
  CHECK(c.gateway.allowed_jids == ".*@example");
  CHECK(c.log.file == "/tmp/l.log");
  CHECK(c.http.listen == "127.0.0.1:9100");
  CHECK(c.bridge.at("echo.qr_delay") == "-1");
}

TEST_CASE("config: bridges declare their own settings") {
  TempIni ini("[component]\njid = a\nsecret = b\n[echo]\ncode = 42\n");
  const std::vector<BridgeSetting> echo{
      {"echo.code", "123456", "the 2FA code"},  // the {key, default, help} form still works
      {"echo.registration", "form", "type"},
      {.key = "echo.fast", .default_value = "no", .help = "go fast", .type = SettingType::boolean}};
  const auto loaded = load({"--config", ini.path, "--echo.registration", "qr"}, {}, echo);
  const auto& c = ok(loaded);
  CHECK(c.bridge.at("echo.code") == "42");
  CHECK(c.bridge.at("echo.registration") == "qr");
  CHECK(c.bridge.at("echo.fast") == "false");  // booleans are normalised
  // Without the declaration the same file is refused.
  CHECK(legate::test::refusal(load({"--config", ini.path})).find("[echo]") != std::string::npos);
}

TEST_CASE("config: --help lists every key, --version prints the version") {
  const auto help = load({"--help"}, {}, echo::echo_settings());
  REQUIRE(std::holds_alternative<ConfigExit>(help));
  CHECK(std::get<ConfigExit>(help).code == 0);
  const std::string& text = std::get<ConfigExit>(help).message;
  for (const auto& s : make_schema(echo::echo_settings())) {
    CHECK_MESSAGE(text.find("--" + s.key + " ") != std::string::npos, s.key);
    CHECK_MESSAGE(text.find(env_name(s.key)) != std::string::npos, s.key);
  }
  CHECK(text.find("--check-config") != std::string::npos);
  CHECK(text.find("1..65535") != std::string::npos);
  CHECK(std::get<ConfigExit>(load({"-h"})).code == 0);
  const auto version = load({"--version"});
  CHECK(std::get<ConfigExit>(version).code == 0);
  CHECK(std::get<ConfigExit>(version).message == "legate-test 1.2.3\n");
}

TEST_CASE("config: --check-config validates without running") {
  TempIni good("[component]\njid = a\nsecret = b\n");
  const auto loaded = load({"--check-config", "--config", good.path});
  CHECK(ok(loaded).check_only);
  TempIni bad("[component]\njid = a\nsecret = b\nport = 0\n");
  const std::string message = legate::test::refusal(load({"--check-config", "--config", bad.path}));
  CHECK(message ==
        "legate-test: " + bad.path + ":4: [component] port: 0 is out of range 1..65535\n");
}

TEST_CASE("config: the committed config/echo.ini is the generated sample, and valid") {
  const std::string path = std::string(LEGATE_SOURCE_DIR) + "/config/echo.ini";
  std::ifstream file(path);
  REQUIRE(file);
  std::ostringstream committed;
  committed << file.rdbuf();
  // Regenerate with: legate-echo --sample-config > config/echo.ini
  CHECK(committed.str() == sample_ini("legate-echo", echo::echo_settings()));

  const auto loaded = load({"--config", path}, {}, echo::echo_settings());
  const auto& c = ok(loaded);
  CHECK(c.component.jid == "echo.localhost");
  CHECK(c.component.secret == "change-me");
  CHECK(c.bridge.at("echo.registration") == "two-factor");
  CHECK(c.bridge.at("echo.qr_delay") == "2");
  // Without a bridge, the generic sample is valid too.
  TempIni generic(sample_ini("legate-test"));
  CHECK(ok(load({"--config", generic.path})).component.jid == "gateway.localhost");
}

TEST_CASE("config: the committed docs/configuration.md is the generated reference") {
  std::ifstream file(std::string(LEGATE_SOURCE_DIR) + "/docs/configuration.md");
  REQUIRE(file);
  std::ostringstream committed;
  committed << file.rdbuf();
  // Regenerate with: legate-echo --config-reference > docs/configuration.md
  const std::string reference = markdown_reference("legate-echo", echo::echo_settings());
  CHECK(committed.str() == reference);
  for (const auto& s : make_schema(echo::echo_settings()))
    CHECK_MESSAGE(reference.find("`" + std::string(s.name()) + "`") != std::string::npos, s.key);
}
